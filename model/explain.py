"""Which phrases of a headline pushed its score up, with character offsets and contributions.

The model's logit is the intercept plus, for every feature, its value times its coefficient. Each
feature occurrence is credited to the span of the headline that produced it (a word n-gram to its
words, a character n-gram to its word, a lexicon match to the matched phrase, a word piece to its
word), so the weights of the phrases are exact shares of the logit, not a separate approximation.

`explain` reads the occurrences the feature pass already found (sensational.scoring.Batch): which
n-gram starts at which token, which character n-grams each word has, which pieces each token has.
It only adds the tokens' character offsets. A headline whose lower-casing moves characters (U+0130,
or a capital sigma, whose lower case depends on its neighbours) may tokenise differently from its
lower-cased form, so its spans come from the analyzers' own `spans` (`phrases_by_rule`, the same
rule one headline at a time; the tests hold the two equal).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from sensational.features import WHITESPACE_WORD, WORD, _trim_punctuation

TRIM_CACHE = 200_000  # distinct words whose trimmed span is kept
_trimmed: dict[str, tuple[int, int]] = {}


def explain(batch, head: str, features, rows: list[int], top_n: int, scale: float) -> dict[int, list[dict]]:
    """{row: phrases} for each of `rows` (indices into the batch): the top `top_n` non-overlapping
    spans with a positive contribution to one head's logit. `features`: the head's (rows, columns,
    values, counts) of the batch. Weights are shares of the logit times `scale` (a calibration's
    slope keeps them exact)."""
    if not rows or top_n <= 0:
        return {}
    fp, texts = batch.feature_pass, batch.headlines
    scorer = fp.scorers[head]
    f_rows, f_columns, f_values, f_counts = features
    n = scorer.n_features
    keys = f_rows * n + f_columns  # sorted: the features come sorted by row, then column
    contributions = f_values * scorer.coef[f_columns]

    def contribution(row: int, column: int) -> float | None:
        """value * coef of a feature of a row; None if the row lacks it."""
        at = int(np.searchsorted(keys, row * n + column))
        return float(contributions[at]) if at < len(keys) and keys[at] == row * n + column else None

    chosen = np.zeros(len(texts), dtype=bool)
    chosen[rows] = True
    chosen &= batch.aligned
    offsets = _Offsets(batch, np.flatnonzero(chosen))
    chosen &= offsets.ok

    # Every occurrence as (row, start, end, weight), in the order a headline's sum adds them: word
    # n-grams (by n, then position), then character n-grams (word by word); framing matches and word
    # pieces are added per headline below. An occurrence's weight is its feature's contribution
    # divided by the feature's count in the headline.
    shares = contributions / f_counts
    parts = []
    for o_rows, o_tokens, o_sizes, o_ids in batch.word_occurrences.values():
        columns = fp.columns[head][o_ids]
        keep = (columns >= 0) & chosen[o_rows]
        o_rows, o_tokens, o_sizes, columns = o_rows[keep], o_tokens[keep], o_sizes[keep], columns[keep]
        at = np.searchsorted(keys, o_rows * n + columns)
        parts.append((o_rows, offsets.tokens[o_tokens, 0], offsets.tokens[o_tokens + o_sizes - 1, 1], shares[at]))
    for o_words, o_ids in batch.char_occurrences.values():
        columns = fp.columns[head][o_ids]
        o_rows = batch.words.rows[o_words]
        keep = (columns >= 0) & chosen[o_rows]
        o_rows, o_words, columns = o_rows[keep], o_words[keep], columns[keep]
        at = np.searchsorted(keys, o_rows * n + columns)
        parts.append((o_rows, offsets.words[o_words, 0], offsets.words[o_words, 1], shares[at]))
    if parts:
        o_rows, o_starts, o_ends, o_weights = (np.concatenate(column) for column in zip(*parts))
        order = np.argsort(o_rows, kind="stable")
        o_rows, o_starts, o_ends, o_weights = o_rows[order], o_starts[order], o_ends[order], o_weights[order]
    else:
        o_rows = o_starts = o_ends = o_weights = np.zeros(0, np.int64)
    bounds = np.searchsorted(o_rows, np.arange(len(texts) + 1)).tolist()
    o_starts, o_ends, o_weights = o_starts.tolist(), o_ends.tolist(), o_weights.tolist()
    pieces = _piece_shares(batch, scorer, offsets, chosen)

    framing = [(block, index) for block, index in zip(scorer.blocks, scorer.indexes) if block.name == "framing"]
    with_framing = np.zeros(len(texts), dtype=bool)
    if framing:
        with_framing[f_rows[np.isin(f_columns, [c for _, index in framing for c in index.values()])]] = True

    out = {}
    for i in rows:
        if not chosen[i]:
            out[i] = phrases_by_rule(texts[i], scorer, lambda column, i=i: contribution(i, column), top_n, scale)
            continue
        weights: dict[tuple[int, int], float] = {}
        categories: dict[tuple[int, int], str] = {}
        a, b = bounds[i], bounds[i + 1]
        for start, end, weight in zip(o_starts[a:b], o_ends[a:b], o_weights[a:b]):
            weights[start, end] = weights.get((start, end), 0.0) + weight
        if with_framing[i]:
            for block, index in framing:
                _credit(block.analyzer.spans(texts[i]), index, lambda column, i=i: contribution(i, column), weights, categories, True)
        for start, end, weight in pieces.get(i, ()):
            weights[start, end] = weights.get((start, end), 0.0) + weight
        out[i] = _top(texts[i], weights, categories, top_n, scale)
    return out


def phrases_by_rule(headline: str, scorer, contribution, top_n: int, scale: float) -> list[dict]:
    """The rule `explain` computes in bulk, one headline at a time: every block's `spans`, each
    occurrence credited its feature's contribution (`contribution(column)`: value * coef in this
    headline's row, None if absent) divided by the feature's occurrences, then the word pieces."""
    weights: dict[tuple[int, int], float] = {}
    categories: dict[tuple[int, int], str] = {}
    for block, index in zip(scorer.blocks, scorer.indexes):
        _credit(block.analyzer.spans(headline), index, contribution, weights, categories, block.name == "framing")
    if scorer.semantic is not None:
        for start, end, weight in scorer.semantic.word_shares(headline):
            weights[start, end] = weights.get((start, end), 0.0) + weight
    return _top(headline, weights, categories, top_n, scale)


class _Offsets:
    """Character offsets of the tokens and whitespace words of chosen rows of a batch, indexed like
    the batch's flat tokens and words. `ok` is False for a row whose tokens do not line up (it then
    takes the general rule)."""

    def __init__(self, batch, rows):
        texts = batch.headlines
        self.ok = np.ones(len(texts), dtype=bool)
        self.tokens = np.zeros((len(batch.tokens.flat) if batch.tokens else 0, 2), np.int64)
        self.words = np.zeros((len(batch.words.flat) if batch.words else 0, 2), np.int64)
        for i in rows.tolist():
            text = texts[i]
            if batch.tokens is not None:
                spans = [m.span() for m in WORD.finditer(text)]
                a, b = batch.tokens.starts[i], batch.tokens.ends[i]
                if len(spans) != b - a:
                    self.ok[i] = False
                    continue
                if spans:
                    self.tokens[a:b] = spans
            if batch.words is not None:
                spans = []
                for match in WHITESPACE_WORD.finditer(text):
                    trimmed = _trimmed.get(match.group())
                    if trimmed is None:
                        if len(_trimmed) >= TRIM_CACHE:
                            _trimmed.clear()
                        trimmed = _trimmed[match.group()] = _trim_punctuation(match.group(), 0, len(match.group()))
                    spans.append((match.start() + trimmed[0], match.start() + trimmed[1]))
                a, b = batch.words.starts[i], batch.words.ends[i]
                if len(spans) != b - a:
                    self.ok[i] = False
                    continue
                if spans:
                    self.words[a:b] = spans


def _piece_shares(batch, scorer, offsets: _Offsets, chosen) -> dict[int, list[tuple[int, int, float]]]:
    """{row: [(start, end, share)]}: each word's pieces' share of the semantic block's logit."""
    semantic = scorer.semantic
    if semantic is None:
        return {}
    tokens, ids = batch.pieces[id(semantic.pieces.vocabulary)]
    split = batch.pieces_of
    rows = split.rows[tokens]
    keep = chosen[rows]
    tokens, ids, rows = tokens[keep], ids[keep], rows[keep]
    # A token of the original text is the lower-cased token at the same place in a row that lines up.
    places = tokens - split.starts[rows] + batch.tokens.starts[rows]
    sums = np.bincount(tokens, semantic.shares[ids], minlength=len(split.flat))
    totals = np.bincount(rows, minlength=len(batch.headlines))
    out: dict[int, list] = {}
    first = np.flatnonzero(np.concatenate(([True], tokens[1:] != tokens[:-1]))) if len(tokens) else tokens
    for token, row, place in zip(tokens[first].tolist(), rows[first].tolist(), places[first].tolist()):
        start, end = offsets.tokens[place]
        out.setdefault(row, []).append((int(start), int(end), float(sums[token]) / int(totals[row])))
    return out


def _credit(spans, index: dict, contribution, weights: dict, categories: dict, framing: bool) -> None:
    """Add each (feature, start, end) occurrence's share of its feature's contribution to its span."""
    spans = list(spans)
    occurrences = Counter(feature for feature, _, _ in spans)
    for feature, start, end in spans:
        column = index.get(feature)
        value = None if column is None else contribution(column)
        if value is None:
            continue
        weights[start, end] = weights.get((start, end), 0.0) + value / occurrences[feature]
        if framing:
            categories[start, end] = feature.removeprefix("lexicon:")


def _top(headline: str, weights: dict, categories: dict, top_n: int, scale: float) -> list[dict]:
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
