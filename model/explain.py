"""Which phrases of a headline pushed its score up, with character offsets and contributions.

The model's logit is the intercept plus, for every feature, its value times its coefficient. Each
feature occurrence is credited to the span of the headline that produced it (a word n-gram to its
words, a word's spelling (its character n-grams) and its word pieces to the word, a lexicon match to
the matched phrase), so the weights of the phrases are exact shares of the logit, not a separate approximation.

`explain` reads the occurrences the feature pass already found (sensational.scoring.Batch): which
n-gram starts at which token, each word's shape share, which pieces each token has.
It only adds the tokens' character offsets. A headline whose lower-casing moves characters (U+0130,
or a capital sigma, whose lower case depends on its neighbours) may tokenise differently from its
lower-cased form, so its spans come from the analyzers' own `spans` (`phrases_by_rule`, the same
rule one headline at a time; the tests hold the two equal).
"""

from __future__ import annotations

from collections import Counter
from itertools import chain

import numpy as np

from sensational.features import WHITESPACE_WORD


def explain(batch, head: str, features, rows: list[int], top_n: int, scale: float) -> dict[int, list[dict]]:
    """{row: phrases} for each of `rows` (indices into the batch): the top `top_n` non-overlapping
    spans with a positive contribution to one head's logit, each naming `head`. `features`: the head's (rows, columns,
    values, counts) of the batch. Weights are shares of the logit times `scale` (a calibration's
    slope keeps them exact). `head` may be any scorer of the feature pass that reads a head's columns
    (a framing type's logit, sensational.framing.FramingScorer.views) with that head's `features`."""
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
    if batch.offsets is None:  # shared by the heads that explain this batch
        batch.offsets = _Offsets(batch)
    offsets = batch.offsets

    framing = [(block, scorer.index(number)) for number, block in enumerate(scorer.blocks) if block.name == "framing"]
    with_framing = np.zeros(len(texts), dtype=bool)
    framing_contributions = {}  # (row, column) -> value * coef of each framing feature
    if framing:
        marked = scorer.framing_columns[f_columns]
        with_framing[f_rows[marked]] = True
        framing_contributions = dict(zip(zip(f_rows[marked].tolist(), f_columns[marked].tolist()), contributions[marked].tolist()))
    # The markers each headline has: their matches are the only spans its explanation needs.
    names = {column: feature for _, index in framing for feature, column in index.items()}
    present: dict[int, set[str]] = {}
    for row, column in framing_contributions:
        present.setdefault(row, set()).add(names[column])

    # Every occurrence as (row, start, end, weight), in the order a headline's sum adds them: word
    # n-grams (by n, then position), word shapes, then word pieces; a framing match goes between the
    # last two, so headlines with one add their pieces per headline below.
    # An occurrence's weight is its feature's contribution divided by its count in the headline.
    shares = contributions / f_counts
    parts = []
    for o_rows, o_tokens, o_sizes, o_ids in batch.word_occurrences.values():
        columns = fp.columns[head][o_ids]
        keep = (columns >= 0) & chosen[o_rows]
        o_rows, o_tokens, o_sizes, columns = o_rows[keep], o_tokens[keep], o_sizes[keep], columns[keep]
        at = np.searchsorted(keys, o_rows * n + columns)
        parts.append((o_rows, offsets.tokens[o_tokens, 0], offsets.tokens[o_tokens + o_sizes - 1, 1], shares[at]))
    shapes = batch.word_shapes(head)
    if shapes is not None:
        keep = chosen[batch.words.rows]
        parts.append((batch.words.rows[keep], offsets.words[keep, 0], offsets.words[keep, 1], shapes[keep]))
    pieces = _piece_shares(batch, head, offsets, chosen)
    if pieces is not None:
        keep = ~with_framing[pieces[0]]
        parts.append(tuple(column[keep] for column in pieces))
    empty = np.zeros(0, np.int64)
    o_rows, o_starts, o_ends, o_weights = (np.concatenate(column) for column in zip(*parts)) if parts else (empty,) * 4
    order = np.argsort(o_rows, kind="stable")
    o_rows, o_starts, o_ends, o_weights = o_rows[order], o_starts[order], o_ends[order], o_weights[order]
    # One sum per span: bincount adds in element order, as the per-headline dict does (0.0 + w1 + w2 ...).
    width = len(max(texts, key=len)) + 1
    span_keys = (o_rows * width + o_starts) * width + o_ends
    unique, first, group = np.unique(span_keys, return_index=True, return_inverse=True)
    sums = np.bincount(group.reshape(-1), o_weights, minlength=len(unique))
    order = np.argsort(first, kind="stable")  # each row's spans in the order they first appear
    g_rows, g_starts, g_ends, g_sums = o_rows[first][order], o_starts[first][order], o_ends[first][order], sums[order]

    out = {}
    # Headlines without a framing match: the positive spans by weight (then position), chosen greedily.
    plain = (g_sums > 0) & ~with_framing[g_rows]
    ranked = np.lexsort((g_ends[plain], g_starts[plain], -g_sums[plain], g_rows[plain]))
    r_rows, r_starts, r_ends, r_sums = (a[plain][ranked] for a in (g_rows, g_starts, g_ends, g_sums))
    bounds = np.searchsorted(r_rows, np.arange(len(texts) + 1)).tolist()
    r_starts, r_ends, r_sums = r_starts.tolist(), r_ends.tolist(), r_sums.tolist()
    for i in np.flatnonzero(chosen & ~with_framing).tolist():
        picked, taken = [], bytearray(len(texts[i]))  # taken: the characters of the spans picked so far
        for start, end, weight in zip(r_starts[bounds[i] : bounds[i + 1]], r_ends[bounds[i] : bounds[i + 1]],
                                      r_sums[bounds[i] : bounds[i + 1]]):
            if 1 not in taken[start:end]:
                taken[start:end] = b"\x01" * (end - start)
                picked.append(_phrase(texts[i], start, end, weight, None, scale, head))
                if len(picked) == top_n:
                    break
        out[i] = picked

    # Headlines with a framing match, one dict each: a match absorbs the spans inside it.
    bounds = np.searchsorted(g_rows, np.arange(len(texts) + 1)).tolist()
    g_starts, g_ends, g_sums = g_starts.tolist(), g_ends.tolist(), g_sums.tolist()
    extra = _piece_lists(pieces, chosen & with_framing, len(texts))
    for i in np.flatnonzero(chosen & with_framing).tolist():
        a, b = bounds[i], bounds[i + 1]
        weights = dict(zip(zip(g_starts[a:b], g_ends[a:b]), g_sums[a:b]))
        categories: dict[tuple[int, int], str] = {}
        for block, index in framing:
            _credit(block.analyzer.lexicon.matches(texts[i], present[i]), index,
                    lambda column, i=i: framing_contributions.get((i, column)), weights, categories, True)
        _add_shares(extra(i), weights)
        out[i] = _top(texts[i], weights, categories, top_n, scale, head)

    for i in rows:  # the rest: their lower case moves characters
        if i not in out:
            out[i] = phrases_by_rule(texts[i], scorer, lambda column, i=i: contribution(i, column), top_n, scale, head)
    return out


def phrases_by_rule(headline: str, scorer, contribution, top_n: int, scale: float, head: str) -> list[dict]:
    """The rule `explain` computes in bulk, one headline at a time: every block's `spans`, each
    occurrence credited its feature's contribution (`contribution(column)`: value * coef in this
    headline's row, None if absent) divided by the feature's occurrences; each word's shape share
    (before the framing matches, as the bulk sum adds them), then the word pieces."""
    return _top(headline, *span_weights(headline, scorer, contribution), top_n, scale, head)


def span_weights(headline: str, scorer, contribution) -> tuple[dict, dict]:
    """({(start, end): weight} of every span of the headline, {(start, end): lexicon category}) by
    the rule of `phrases_by_rule`: the weights sum to the logit less its intercept."""
    weights: dict[tuple[int, int], float] = {}
    categories: dict[tuple[int, int], str] = {}
    blocks = list(zip(scorer.blocks, scorer.indexes))
    for block, index in blocks:
        if block.name != "framing":
            _credit(block.analyzer.spans(headline), index, contribution, weights, categories, False)
    if scorer.shapes is not None:
        _add_shares(scorer.shapes.word_shares(headline), weights)
    for block, index in blocks:
        if block.name == "framing":
            _credit(block.analyzer.spans(headline), index, contribution, weights, categories, True)
    if scorer.semantic is not None:
        _add_shares(scorer.semantic.word_shares(headline), weights)
    return weights, categories


def _add_shares(shares, weights: dict) -> None:
    for start, end, weight in shares:
        weights[start, end] = weights.get((start, end), 0.0) + weight


class _Offsets:
    """Character offsets of a batch's tokens and white-space words, indexed like its flat tokens and
    words, for the rows that line up (`batch.aligned`: there the lower-cased words sit where the
    headline's do). Found without a Python loop: splitting at the words gives the gaps between them,
    and a running sum of gap and word lengths gives each word's start; a token's place in its word is
    a fact of the word."""

    def __init__(self, batch):
        self.tokens = self.words = np.zeros((0, 2), np.int64)
        if batch.words is None:
            return
        fp = batch.feature_pass
        starts = _starts(batch.words, list(map(WHITESPACE_WORD.split, batch.lowered)))[:, None]
        # A word is credited with its surrounding punctuation trimmed.
        self.words = starts + fp.trimmed.gather(batch.words.flat).facts[:].T.astype(np.int64)
        if batch.tokens is not None:
            span = fp.token_row["span"]
            self.tokens = starts[batch.token_word] + batch.token_facts[span : span + 2].T.astype(np.int64)


def _starts(split, gaps: list[list[str]]) -> np.ndarray:
    """The start of each item of `split` in its row, from the text between items (re.split of each row)."""
    counts = split.ends - split.starts
    sizes = np.zeros(len(split.flat) * 2 + len(counts), np.int64)  # per row: gap, token, gap, ..., gap
    row_first = split.starts * 2 + np.arange(len(counts))
    token_at = np.arange(len(split.flat)) * 2 + 1 + np.repeat(np.arange(len(counts)), counts)
    sizes[token_at] = np.fromiter(map(len, split.flat), np.int64, len(split.flat))
    gap = np.ones(len(sizes), dtype=bool)
    gap[token_at] = False
    sizes[gap] = np.fromiter(map(len, chain.from_iterable(gaps)), np.int64, len(sizes) - len(token_at))
    before = np.cumsum(sizes) - sizes
    return before[token_at] - before[row_first][np.repeat(np.arange(len(counts)), counts)]


def _piece_shares(batch, head: str, offsets: _Offsets, chosen):
    """(row, start, end, share) of each token with pieces in the chosen rows: its pieces' share of the
    semantic block's logit (their sum over the headline's piece count); None without the block."""
    fp = batch.feature_pass
    if fp.scorers[head].semantic is None:
        return None
    row = fp.piece_row[head]
    sums, counts = batch.token_facts[row], batch.token_facts[row + 1]
    totals = np.bincount(batch.tokens.rows, counts, minlength=len(batch.headlines))
    # In a row that lines up, the headline's tokens are its lower-cased tokens.
    tokens = np.flatnonzero((counts > 0) & chosen[batch.tokens.rows])
    rows = batch.tokens.rows[tokens]
    return rows, offsets.tokens[tokens, 0], offsets.tokens[tokens, 1], sums[tokens] / totals[rows]


def _piece_lists(pieces, rows, size: int):
    """A function giving each row's (start, end, share) of its word pieces; `pieces` come sorted by row."""
    if pieces is None:
        return lambda row: ()
    keep = rows[pieces[0]]
    row_of, starts, ends, shares = (column[keep] for column in pieces)
    bounds = np.searchsorted(row_of, np.arange(size + 1)).tolist()
    starts, ends, shares = starts.tolist(), ends.tolist(), shares.tolist()
    return lambda row: zip(starts[bounds[row] : bounds[row + 1]], ends[bounds[row] : bounds[row + 1]],
                           shares[bounds[row] : bounds[row + 1]])


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


def _top(headline: str, weights: dict, categories: dict, top_n: int, scale: float, head: str) -> list[dict]:
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
    return [_phrase(headline, start, end, weights[start, end], categories.get((start, end)), scale, head) for start, end in chosen]


def _phrase(headline: str, start: int, end: int, weight: float, category: str | None, scale: float, head: str) -> dict:
    return {"text": headline[start:end], "start": start, "end": end, "weight": round(weight * scale, 4), "category": category,
            "head": head}
