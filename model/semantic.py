"""The semantic feature block: static word-piece vectors, mean-pooled over a headline.

The vectors (data/vectors/, built by data/vectors/build_vectors.py) were distilled once from the
sentence model all-MiniLM-L6-v2: each word piece of its vocabulary run through the model alone. A
headline's block value is the mean of its pieces' vectors, so under the linear model the block adds
`mean over pieces of (vector . coef)` to the logit: every piece has an exact scalar share, credited to
the word it came from. Scoring needs only those scalars (`piece_shares`), never the vectors.

Tokenising follows BERT's uncased word-piece rule (lower-case, accents stripped, greedy
longest-match with `##` continuations) over the same words as the word n-grams.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np

from sensational.features import WORD

WORD_CACHE = 200_000  # distinct words whose piece ids are kept
MAX_WORD = 100  # characters; BERT maps longer words to [UNK]


def _plain(word: str) -> str:
    if word.isascii():  # nothing to decompose or strip
        return word.lower()
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")


class WordPieces:
    """Word-piece ids of a word, cached; unknown words give no pieces."""

    def __init__(self, vocabulary: list[str]):
        self.vocabulary = vocabulary
        self.ids = {piece: i for i, piece in enumerate(vocabulary)}
        self._cache: dict[str, tuple[int, ...]] = {}

    def __call__(self, word: str) -> tuple[int, ...]:
        found = self._cache.get(word)
        if found is None:
            if len(self._cache) >= WORD_CACHE:
                self._cache.clear()
            found = self._cache[word] = self.pieces(word)
        return found

    def pieces(self, word: str) -> tuple[int, ...]:
        """The piece ids of a word, uncached."""
        pieces = []
        # BERT splits apostrophes off as punctuation: "putin's" -> putin ' s; the apostrophe is dropped.
        for part in _plain(word).replace("’", "'").split("'"):
            if not part or len(part) > MAX_WORD:
                continue
            start, found = 0, []
            while start < len(part):
                end = len(part)
                while end > start:
                    piece = part[start:end] if start == 0 else "##" + part[start:end]
                    if piece in self.ids:
                        found.append(self.ids[piece])
                        break
                    end -= 1
                if end == start:  # no piece matches: BERT gives the whole word [UNK]
                    found = []
                    break
                start = end
            pieces.extend(found)
        return tuple(pieces)

    def word_pieces(self, text: str) -> list[tuple[tuple[int, ...], int, int]]:
        """(piece ids, start, end) of each word of `text` that has pieces."""
        out = []
        for match in WORD.finditer(text):
            pieces = self(match.group())
            if pieces:
                out.append((pieces, match.start(), match.end()))
        return out


def load_vectors(path: Path) -> tuple[list[str], np.ndarray]:
    """(vocabulary, vectors) from a file written by build_vectors.py."""
    with np.load(path, allow_pickle=False) as arrays:
        vocabulary = arrays["vocabulary"].tobytes().decode("utf-8").split("\n")
        vectors = arrays["vectors"]  # kept in float16, as stored: the artifact carries them
    if len(vocabulary) != len(vectors):
        raise ValueError(f"{path}: {len(vocabulary)} pieces but {len(vectors)} vectors")
    return vocabulary, vectors


class SemanticBlock:
    """A scikit-learn transformer: each headline's mean piece vector, times `weight`.

    `fit` learns nothing (the vectors are fixed); the weight scales the block against the TF-IDF
    blocks, whose rows have unit norm, so one regularisation strength C serves all blocks.
    """

    def __init__(self, vocabulary: list[str], vectors: np.ndarray, weight: float = 1.0):
        self.vocabulary = vocabulary
        self.vectors = vectors
        self.weight = weight
        self.pieces = WordPieces(vocabulary)

    def fit(self, texts, y=None):
        return self

    def transform(self, texts):
        import scipy.sparse as sp

        out = np.zeros((len(texts), self.vectors.shape[1]))
        for row, text in enumerate(texts):
            ids = [i for pieces, _, _ in self.pieces.word_pieces(text) for i in pieces]
            if ids:
                out[row] = self.vectors[ids].astype(np.float64).mean(axis=0) * self.weight
        return sp.csr_matrix(out)

    def fit_transform(self, texts, y=None):
        return self.transform(texts)

    def get_params(self, deep=True):
        return {"vocabulary": self.vocabulary, "vectors": self.vectors, "weight": self.weight}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        self.pieces = WordPieces(self.vocabulary)
        return self

    def piece_shares(self, coef: np.ndarray) -> np.ndarray:
        """Each piece's share of the logit per occurrence, before dividing by the headline's piece count."""
        return (self.vectors.astype(np.float64) @ np.asarray(coef, dtype=np.float64)) * self.weight

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("pieces")  # a cache; rebuilt on load
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.pieces = WordPieces(self.vocabulary)
