"""The feature blocks of the model, each an analyzer that also reports where its features occur.

Every block turns a headline into a list of feature strings (what scikit-learn's vectorizers count)
and, through `spans`, into (feature, start, end) triples with character offsets into the headline
as given. One implementation serves both training and explanations, so the offsets of a phrase
always point at the words that produced its feature.
"""

from __future__ import annotations

import re
from itertools import chain, repeat
from typing import Iterator

import numpy as np

from sensational.lexicon import Lexicon

WORD = re.compile(r"\w+(?:['’]\w+)*")
WHITESPACE_WORD = re.compile(r"\S+")

Span = tuple[str, int, int]


class WordNgrams:
    """Lower-cased word n-grams; a word keeps its inner apostrophe ("putin's")."""

    def __init__(self, ngram_range: tuple[int, int]):
        self.ngram_range = tuple(ngram_range)

    def __call__(self, text: str) -> list[str]:
        tokens = WORD.findall(text.lower())
        low, high = self.ngram_range
        grams = list(tokens) if low == 1 else []
        for n in range(max(low, 2), high + 1):
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return grams

    def spans(self, text: str) -> Iterator[Span]:
        tokens = [(m.group().lower(), m.start(), m.end()) for m in WORD.finditer(text)]
        low, high = self.ngram_range
        for n in range(low, high + 1):
            for i in range(len(tokens) - n + 1):
                window = tokens[i : i + n]
                yield " ".join(t for t, _, _ in window), window[0][1], window[-1][2]


class WordShapes:
    """The spelling of each word: a scikit-learn transformer over a headline's lower-cased words,
    split at white space (so a word keeps its punctuation: "rant!", "'tribe'").

    Each word becomes a unit vector of its character n-grams (inside the padded word " word ", as
    scikit-learn's `char_wb`; TF-IDF, sublinear tf if asked, l2-normalised per word), and a headline
    sums its words' vectors divided by the square root of its number of words. Under the linear model
    a word's share of the logit is then one number (its vector . coef) scaled by the headline's
    length, so a compiled scorer computes it once per distinct word, and explanations credit it to
    the word exactly. (A headline-level char n-gram TF-IDF cannot be split by word: its norm and its
    counts mix the words. On dev this block also scored higher than that one.)
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 4), min_df: int = 1, sublinear_tf: bool = True):
        self.ngram_range = tuple(ngram_range)
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """(lower-cased word, start, end) of each word, its span trimmed of surrounding punctuation
        (the part of the headline an explanation credits it to)."""
        return [(m.group().lower(), *_trim_punctuation(text, m.start(), m.end())) for m in WHITESPACE_WORD.finditer(text)]

    def grams(self, words: list[str]) -> tuple[list[str], np.ndarray]:
        """(every n-gram of every word, in order, n by n; how many each word has)."""
        low, high = self.ngram_range
        padded = [f" {word} " for word in words]
        grams = [p[i : i + n] for p in padded for n in range(low, high + 1) for i in range(max(1, len(p) - n + 1))]
        sizes = np.fromiter(map(len, padded), np.int64, len(padded))
        return grams, sum(np.maximum(1, sizes - n + 1) for n in range(low, high + 1))

    def fit(self, texts, y=None):
        tokens = [text.lower().split() for text in texts]
        words = sorted(set(chain.from_iterable(tokens)))
        grams, per_word = self.grams(words)
        names = sorted(set(grams))
        ids = dict(zip(names, range(len(names))))
        # Each word's distinct n-grams, sorted by word.
        found = np.repeat(np.arange(len(words)), per_word) * len(names) + np.fromiter(map(ids.__getitem__, grams), np.int64, len(grams))
        word_of, columns = np.divmod(_distinct(found)[0], len(names))
        # Document frequency counts headlines, as TfidfVectorizer's does: each headline's distinct n-grams.
        token_row, token_word = _tokens(tokens, words)
        entry, row = _entries(word_of, token_word, token_row)
        df = np.bincount(_distinct(row * len(names) + columns[entry])[0] % len(names), minlength=len(names))
        kept = np.flatnonzero(df >= self.min_df)
        self.vocabulary_ = dict(zip([names[i] for i in kept], range(len(kept))))
        self.idf_ = np.log((1 + len(texts)) / (1 + df[kept])) + 1.0  # TfidfVectorizer's smooth idf
        return self

    def transform(self, texts):
        import scipy.sparse as sp

        tokens = [text.lower().split() for text in texts]
        words = sorted(set(chain.from_iterable(tokens)))
        word_of, columns, values = self.word_vectors(words, self.vocabulary_, self.idf_)
        token_row, token_word = _tokens(tokens, words)
        entry, row = _entries(word_of, token_word, token_row)
        counts = np.fromiter(map(len, tokens), np.int64, len(tokens))
        scale = 1.0 / np.sqrt(np.maximum(counts, 1))
        matrix = sp.csr_matrix((values[entry] * scale[row], (row, columns[entry])), shape=(len(texts), len(self.vocabulary_)))
        matrix.sum_duplicates()
        return matrix

    def fit_transform(self, texts, y=None):
        return self.fit(texts).transform(texts)

    def word_vectors(self, words: list[str], ids: dict[str, int], idf: np.ndarray):
        """(word, column, value) of the unit vectors of `words`, sorted by word then column; `ids`
        maps an n-gram to its column (a missing n-gram is unknown) and `idf` gives each column's."""
        grams, per_word = self.grams(words)
        found = np.fromiter(map(ids.get, grams, repeat(-1)), np.int64, len(grams))
        word_of = np.repeat(np.arange(len(words)), per_word)
        known = found >= 0
        return unit_vectors(*counted(word_of[known], found[known]), idf, self.sublinear_tf)

    def get_params(self, deep=True):
        return {"ngram_range": self.ngram_range, "min_df": self.min_df, "sublinear_tf": self.sublinear_tf}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self


def _trim_punctuation(text: str, start: int, end: int) -> tuple[int, int]:
    inner = WORD.search(text, start, end)
    if inner is None:
        return start, end
    last = inner
    for last in WORD.finditer(text, start, end):
        pass
    return inner.start(), last.end()


def counted(word_of: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each word's n-gram occurrences (word, column) counted: (word, column, count), sorted by word
    then column."""
    width = int(columns.max()) + 1 if len(columns) else 1
    keys, counts = _distinct(word_of * width + columns)
    words, columns = np.divmod(keys, width)
    return words, columns, counts


def unit_vectors(words: np.ndarray, columns: np.ndarray, counts: np.ndarray, idf: np.ndarray, sublinear: bool):
    """Each word's counted n-grams (`counted`) as (word, column, value): TF-IDF, l2-normalised per word."""
    tf = np.log(counts) + 1.0 if sublinear else counts.astype(np.float64)
    values = tf * idf[columns]
    return words, columns, values / np.sqrt(np.bincount(words, values * values))[words]


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct keys, how often each occurs): np.unique's answer, by sorting (numpy 2's
    hashing np.unique is several times slower on these arrays)."""
    keys = np.sort(keys)
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else np.zeros(0, np.int64)
    return keys[first], np.diff(np.append(first, len(keys)))


def _tokens(tokens: list[list[str]], words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row, index in `words`) of every token."""
    index = dict(zip(words, range(len(words))))
    flat = list(chain.from_iterable(tokens))
    counts = np.fromiter(map(len, tokens), np.int64, len(tokens))
    return np.repeat(np.arange(len(tokens)), counts), np.fromiter(map(index.__getitem__, flat), np.int64, len(flat))


def _entries(word_of: np.ndarray, token_word: np.ndarray, token_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For entries sorted by word (`word_of`): every entry of every token's word, and the token's row."""
    starts = np.searchsorted(word_of, np.arange(int(token_word.max(initial=-1)) + 2))
    lengths = (starts[1:] - starts[:-1])[token_word]
    ends = np.cumsum(lengths)
    entry = np.repeat(starts[:-1][token_word] - (ends - lengths), lengths) + np.arange(int(lengths.sum()))
    return entry, np.repeat(token_row, lengths)


class FramingMarkers:
    """Lexicon categories and typographic emphasis, as features like `alarm` or `emphasis:caps`.

    The model learns one weight per category, so an idiom no training headline contains still
    scores through its category.
    """

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon

    def __call__(self, text: str) -> list[str]:
        return [feature for feature, _, _ in self.lexicon.matches(text)]

    def spans(self, text: str) -> Iterator[Span]:
        return iter(self.lexicon.matches(text))
