"""One feature pass per batch for every head of a model, then one sparse product per head.

The heads of a model read the same kinds of features (word n-grams, character n-grams, lexicon
markers, word pieces); only their vocabularies and coefficients differ. So a batch is read once:

1. each headline is lower-cased and split into tokens once (C-level `map`s, no per-row bytecode);
2. each distinct word is looked up once and cached (`Pool`): its character n-grams and its word
   pieces, as ids in the *union* of all heads' vocabularies;
3. word n-grams are numbers, not strings: a token's id in the union word table, and an n-gram's key
   is its token ids in base W, found with one `searchsorted` per n over the batch;
4. the lexicon runs once for all heads (`Lexicon.features_of`): numpy rules out, for the whole
   batch, the headlines without a phrase's first word followed by its second, and only the rest
   are matched;
5. the (row, union id) pairs are sorted and counted once; each head maps union ids to its columns
   and computes TF-IDF values and logits from them (`FastScorer.decisions_from`).

Union ids follow each block's sorted term order, and scikit-learn's vocabulary columns are sorted
terms too, so a head's features come out in scikit-learn's column order and its sums are computed
in scikit-learn's order: the scores are the pipeline's to the last bit or close to it (tested).
"""

from __future__ import annotations

import json
from itertools import chain, repeat

import numpy as np

from sensational.fast import BATCH, FastScorer, Semantic, Unsupported, _describe
from sensational.features import WORD, CharNgrams, FramingMarkers, WordNgrams

WORD_CACHE = 200_000  # distinct words whose ids a Pool keeps before it starts again


class Pool:
    """Ids of a word (its character n-grams, its word pieces), computed once per distinct word and
    gathered for a whole batch with numpy instead of a Python loop per word."""

    def __init__(self, compute=None, compute_many=None):
        # compute: word -> list of ids; or compute_many: words -> (all their ids, how many each has)
        self.compute_many = compute_many or (lambda words: _each(compute, words))
        self.clear()

    def clear(self) -> None:
        self.slots: dict[str, int] = {}
        # Per slot: where its ids start in `ids`, and how many it has; numpy arrays grown by doubling,
        # with the used part `[:size]` (Python lists of ints would take four times the memory).
        self.starts = np.zeros(1024, np.int64)
        self.lengths = np.zeros(1024, np.int64)
        self.ids = np.zeros(16384, np.int32)
        self.used = self.filled = 0  # slots used, ids filled

    def _add(self, words) -> None:
        if len(self.slots) + len(words) > WORD_CACHE:
            self.clear()  # bounded memory over an endless stream; the batch's words are added below
        words = list(words)
        ids, lengths = self.compute_many(words)
        self.starts = _room(self.starts, self.used + len(words))
        self.lengths = _room(self.lengths, self.used + len(words))
        self.ids = _room(self.ids, self.filled + len(ids))
        self.starts[self.used : self.used + len(words)] = self.filled + np.cumsum(lengths) - lengths
        self.lengths[self.used : self.used + len(words)] = lengths
        self.ids[self.filled : self.filled + len(ids)] = ids
        self.slots.update(zip(words, range(self.used, self.used + len(words))))
        self.used += len(words)
        self.filled += len(ids)

    def gather(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(ids of all `words` concatenated in order, number of ids of each word)."""
        slots = np.fromiter(map(self.slots.get, words, repeat(-1)), np.int64, len(words))
        if len(slots) and slots.min() < 0:
            self._add(set(words).difference(self.slots))
            slots = np.fromiter(map(self.slots.__getitem__, words), np.int64, len(words))
        lengths = self.lengths[slots]
        return self.ids[ranges(self.starts[slots], lengths)].astype(np.int64), lengths


def _room(array: np.ndarray, size: int) -> np.ndarray:
    """`array`, or a copy at least twice as long when `size` items would not fit."""
    if size <= len(array):
        return array
    grown = np.zeros(max(size, 2 * len(array)), array.dtype)
    grown[: len(array)] = array
    return grown


def _each(compute, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    found = [compute(word) for word in words]
    return (np.fromiter(chain.from_iterable(found), np.int64),
            np.fromiter(map(len, found), np.int64, len(found)))


def _char_ngrams(analyzer: CharNgrams, ids: dict):
    """compute_many for a Pool of character n-gram ids: all new words' n-grams in one list, looked
    up with one C-level map. The n-grams are CharNgrams._grams', in its order."""
    low, high = analyzer.ngram_range
    get = ids.get

    def compute_many(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        padded = [f" {word} " for word in words]
        grams = [p[i : i + n] for p in padded for n in range(low, high + 1) for i in range(max(1, len(p) - n + 1))]
        sizes = np.fromiter(map(len, padded), np.int64, len(padded))
        per_word = sum(np.maximum(1, sizes - n + 1) for n in range(low, high + 1))
        found = np.fromiter(map(get, grams, repeat(-1)), np.int64, len(grams))
        known = found >= 0
        word_of = np.repeat(np.arange(len(words)), per_word)
        return found[known], np.bincount(word_of[known], minlength=len(words))

    return compute_many


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices start, start+1, ..., start+length-1 of every (start, length), concatenated."""
    total = int(lengths.sum())
    ends = np.cumsum(lengths)
    return np.arange(total) + np.repeat(starts - (ends - lengths), lengths)


class _Group:
    """The features of one analyzer that several heads share: their union vocabulary, each term's id
    (in sorted term order), and which column each head gives it."""

    def __init__(self, analyzer, offset: int):
        self.analyzer = analyzer
        self.offset = offset
        self.terms: list[str] = []
        self.members: list[tuple[str, list[str], int]] = []  # (head, its terms in column order, first column)
        self.binary = True  # every head counts these features as present/absent

    def finish(self) -> None:
        # Each head's terms come sorted (scikit-learn sorts its vocabulary), so sorting them together
        # is a merge; every step here runs in C, which keeps loading fast.
        self.terms = list(dict.fromkeys(sorted(chain.from_iterable(terms for _, terms, _ in self.members))))
        self.ids = dict(zip(self.terms, range(self.offset, self.offset + len(self.terms))))
        # The union id of each head's terms, in the order of the head's index.
        self.positions = [np.fromiter(map(self.ids.__getitem__, terms), np.int64, len(terms)) for _, terms, _ in self.members]


class FeaturePass:
    """All heads' features of a batch in one pass; `decisions` and `rows` per head from it."""

    def __init__(self, scorers: dict[str, FastScorer]):
        self.scorers = scorers
        groups: dict[str, _Group] = {}
        offset = 0
        for name, scorer in scorers.items():
            for block, first in zip(scorer.blocks, scorer.offsets):
                key = json.dumps(_describe(block.analyzer), sort_keys=True)
                if key not in groups:
                    groups[key] = _Group(block.analyzer, 0)
                groups[key].members.append((name, block.terms, first))
                groups[key].binary &= block.binary
        self.groups = list(groups.values())
        for group in self.groups:
            group.offset = offset
            group.finish()
            offset += len(group.terms)
        self.n_union = offset
        # Per head: the column of every union id (-1: the head does not have the feature).
        self.columns = {name: np.full(offset, -1, dtype=np.int64) for name in scorers}
        for group in self.groups:
            for (name, terms, first), positions in zip(group.members, group.positions):
                self.columns[name][positions] = np.arange(first, first + len(terms))
        # Union ids follow sorted terms; where a head's columns do not (a hand-made vocabulary), its
        # features are re-sorted by column after mapping.
        self._ordered = {}
        for name, columns in self.columns.items():
            known = columns[columns >= 0]
            self._ordered[name] = bool(np.all(np.diff(known) > 0))
        self._word = [g for g in self.groups if type(g.analyzer) is WordNgrams]
        self._char = [g for g in self.groups if type(g.analyzer) is CharNgrams]
        self._framing = [g for g in self.groups if type(g.analyzer) is FramingMarkers]
        if len(self.groups) != len(self._word) + len(self._char) + len(self._framing):
            raise Unsupported("an analyzer other than word n-grams, character n-grams or framing markers")
        for group in self._word:
            self._prepare_word(group)
        for group in self._char:
            group.pool = Pool(compute_many=_char_ngrams(group.analyzer, group.ids))
        # Heads with a semantic block share the word pieces when they share the vocabulary.
        self._pieces = {}
        for scorer in scorers.values():
            if scorer.semantic is not None:
                key = id(scorer.semantic.pieces.vocabulary)
                if key not in self._pieces:
                    self._pieces[key] = Pool(scorer.semantic.pieces.pieces)

    def _prepare_word(self, group: _Group) -> None:
        """Word n-grams as integers: each token of any term gets an id; an n-gram's key is its ids in
        base W. A token no term has cannot be part of a known n-gram, so it needs no id."""
        sizes = np.fromiter(map(str.count, group.terms, repeat(" ")), np.int64, len(group.terms)) + 1
        flat = " ".join(group.terms).split(" ") if group.terms else []
        tokens = sorted(set(flat))
        group.words = dict(zip(tokens, range(len(tokens))))
        token_ids = np.fromiter(map(group.words.__getitem__, flat), np.int64, len(flat))
        group.base = base = len(tokens) + 1
        low, high = group.analyzer.ngram_range
        if low < 1 or base**high >= 2**62:
            raise Unsupported(f"word n-grams {group.analyzer.ngram_range} over {len(tokens)} tokens")
        first = np.cumsum(sizes) - sizes
        group.keys = {}
        for n in range(low, high + 1):
            terms = np.flatnonzero(sizes == n)
            keys = np.zeros(len(terms), np.int64)
            for j in range(n):
                keys = keys * base + token_ids[first[terms] + j]
            order = np.argsort(keys, kind="stable")
            group.keys[n] = (keys[order], group.offset + terms[order])

    # -- the pass -----------------------------------------------------------------------------------

    def read(self, headlines: list[str]) -> "Batch":
        """The union features of at most BATCH headlines, and where each occurs (for explanations)."""
        batch = Batch(self, headlines)
        lowered = list(map(str.lower, headlines))
        rows, ids = [], []
        if self._word:
            batch.tokens = _Split(list(map(WORD.findall, lowered)))
            for number, group in enumerate(self._word):
                occurrences = batch.word_occurrences[number] = self._word_ngrams(group, batch.tokens)
                rows.append(occurrences[0])
                ids.append(occurrences[3])
        if self._char:
            batch.words = _Split(list(map(str.split, lowered)))
            for number, group in enumerate(self._char):
                found, per_word = group.pool.gather(batch.words.flat)
                word_of = np.repeat(np.arange(len(batch.words.flat)), per_word)
                batch.char_occurrences[number] = (word_of, found)
                rows.append(batch.words.rows[word_of])
                ids.append(found)
        for group in self._framing:
            # Counted as present/absent, the distinct features suffice (found faster, without spans).
            if group.binary:
                features = group.analyzer.lexicon.features_of(headlines, lowered)
            else:
                features = list(map(group.analyzer, headlines))
            counts = np.fromiter(map(len, features), np.int64, len(features))
            get = group.ids.get
            found = np.array([get(f, -1) for f in chain.from_iterable(features)], dtype=np.int64)
            row = np.repeat(np.arange(len(headlines)), counts)
            rows.append(row[found >= 0])
            ids.append(found[found >= 0])
        # Lower-casing keeps every character's place and kind except for U+0130 (two characters) and
        # a capital sigma (its lower case depends on its neighbours): elsewhere the lower-cased tokens
        # are the headline's tokens, lower-cased, at the same offsets. (No character gets shorter.)
        joined = "".join(headlines)
        if sum(map(len, lowered)) == len(joined) and "\u03a3" not in joined:
            batch.aligned = np.ones(len(headlines), dtype=bool)
        else:
            batch.aligned = np.fromiter((len(a) == len(b) and "\u03a3" not in a for a, b in zip(headlines, lowered)),
                                        bool, len(headlines))
        if self._pieces:
            # Word pieces are read from the headline's own tokens (lower-casing is their first step),
            # which are the lower-cased tokens when the batch lines up.
            aligned = batch.tokens is not None and bool(batch.aligned.all())
            batch.pieces_of = batch.tokens if aligned else _Split(list(map(WORD.findall, headlines)))
            for key, pool in self._pieces.items():
                found, per_token = pool.gather(batch.pieces_of.flat)
                batch.pieces[key] = (np.repeat(np.arange(len(batch.pieces_of.flat)), per_token), found)
        empty = np.zeros(0, np.int64)
        batch.rows, batch.ids, batch.counts = _count(np.concatenate(rows) if rows else empty,
                                                     np.concatenate(ids) if ids else empty, self.n_union)
        return batch

    def _word_ngrams(self, group: _Group, tokens: "_Split"):
        """(row, first token, n, union id) of every known word n-gram occurrence."""
        ids = np.fromiter(map(group.words.get, tokens.flat, repeat(-1)), np.int64, len(tokens.flat))
        # How many tokens of its headline follow each token, itself included.
        left = tokens.ends[tokens.rows] - np.arange(len(ids))
        found = []
        for n, (keys, union) in group.keys.items():
            starts = np.flatnonzero(left >= n)
            key, valid = ids[starts], ids[starts] >= 0
            for j in range(1, n):
                following = ids[starts + j]
                valid &= following >= 0
                key = key * group.base + following
            starts, key = starts[valid], key[valid]
            if len(keys) == 0 or len(key) == 0:
                continue
            at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            hit = keys[at] == key
            found.append((tokens.rows[starts[hit]], starts[hit], np.full(int(hit.sum()), n), union[at[hit]]))
        if not found:
            return tuple(np.zeros(0, np.int64) for _ in range(4))
        return tuple(np.concatenate(column) for column in zip(*found))

    def decisions(self, headlines: list[str], head: str) -> np.ndarray:
        """One head's logit per headline (the pipeline's decision_function)."""
        parts = [self.read(headlines[s : s + BATCH]).decisions(head) for s in range(0, len(headlines), BATCH)]
        return np.concatenate(parts) if parts else np.zeros(0)


def _count(rows: np.ndarray, ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct (row, id) once, sorted, with how many times it occurs: what CountVectorizer counts."""
    if len(rows) == 0:
        return rows, ids, np.zeros(0, np.int64)
    dtype = np.int32 if (int(rows[-1]) + 1) * n < 2**31 else np.int64
    keys = rows.astype(dtype) * dtype(n) + ids.astype(dtype)
    keys.sort(kind="stable")  # faster here: the keys come in runs already sorted by row
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(starts, len(keys)))
    rows, ids = np.divmod(keys[starts].astype(np.int64), n)
    return rows, ids, counts


class _Split:
    """The tokens of a batch's headlines, flattened: `flat`, the row of each, and each row's end."""

    def __init__(self, per_row: list[list[str]]):
        counts = np.fromiter(map(len, per_row), np.int64, len(per_row))
        self.flat = list(chain.from_iterable(per_row))
        self.rows = np.repeat(np.arange(len(per_row)), counts)
        self.ends = np.cumsum(counts)
        self.starts = self.ends - counts


class Batch:
    """The features of a batch in union ids, and where they occur; each head reads its own columns."""

    def __init__(self, feature_pass: FeaturePass, headlines: list[str]):
        self.feature_pass = feature_pass
        self.headlines = headlines
        self.tokens = self.words = self.pieces_of = None
        self.word_occurrences: dict[int, tuple] = {}  # word group -> (row, first token, n, union id)
        self.char_occurrences: dict[int, tuple] = {}  # char group -> (word, union id)
        self.pieces: dict[int, tuple] = {}  # vocabulary -> (token, piece id)
        self.aligned = np.ones(len(headlines), dtype=bool)
        self.offsets = None  # where tokens and words sit, once a head explains (sensational.explain)

    def features(self, head: str):
        """(rows, columns, counts) of one head, sorted by row then column."""
        columns = self.feature_pass.columns[head][self.ids]
        keep = columns >= 0
        rows, columns, counts = self.rows[keep], columns[keep], self.counts[keep]
        if not self.feature_pass._ordered[head]:
            order = np.lexsort((columns, rows))
            rows, columns, counts = rows[order], columns[order], counts[order]
        return rows, columns, counts

    def _piece_rows(self, semantic: Semantic) -> tuple[np.ndarray, np.ndarray]:
        """(row, piece id) of every word piece of the batch the semantic block knows."""
        tokens, ids = self.pieces[id(semantic.pieces.vocabulary)]
        return self.pieces_of.rows[tokens], ids

    def piece_counts(self, head: str) -> np.ndarray:
        """How many word pieces of each headline the head's semantic block knows (0 without one)."""
        semantic: Semantic | None = self.feature_pass.scorers[head].semantic
        if semantic is None:
            return np.zeros(len(self.headlines), dtype=np.int64)
        return np.bincount(self._piece_rows(semantic)[0], minlength=len(self.headlines))

    def semantic_logits(self, head: str) -> np.ndarray | None:
        semantic: Semantic | None = self.feature_pass.scorers[head].semantic
        if semantic is None:
            return None
        return self.piece_means(semantic, semantic.shares[np.newaxis])[0]

    def piece_means(self, semantic: Semantic, shares: np.ndarray) -> np.ndarray:
        """Per row of `shares` (one share per piece of `semantic`'s vocabulary), the mean share of each
        headline's pieces: a semantic block's logit, for every logit that reads the same pieces."""
        rows, ids = self._piece_rows(semantic)
        count = np.bincount(rows, minlength=len(self.headlines))
        means = np.zeros((len(shares), len(self.headlines)))
        for row, total in zip(means, shares):
            np.divide(np.bincount(rows, total[ids], minlength=len(self.headlines)), count, out=row, where=count > 0)
        return means

    def decisions(self, head: str) -> np.ndarray:
        scorer = self.feature_pass.scorers[head]
        rows, columns, counts = self.features(head)
        values = scorer.values(rows, columns, counts, len(self.headlines))
        return scorer.decisions_from(rows, values * scorer.coef[columns], len(self.headlines), self.semantic_logits(head))
