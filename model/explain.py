"""Which phrases of a headline pushed its score up, with character offsets and contributions.

The model's logit is the intercept plus, for every feature, its value times its coefficient. Each
feature occurrence is credited to the span of the headline that produced it (a word n-gram to its
words, a character n-gram to its word, a lexicon match to the matched phrase), so the weights of the
phrases are exact shares of the logit, not a separate approximation.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np


class Explainer:
    def __init__(self, pipeline=None, blocks=None, coefficients=None):
        """From a fitted pipeline, or from blocks [(name, analyzer, vocabulary, column offset)]."""
        if pipeline is not None:
            union = pipeline.named_steps["features"]
            coefficients = pipeline.named_steps["classifier"].coef_[0]
            blocks, offset = [], 0
            for name, vectorizer in union.transformer_list:
                blocks.append((name, vectorizer.analyzer, vectorizer.vocabulary_, offset))
                offset += len(vectorizer.vocabulary_)
        self.coefficients = coefficients
        self.blocks = blocks

    @classmethod
    def from_scorer(cls, scorer) -> "Explainer":
        """From a sensational.fast.FastScorer, whose vocabularies map terms to global columns."""
        blocks = [(b.name, b.analyzer, index, 0) for b, index in zip(scorer.blocks, scorer.indexes)]
        return cls(blocks=blocks, coefficients=scorer.coef)

    def phrases(self, headline: str, row, top_n: int) -> list[dict]:
        """Top `top_n` non-overlapping spans with a positive contribution; `row` is the feature row."""
        values = dict(zip(row.indices.tolist(), row.data.tolist()))
        weights: dict[tuple[int, int], float] = defaultdict(float)
        categories: dict[tuple[int, int], str] = {}
        for name, analyzer, vocabulary, offset in self.blocks:
            spans = list(analyzer.spans(headline))
            occurrences = Counter(feature for feature, _, _ in spans)
            for feature, start, end in spans:
                index = vocabulary.get(feature)
                if index is None or offset + index not in values:
                    continue
                column = offset + index
                weights[start, end] += values[column] * self.coefficients[column] / occurrences[feature]
                if name == "framing":
                    categories[start, end] = feature.removeprefix("lexicon:")
        # A framing match is reported as a whole: it absorbs the n-grams inside it.
        for start, end in categories:
            if (start, end) not in weights:  # already absorbed by a longer match
                continue
            for inner in [key for key in weights if key != (start, end) and start <= key[0] and key[1] <= end]:
                weights[start, end] += weights.pop(inner)
        chosen: list[tuple[int, int]] = []
        for key in sorted(weights, key=lambda k: (-weights[k], k)):
            if len(chosen) == top_n or weights[key] <= 0:
                break
            if all(key[1] <= c[0] or c[1] <= key[0] for c in chosen):
                chosen.append(key)
        return [
            {
                "text": headline[start:end],
                "start": start,
                "end": end,
                "weight": round(float(weights[start, end]), 4),
                "category": categories.get((start, end)),
            }
            for start, end in chosen
        ]
