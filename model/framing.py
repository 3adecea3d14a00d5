"""Framing-type shares: which kind of sensational framing a headline uses (alarm, gloating, ...).

The model is a multinomial logistic regression over the product head's own feature columns, fitted by
`sensational.fitting.fit_framing` on the head's train rows that carry framing-type tags. Each type k has
a logit: intercept_k + sum over the head's features of value * coef_k (+ the mean of its word pieces'
shares); the shares are the softmax of those K logits. So every share is explained the way a head's
score is, by exact per-feature (and so per-phrase) contributions to each type's logit (`view`).

Compiled here so that predict reads the feature values the head already computed for the batch (no
second tokenisation, no scikit-learn), and saved as plain arrays like a head's scoring form: only the
columns some type uses (a column the fit never saw nonzero keeps a zero coefficient under L2).
"""

from __future__ import annotations

import json

import numpy as np

from sensational.fast import FastScorer, Semantic, Shapes, Unsupported, compile_union, fitted_steps

FORMAT = 2  # 2: word-shape coefficients


class FramingScorer:
    """K coefficient vectors over the columns of one head's compiled form (`head`)."""

    def __init__(self, head: str, types: list[str], coef: np.ndarray, intercepts: np.ndarray, shares: np.ndarray | None,
                 shape_coef: np.ndarray | None = None):
        self.head = head
        self.types = list(types)
        self.coef = np.asarray(coef, dtype=np.float64)  # types x the head's columns
        self.intercepts = np.asarray(intercepts, dtype=np.float64)
        self.shares = shares  # types x word pieces, or None when the head has no semantic block
        self.shape_coef = shape_coef  # types x the head's word-shape terms, or None when it has no such block
        self.names = [f"{head}:{name}" for name in self.types]  # each type's logit in the feature pass
        if len(self.types) < 2 or self.coef.shape[0] != len(self.types) or len(self.intercepts) != len(self.types):
            raise Unsupported(f"{len(self.types)} framing types, {self.coef.shape[0]} coefficient rows")

    def check(self, scorer: FastScorer) -> None:
        """Unsupported unless `scorer` (the head's compiled form) has the columns these coefficients index."""
        if (self.coef.shape[1] != scorer.n_features or (self.shares is None) != (scorer.semantic is None)
                or (self.shape_coef is None) != (scorer.shapes is None)):
            raise Unsupported(f"framing model over {self.coef.shape[1]} features; head {self.head!r} has {scorer.n_features}")
        if self.shape_coef is not None and self.shape_coef.shape[1] != len(scorer.shapes.terms):
            raise Unsupported(f"framing model over {self.shape_coef.shape[1]} word-shape terms; head {self.head!r} has {len(scorer.shapes.terms)}")
        if self.shares is not None and self.shares.shape[1] != len(scorer.semantic.shares):
            raise Unsupported(f"framing model over {self.shares.shape[1]} word pieces; head {self.head!r} has a different vocabulary")

    @classmethod
    def from_pipeline(cls, pipeline, head: str, scorer: FastScorer) -> "FramingScorer":
        """From the fitted framing pipeline (the head's FeatureUnion + a multinomial logistic
        regression) and the head's compiled form, whose columns it must share."""
        union, classifier = fitted_steps(pipeline)
        coef, intercepts = classifier.coef_, classifier.intercept_
        if len(classifier.classes_) == 2:  # scikit-learn's binary form: softmax([0, z]) = [1 - expit(z), expit(z)]
            coef, intercepts = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercepts])
        blocks, sparse, pieces, shares, shapes = compile_union(union, coef)
        if [list(b.terms) for b in blocks] != [list(b.terms) for b in scorer.blocks] or (
                shapes is not None and (scorer.shapes is None or shapes.terms != list(scorer.shapes.terms))):
            raise Unsupported(f"the framing model does not read head {head!r}'s features")
        framing = cls(head, [str(c) for c in classifier.classes_], sparse, intercepts, shares,
                      shapes.coef if shapes is not None else None)
        framing.check(scorer)
        return framing

    # -- scoring -----------------------------------------------------------------------------------

    def logits(self, batch, features) -> np.ndarray:
        """(headlines x types) logits of a batch the feature pass has read; `features`: the head's
        (rows, columns, values) of that batch, the sums made as a head makes its own logit. The
        blocks scored per word (shapes, pieces) come from the pass, where each type is a scorer
        (`views`)."""
        rows, columns, values = features
        size = len(batch.headlines)
        logits = np.empty((size, len(self.types)))
        for k, name in enumerate(self.names):
            logits[:, k] = np.bincount(rows, values * self.coef[k, columns], minlength=size) + self.intercepts[k]
            logits[:, k] += batch.dense_logits(name)
        return logits

    def shares_of(self, batch, features) -> np.ndarray:
        """(headlines x types) shares, each row summing to 1: the softmax of `logits`."""
        return softmax(self.logits(batch, features))

    def views(self, scorer: FastScorer) -> dict[str, FastScorer]:
        """{name: each type's logit as a compiled scorer over `scorer`'s (the head's) blocks}: the
        feature pass reads their word shapes and pieces with the head's (same vocabularies, so the
        same lookups), and sensational.explain finds their phrases as a head's."""
        return {
            name: FastScorer(
                scorer.blocks, self.coef[k], self.intercepts[k],
                Semantic(scorer.semantic.pieces, self.shares[k]) if self.shares is not None else None,
                Shapes(scorer.shapes.analyzer, scorer.shapes.terms, scorer.shapes.idf, self.shape_coef[k])
                if self.shape_coef is not None else None)
            for k, name in enumerate(self.names)
        }

    # -- saving and loading ------------------------------------------------------------------------

    def save(self, path, metadata: dict) -> None:
        used = np.flatnonzero((self.coef != 0).any(axis=0))
        arrays = {"columns": used.astype(np.int32), "coef": self.coef[:, used], "intercepts": self.intercepts}
        if self.shares is not None:
            arrays["shares"] = self.shares
        if self.shape_coef is not None:
            arrays["shape_coef"] = self.shape_coef
        meta = {"format": FORMAT, "head": self.head, "types": self.types, "n_features": int(self.coef.shape[1]),
                "metadata": metadata}
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        np.savez(path, **arrays)

    @classmethod
    def load(cls, path) -> "FramingScorer":
        with np.load(path, allow_pickle=False) as arrays:
            meta = json.loads(arrays["meta"].tobytes())
            if meta.get("format") != FORMAT:
                raise Unsupported(f"framing file format {meta.get('format')}, expected {FORMAT}")
            coef = np.zeros((len(meta["types"]), meta["n_features"]))
            coef[:, arrays["columns"]] = arrays["coef"]
            shares = arrays["shares"] if "shares" in arrays.files else None
            shape_coef = arrays["shape_coef"] if "shape_coef" in arrays.files else None
            return cls(meta["head"], meta["types"], coef, arrays["intercepts"], shares, shape_coef)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise, as scikit-learn's predict_proba computes it (the row's maximum subtracted first)."""
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)
