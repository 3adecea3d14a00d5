"""A fitted pipeline compiled into dictionaries and numpy arrays: the model at inference.

`FastScorer.from_pipeline` reads what the fitted pipeline learned (each feature block's vocabulary,
idf and tf/norm settings, the logistic regression's coefficients and intercept). Reading headlines
is sensational.scoring's job (one feature pass for all heads); from the counted features,
`values` and `decisions_from` compute the same feature values and logits as the pipeline, with the
same floating-point operations in the same order.

`save` writes it as a .npz of plain arrays and JSON (no pickle), so `sensational predict` loads a
model without importing scikit-learn or unpickling anything. A pipeline it does not know (another
classifier, a stacked model, a float32 vectorizer) raises `Unsupported`: scikit-learn only fits,
so such a model cannot be used.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, repeat

import numpy as np

from sensational import _shapes
from sensational.features import FramingMarkers, WordNgrams, WordShapes
from sensational.lexicon import Lexicon
from sensational.semantic import SemanticBlock, WordPieces

FORMAT = 3  # 2: an optional semantic block, stored as one logit share per word piece; 3: word shapes
BATCH = 4096  # headlines read together; keeps the sort keys in int32 for vocabularies up to ~500k
_NORMS = {None: 0, "l1": 1, "l2": 2}
MAX_GRAM = 6  # the longest character n-gram sensational._shapes looks up


class Unsupported(ValueError):
    """The pipeline has a part this module does not reproduce exactly."""


@dataclass
class Block:
    name: str
    analyzer: object  # called on a headline, returns its features (with repeats)
    terms: list[str]  # in column order
    idf: np.ndarray | None
    binary: bool
    sublinear: bool
    norm: str | None
    weight: float | None  # FeatureUnion transformer weight


@dataclass
class Semantic:
    """The semantic block compiled: a headline adds the mean of its word pieces' shares to the logit."""

    pieces: WordPieces
    shares: np.ndarray  # per piece: vector . coef * block weight

    def totals(self, text: str) -> tuple[float, int]:
        """(the summed shares of the pieces of `text`, how many pieces it has), token by token."""
        total, count = 0.0, 0
        for pieces, _, _ in self.pieces.word_pieces(text):
            token = 0.0  # added in order, as the batch's sums are
            for share in self.shares[list(pieces)].tolist():
                token += share
            total += token
            count += len(pieces)
        return total, count

    def word_shares(self, text: str) -> list[tuple[int, int, float]]:
        """(start, end, share of the logit) of each word with pieces."""
        words = self.pieces.word_pieces(text)
        total = sum(len(pieces) for pieces, _, _ in words)
        return [(start, end, float(self.shares[list(pieces)].sum()) / total) for pieces, start, end in words]


def piece_facts(semantics: list[Semantic], tokens: list[str]) -> list[np.ndarray]:
    """Per semantic block (all reading one vocabulary), two rows: the summed shares of each token's
    pieces and how many pieces it has. The pieces are found once for all of them."""
    pieces = list(map(semantics[0].pieces, tokens))
    counts = np.fromiter(map(len, pieces), np.int64, len(pieces))
    ids = np.fromiter(chain.from_iterable(pieces), np.int64, int(counts.sum()))
    token_of = np.repeat(np.arange(len(tokens)), counts)
    return [row for semantic in semantics
            for row in (np.bincount(token_of, semantic.shares[ids], minlength=len(tokens)), counts)]


@dataclass
class Shapes:
    """The word-spelling block compiled (sensational.features.WordShapes): a word's share of the logit
    is its unit vector . coef, computed once per distinct word; a headline adds its words' shares
    divided by the square root of its number of words."""

    analyzer: WordShapes  # its n-gram range and tf setting
    terms: list[str]  # in column order
    idf: np.ndarray
    coef: np.ndarray

    def shares(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(share of the logit before dividing by the square root of the headline's word count,
        number of distinct n-grams the block knows) of each lower-cased word."""
        return tuple(self._alone.facts(words))

    @cached_property
    def _alone(self) -> "ShapeGroup":
        return ShapeGroup([self])

    def word_shares(self, text: str) -> list[tuple[int, int, float]]:
        """(start, end, share of the logit) of each word of `text`: the rule, one headline at a time."""
        spans = self.analyzer.spans(text)
        shares, _ = self.shares([word for word, _, _ in spans])
        scale = 1.0 / np.sqrt(max(len(spans), 1))
        return [(start, end, float(share * scale)) for (_, start, end), share in zip(spans, shares.tolist())]


class ShapeGroup:
    """The word shapes of scorers with the same n-gram settings: a new word's n-grams are looked up
    once for all of them (in the union of their vocabularies), its unit vector made once per
    vocabulary (a framing type's logit reads its head's), then each scorer weighs it; all in C
    (sensational._shapes), one word at a time."""

    def __init__(self, members: list[Shapes]):
        self.members = members
        self.analyzer = members[0].analyzer
        self.vocabularies = list({id(member.terms): member for member in members}.values())  # one member per vocabulary
        self.vocabulary_of = [[id(v.terms) for v in self.vocabularies].index(id(member.terms)) for member in members]
        if self.analyzer.ngram_range[1] > MAX_GRAM:
            raise Unsupported(f"word shapes of n-grams up to {self.analyzer.ngram_range[1]} characters")

    def restore(self, terms: np.ndarray, columns: list[np.ndarray]) -> None:
        """Take the `union` of a group over the same vocabularies (the artifact keeps it)."""
        self._saved = terms, columns

    @cached_property
    def union(self) -> tuple[list[str], list[np.ndarray]]:
        """(the union's terms in id order, per vocabulary the column of each union id or -1), made on
        first use."""
        saved = getattr(self, "_saved", None)
        if saved is not None:
            return split_lines(saved[0]), list(saved[1])
        terms = sorted(set(chain.from_iterable(v.terms for v in self.vocabularies)))
        ids = dict(zip(terms, range(len(terms))))
        columns = []
        for vocabulary in self.vocabularies:
            column = np.full(len(terms), -1, dtype=np.int64)
            column[np.fromiter(map(ids.__getitem__, vocabulary.terms), np.int64, len(vocabulary.terms))] = np.arange(len(vocabulary.terms))
            columns.append(column)
        return terms, columns

    @cached_property
    def _arguments(self) -> tuple:
        """What sensational._shapes.shape_facts reads besides the words: the union's n-grams in a hash
        table, the settings, each vocabulary's columns and idf, each member's vocabulary and coef."""
        terms, columns = self.union
        vocabularies = [(np.ascontiguousarray(column, np.int64), np.ascontiguousarray(vocabulary.idf, np.float64))
                        for vocabulary, column in zip(self.vocabularies, columns)]
        members = [(number, np.ascontiguousarray(member.coef, np.float64)) for member, number in zip(self.members, self.vocabulary_of)]
        low, high = self.analyzer.ngram_range
        return _shapes.table(terms), low, high, self.analyzer.sublinear_tf, vocabularies, members

    def facts(self, words: list[str]) -> np.ndarray:
        """Per member, two rows: `Shapes.shares` of each word (in C: sensational._shapes)."""
        out = np.zeros((2 * len(self.members), len(words)))
        _shapes.shape_facts(list(words), *self._arguments, out)
        return out


def joined(lines) -> np.ndarray:
    """Lines (terms, tokens: none holds a newline) as one UTF-8 array, as the model files store them."""
    return np.frombuffer("\n".join(lines).encode("utf-8"), dtype=np.uint8)


def split_lines(data: np.ndarray) -> list[str]:
    """The lines `joined` stored (none, for an empty array)."""
    return data.tobytes().decode("utf-8").split("\n") if len(data) else []


class Terms(Sequence):
    """A vocabulary as saved (its terms joined by newlines), split into a list only when first read:
    with the feature pass restored from the artifact, scoring needs only how many terms there are."""

    def __init__(self, data: np.ndarray, count: int):
        self.data, self.count = data, count

    @cached_property
    def _list(self) -> list[str]:
        return split_lines(self.data) if self.count else []

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        return self._list[index]

    def __iter__(self):
        return iter(self._list)


class FastScorer:
    def __init__(self, blocks: list[Block], coef: np.ndarray, intercept: float, semantic: Semantic | None = None,
                 shapes: Shapes | None = None):
        self.blocks = blocks
        self.semantic = semantic
        self.shapes = shapes
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self._feature_pass = None
        self._indexes = None
        self.offsets, column_block, offset = [], [], 0  # offsets: each block's first column
        for number, block in enumerate(blocks):
            self.offsets.append(offset)
            column_block.append(np.full(len(block.terms), number, dtype=np.int64))
            offset += len(block.terms)
        if offset != len(self.coef):
            raise Unsupported(f"{offset} features but {len(self.coef)} coefficients")
        self.n_features = offset
        self.framing_columns = np.zeros(offset, dtype=bool)  # the lexicon markers' columns (explanations)
        for block, first in zip(blocks, self.offsets):
            if block.name == "framing":
                self.framing_columns[first : first + len(block.terms)] = True
        self._block = np.concatenate(column_block) if column_block else np.zeros(0, np.int64)

        def per_column(values):
            return np.asarray(values)[self._block]

        self._binary = per_column([b.binary for b in blocks])
        self._sublinear = per_column([b.sublinear for b in blocks])
        self._norms = np.array([_NORMS[b.norm] for b in blocks])
        self._idf = np.concatenate([b.idf if b.idf is not None else np.ones(len(b.terms)) for b in blocks])
        weights = [1.0 if b.weight is None else b.weight for b in blocks]
        self._weight = per_column(weights) if any(b.weight is not None for b in blocks) else None

    def index(self, number: int) -> dict[str, int]:
        """Block `number`'s {term: column}, built on first use (scoring itself reads sensational.scoring's
        union of the heads' terms, so loading builds no per-head dictionaries)."""
        if self._indexes is None:
            self._indexes = [None] * len(self.blocks)
        if self._indexes[number] is None:
            block, first = self.blocks[number], self.offsets[number]
            self._indexes[number] = dict(zip(block.terms, range(first, first + len(block.terms))))
        return self._indexes[number]

    @property
    def indexes(self) -> list[dict[str, int]]:
        """Every block's {term: column}."""
        return [self.index(number) for number in range(len(self.blocks))]

    # -- compiling, saving, loading ----------------------------------------------------------------

    @classmethod
    def from_pipeline(cls, pipeline) -> "FastScorer":
        union, classifier = fitted_steps(pipeline)
        if len(classifier.classes_) != 2:
            raise Unsupported("expected a binary logistic regression in float64")
        blocks, coef, pieces, shares, shapes = compile_union(union, classifier.coef_)
        semantic = Semantic(pieces, shares[0]) if pieces is not None else None
        shapes = Shapes(shapes.analyzer, shapes.terms, shapes.idf, shapes.coef[0]) if shapes is not None else None
        return cls(blocks, coef[0], classifier.intercept_[0], semantic, shapes)

    def save(self, path, metadata: dict) -> None:
        """Write plain arrays and JSON (no pickles) to `path`, an open binary file or a path."""
        described, arrays = [], {"coef": self.coef, "intercept": np.array([self.intercept])}
        for number, block in enumerate(self.blocks):
            if any("\n" in term for term in block.terms):
                raise Unsupported(f"feature block {block.name!r} has a term with a newline")
            arrays[f"terms{number}"] = joined(block.terms)
            if block.idf is not None:
                arrays[f"idf{number}"] = block.idf
            described.append(
                {
                    "name": block.name,
                    "analyzer": _describe(block.analyzer),
                    "terms": len(block.terms),
                    "idf": block.idf is not None,
                    "binary": block.binary,
                    "sublinear": block.sublinear,
                    "norm": block.norm,
                    "weight": block.weight,
                }
            )
        if self.semantic is not None:
            arrays["semantic_vocabulary"] = joined(self.semantic.pieces.vocabulary)
            arrays["semantic_shares"] = self.semantic.shares
        shapes = None
        if self.shapes is not None:
            arrays["shapes_terms"] = joined(self.shapes.terms)
            arrays["shapes_idf"], arrays["shapes_coef"] = self.shapes.idf, self.shapes.coef
            shapes = {"terms": len(self.shapes.terms), **self.shapes.analyzer.get_params()}
        meta = {"format": FORMAT, "blocks": described, "semantic": self.semantic is not None, "shapes": shapes,
                "metadata": metadata}
        arrays["meta"] = np.frombuffer(json.dumps(meta, default=_plain).encode("utf-8"), dtype=np.uint8)
        np.savez(path, **arrays)

    @classmethod
    def load(cls, path) -> tuple["FastScorer", dict]:
        """(scorer, training metadata) from a file written by `save`."""
        with np.load(path, allow_pickle=False) as arrays:
            meta = json.loads(arrays["meta"].tobytes())
            if meta.get("format") != FORMAT:
                raise Unsupported(f"scoring file format {meta.get('format')}, expected {FORMAT}")
            blocks = []
            for number, spec in enumerate(meta["blocks"]):
                terms = Terms(arrays[f"terms{number}"], spec["terms"])
                idf = arrays[f"idf{number}"] if spec["idf"] else None
                blocks.append(
                    Block(
                        spec["name"],
                        _analyzer(spec["analyzer"]),
                        terms,
                        idf,
                        spec["binary"],
                        spec["sublinear"],
                        spec["norm"],
                        spec["weight"],
                    )
                )
            semantic = None
            if meta["semantic"]:
                vocabulary = split_lines(arrays["semantic_vocabulary"])
                semantic = Semantic(WordPieces(vocabulary), arrays["semantic_shares"])
            shapes = None
            if meta["shapes"] is not None:
                spec = meta["shapes"]
                terms = Terms(arrays["shapes_terms"], spec["terms"])
                analyzer = WordShapes(tuple(spec["ngram_range"]), spec["min_df"], spec["sublinear_tf"])
                shapes = Shapes(analyzer, terms, arrays["shapes_idf"], arrays["shapes_coef"])
            return cls(blocks, arrays["coef"], float(arrays["intercept"][0]), semantic, shapes), meta["metadata"]

    # -- scoring -----------------------------------------------------------------------------------

    def scores(self, headlines: list[str]) -> np.ndarray:
        """Probability of the positive class for each headline: `predict_proba(headlines)[:, 1]`."""
        return _expit(self.decisions(headlines))

    def decisions(self, headlines: list[str]) -> np.ndarray:
        """The logit of each headline: `decision_function(headlines)`."""
        return self._pass().decisions(headlines, "")

    def features(self, headlines: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of every nonzero feature of a batch (at most BATCH headlines), sorted
        by row then column: the FeatureUnion's matrix without the blocks scored per word (shapes, semantic)."""
        read = self._pass().read(headlines)
        rows, columns, counts = read.features("")
        return rows, columns, self.values(rows, columns, counts, len(headlines))

    def _pass(self):
        """This head alone in a sensational.scoring.FeaturePass (a model's heads share one)."""
        if self._feature_pass is None:
            from sensational.scoring import FeaturePass

            self._feature_pass = FeaturePass({"": self})
        return self._feature_pass

    def values(self, rows: np.ndarray, columns: np.ndarray, counts: np.ndarray, batch: int) -> np.ndarray:
        """The feature values of counted (row, column) pairs sorted by row then column: what the
        FeatureUnion's TF-IDF and count blocks give."""
        # TfidfTransformer: binary, then 1 + log(tf), then times idf, then the row norm.
        values = counts.astype(np.float64)
        values[self._binary[columns]] = 1.0
        sublinear = self._sublinear[columns]
        values[sublinear] = np.log(values[sublinear]) + 1.0
        values *= self._idf[columns]
        if self._norms.any():
            blocks = self._block[columns]
            groups = rows * len(self.blocks) + blocks
            size = batch * len(self.blocks)
            kind = self._norms[blocks]
            norm = np.ones(len(values))
            if (kind == 2).any():
                norm = np.where(kind == 2, np.sqrt(np.bincount(groups, values * values, minlength=size))[groups], norm)
            if (kind == 1).any():
                norm = np.where(kind == 1, np.bincount(groups, np.abs(values), minlength=size)[groups], norm)
            values /= norm
        if self._weight is not None:
            values *= self._weight[columns]
        return values

    def decisions_from(self, rows: np.ndarray, contributions: np.ndarray, batch: int, dense: np.ndarray) -> np.ndarray:
        """LogisticRegression: sum each row's value * coef, add the intercept and the logit of the
        blocks that are shares per word (word shapes, word pieces)."""
        return np.bincount(rows, contributions, minlength=batch) + self.intercept + dense


def fitted_steps(pipeline):
    """(FeatureUnion, LogisticRegression) of a fitted two-step pipeline, or Unsupported."""
    steps = getattr(pipeline, "steps", None)
    if not steps or len(steps) != 2:
        raise Unsupported("expected a two-step pipeline: features, classifier")
    (_, union), (_, classifier) = steps
    if type(union).__name__ != "FeatureUnion" or type(classifier).__name__ != "LogisticRegression":
        raise Unsupported(f"expected FeatureUnion + LogisticRegression, got {type(union).__name__} + {type(classifier).__name__}")
    if classifier.coef_.dtype != np.float64:
        raise Unsupported("expected a logistic regression in float64")
    return union, classifier


@dataclass
class CompiledShapes:
    """A fitted WordShapes block with one row of coefficients per logit."""

    analyzer: WordShapes
    terms: list[str]
    idf: np.ndarray
    coef: np.ndarray  # logits x terms


def compile_union(union, coef: np.ndarray):
    """What a fitted FeatureUnion learned, with `coef` (one row per logit) split along its columns:
    (blocks, each row's coefficients of the blocks' columns, the semantic block's word pieces, each
    row's share per piece, the word-shapes block). The semantic block's columns become piece shares
    and the word shapes' columns a CompiledShapes (None without the block)."""
    weights = union.transformer_weights or {}
    blocks, sparse_coef, pieces, shares, shapes, offset = [], [], None, None, None, 0
    for name, vectorizer in union.transformer_list:
        if type(vectorizer) in (SemanticBlock, WordShapes) and weights.get(name) is not None:
            raise Unsupported(f"feature block {name!r}: a transformer weight on a {type(vectorizer).__name__}")
        if type(vectorizer) is WordShapes:
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            shapes = CompiledShapes(vectorizer, terms, np.asarray(vectorizer.idf_, dtype=np.float64),
                                    coef[:, offset : offset + len(terms)].copy())
            offset += len(terms)
            continue
        if type(vectorizer) is SemanticBlock:
            width = vectorizer.vectors.shape[1]
            pieces = WordPieces(vectorizer.vocabulary)
            # One row at a time: the vector product a binary head has always used, to the last bit.
            shares = np.stack([vectorizer.piece_shares(row[offset : offset + width]) for row in coef])
            offset += width
            continue
        kind = type(vectorizer).__name__
        if kind not in ("TfidfVectorizer", "CountVectorizer") or not callable(vectorizer.analyzer):
            raise Unsupported(f"feature block {name!r}: {kind} with analyzer {vectorizer.analyzer!r}")
        tfidf = kind == "TfidfVectorizer"
        if tfidf and np.dtype(vectorizer.dtype) != np.float64:
            raise Unsupported(f"feature block {name!r}: dtype {vectorizer.dtype}")
        terms = [""] * len(vectorizer.vocabulary_)
        for term, column in vectorizer.vocabulary_.items():
            terms[column] = term
        blocks.append(
            Block(
                name,
                vectorizer.analyzer,
                terms,
                np.asarray(vectorizer.idf_, dtype=np.float64) if tfidf and vectorizer.use_idf else None,
                bool(vectorizer.binary),
                tfidf and bool(vectorizer.sublinear_tf),
                vectorizer.norm if tfidf else None,
                weights.get(name),
            )
        )
        sparse_coef.append(coef[:, offset : offset + len(terms)])
        offset += len(terms)
    if offset != coef.shape[1]:
        raise Unsupported(f"{offset} features but {coef.shape[1]} coefficients")
    return blocks, np.concatenate(sparse_coef, axis=1) if sparse_coef else coef[:, :0], pieces, shares, shapes


def _expit(decision: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-decision))


def _describe(analyzer) -> dict:
    if type(analyzer) is WordNgrams:
        return {"type": type(analyzer).__name__, "ngram_range": list(analyzer.ngram_range)}
    if type(analyzer) is FramingMarkers:
        return {"type": "FramingMarkers", "categories": analyzer.lexicon.categories}
    raise Unsupported(f"cannot save analyzer {analyzer!r}")


_LEXICONS: dict[str, Lexicon] = {}


def _analyzer(spec: dict):
    if spec["type"] == "WordNgrams":
        return WordNgrams(tuple(spec["ngram_range"]))
    if spec["type"] == "FramingMarkers":
        # Heads with the same lexicon share one (its compiled patterns and prefilter too).
        key = json.dumps(spec["categories"], sort_keys=True)
        if key not in _LEXICONS:
            _LEXICONS[key] = Lexicon(spec["categories"])
        return FramingMarkers(_LEXICONS[key])
    raise Unsupported(f"unknown analyzer {spec['type']!r}")


def _plain(value):
    """JSON for numpy scalars and other values in the training metadata."""
    return value.item() if hasattr(value, "item") else str(value)
