"""Which phrases of a headline pushed its score up, with character offsets and contributions.

The model's logit is the intercept plus, for every feature, its value times its coefficient. Each
feature occurrence is credited to the span of the headline that produced it (a word n-gram to its
words, a character n-gram to its word, a lexicon match to the matched phrase), so the weights of the
phrases are exact shares of the logit, not a separate approximation.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from sensational.features import WHITESPACE_WORD, CharNgrams, _trim_punctuation
from sensational.semantic import SemanticBlock, WordPieces

WORD_CACHE = 200_000  # distinct words whose character n-gram columns are kept


class Explainer:
    def __init__(self, pipeline=None, blocks=None, coefficients=None, semantic=None):
        """From a fitted pipeline, or from blocks [(name, analyzer, vocabulary, column offset)] and
        an optional compiled semantic block (sensational.fast.Semantic)."""
        if pipeline is not None:
            from sensational.fast import Semantic

            union = pipeline.named_steps["features"]
            coefficients = pipeline.named_steps["classifier"].coef_[0]
            blocks, offset = [], 0
            for name, vectorizer in union.transformer_list:
                if type(vectorizer) is SemanticBlock:
                    width = vectorizer.vectors.shape[1]
                    shares = vectorizer.piece_shares(coefficients[offset : offset + width])
                    semantic = Semantic(WordPieces(vectorizer.vocabulary), shares)
                    offset += width
                    continue
                blocks.append((name, vectorizer.analyzer, vectorizer.vocabulary_, offset))
                offset += len(vectorizer.vocabulary_)
        self.coefficients = coefficients
        self.blocks = blocks
        self.semantic = semantic
        self._coefficients = np.asarray(coefficients).tolist()  # the same products, faster to index
        self._words: dict[tuple[str, str], tuple[int, int, list[int]]] = {}

    @classmethod
    def from_scorer(cls, scorer) -> "Explainer":
        """From a sensational.fast.FastScorer, whose vocabularies map terms to global columns."""
        blocks = [(b.name, b.analyzer, index, 0) for b, index in zip(scorer.blocks, scorer.indexes)]
        return cls(blocks=blocks, coefficients=scorer.coef, semantic=scorer.semantic)

    def phrases(self, headline: str, row, top_n: int, scale: float = 1.0) -> list[dict]:
        """Top `top_n` non-overlapping spans with a positive contribution; `row` is the feature row.
        Weights are shares of the logit times `scale` (a calibration's slope keeps them exact)."""
        values = dict(zip(row.indices.tolist(), row.data.tolist()))
        weights: dict[tuple[int, int], float] = defaultdict(float)
        categories: dict[tuple[int, int], str] = {}
        coefficients = self._coefficients
        for name, analyzer, vocabulary, offset in self.blocks:
            if type(analyzer) is CharNgrams:
                self._add_word_pieces(headline, row, name, analyzer, vocabulary, offset, values, weights)
                continue
            spans = list(analyzer.spans(headline))
            occurrences = Counter(feature for feature, _, _ in spans)
            for feature, start, end in spans:
                index = vocabulary.get(feature)
                if index is None or offset + index not in values:
                    continue
                column = offset + index
                weights[start, end] += values[column] * coefficients[column] / occurrences[feature]
                if name == "framing":
                    categories[start, end] = feature.removeprefix("lexicon:")
        if self.semantic is not None:
            for start, end, share in self.semantic.word_shares(headline):
                weights[start, end] += share
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
                "weight": round(float(weights[start, end]) * scale, 4),
                "category": categories.get((start, end)),
            }
            for start, end in chosen
        ]

    def _add_word_pieces(self, headline, row, name, analyzer, vocabulary, offset, values, weights) -> None:
        """CharNgrams' spans, credited as the general loop does, with each distinct word's trimmed span
        and n-gram columns computed once: a character n-gram never crosses a word."""
        words, occurrences = [], Counter()
        shares = getattr(row, "shares", None)  # value * coefficient / occurrences, from sensational.fast
        if shares is not None:
            shares = dict(zip(row.indices.tolist(), shares.tolist()))
        for match in WHITESPACE_WORD.finditer(headline):
            known = self._words.get((name, match.group()))
            if known is None:
                if len(self._words) >= WORD_CACHE:
                    self._words.clear()
                start, end = _trim_punctuation(match.group(), 0, len(match.group()))
                grams = map(vocabulary.get, analyzer._grams(match.group().lower()))
                known = self._words[name, match.group()] = (start, end, [offset + i for i in grams if i is not None])
            words.append((match.start(), known))
            if shares is None:
                occurrences.update(known[2])
        complete = shares is not None  # sensational.fast's rows hold every n-gram the headline has
        if not complete:
            coefficients = self._coefficients
            shares = {c: values[c] * coefficients[c] / occurrences[c] for c in occurrences if c in values}
        for position, (start, end, columns) in words:
            if not complete:
                columns = [column for column in columns if column in shares]
            if not columns:
                continue
            key = (position + start, position + end)
            weight = weights[key]
            for column in columns:
                weight += shares[column]
            weights[key] = weight
