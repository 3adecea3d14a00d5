"""One feature pass per batch for every head of a model, then one sparse product per head.

The heads of a model read the same kinds of features (word n-grams, word shapes, lexicon markers,
word pieces); only their vocabularies and coefficients differ. So a batch is read once:

1. each headline is lower-cased and split into white-space words once (C-level `map`s, no per-row
   bytecode);
2. what the blocks make of a word is computed once per distinct word and cached (sensational.words):
   each head's word-shape share (in C, sensational._shapes), the lexicon's facts, and the word's
   tokens with their word n-gram token ids and each semantic head's summed piece shares, so a batch
   costs one dictionary lookup per word for all blocks;
3. word n-grams are numbers, not strings: a token's id in the union word table indexes its unigram,
   and a longer n-gram's key (its token ids in base W) is found in a hash table, for the whole batch
   at once;
4. the lexicon runs once for all heads (`Lexicon.features_of`): the words' facts decide one-word
   phrases, numpy rules out, for the whole batch, the headlines where no longer phrase can start,
   and only the rest are matched;
5. the (row, union id) pairs of word n-grams and markers are sorted and counted once; each head maps
   union ids to its columns and computes TF-IDF values and logits from them, and adds the shares of
   its words (`FastScorer.decisions_from`).

Union ids follow each block's sorted term order, and scikit-learn's vocabulary columns are sorted
terms too, so a head's features come out in scikit-learn's column order and its sums are computed
in scikit-learn's order: the scores are the pipeline's to the last bit or close to it (tested).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Mapping
from contextlib import contextmanager
from itertools import chain, repeat

import numpy as np

from sensational.fast import BATCH, FastScorer, ShapeGroup, Unsupported, _describe, joined, piece_facts, split_lines
from sensational.features import WORD, FramingMarkers, WordNgrams, _trim_punctuation
from sensational.lexicon import FACTS
from sensational.words import WordTable

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
        distinct = {id(terms): terms for _, terms, _ in self.members}.values()
        self.terms = list(dict.fromkeys(sorted(chain.from_iterable(distinct))))
        self.size = len(self.terms)
        self.ids = dict(zip(self.terms, range(self.offset, self.offset + len(self.terms))))
        # The union id of each head's terms, in the order of the head's index (once per list of terms:
        # a framing type's logit reads its head's).
        found: dict[int, np.ndarray] = {}
        for _, terms, _ in self.members:
            if id(terms) not in found:
                found[id(terms)] = np.fromiter(map(self.ids.__getitem__, terms), np.int64, len(terms))
        self.positions = [found[id(terms)] for _, terms, _ in self.members]

    def distinct(self) -> list[int]:
        """For each member, the number of its list of terms among the distinct lists."""
        numbers: dict[int, int] = {}
        return [numbers.setdefault(id(terms), len(numbers)) for _, terms, _ in self.members]


class FeaturePass:
    """All heads' features of a batch in one pass; `decisions` and `rows` per head from it."""

    def __init__(self, scorers: dict[str, FastScorer], saved: Mapping[str, np.ndarray] | None = None):
        """`saved`: `state()` of a pass over the same scorers (the artifact keeps it, so loading does
        not merge the heads' vocabularies again); without it, everything is built here."""
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
        self._word = [g for g in self.groups if type(g.analyzer) is WordNgrams]
        self._framing = [g for g in self.groups if type(g.analyzer) is FramingMarkers]
        if len(self.groups) != len(self._word) + len(self._framing):
            raise Unsupported("an analyzer other than word n-grams or framing markers")
        for group in self.groups:
            group.offset = offset
            key = f"word{self._word.index(group)}" if group in self._word else None
            if saved is not None and key is not None and f"{key}.size" in saved:
                self._restore_word(group, saved, key)
            else:
                group.finish()
                if key is not None:
                    self._prepare_word(group)
            offset += group.size
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
        self._word_tables(saved)

    def _word_tables(self, saved) -> None:
        """What the blocks make of each distinct white-space word, cached (sensational.words): each
        scorer's word-shape share and known n-grams, the lexicon's facts, and its tokens (items of the
        word): each token's id per word group, each semantic scorer's summed piece shares and piece
        count, and where the token sits in the word."""
        scorers = self.scorers
        self.words = WordTable()
        self.token_row = {}  # what a token's facts hold -> its row among them
        token_parts = []
        for number, group in enumerate(self._word):
            self.token_row["word", number] = len(token_parts)
            token_parts.append(lambda tokens, get=group.words.get: [np.fromiter(map(get, tokens, repeat(-1)), np.int64, len(tokens))])
        readers: dict[int, list[str]] = {}  # the scorers that read each word-piece vocabulary
        for name, scorer in scorers.items():
            if scorer.semantic is not None:
                readers.setdefault(id(scorer.semantic.pieces), []).append(name)
        self.piece_row = {}  # scorer -> its first token row (summed shares, piece count)
        rows = len(token_parts)
        for names in readers.values():
            semantics = [scorers[name].semantic for name in names]
            token_parts.append(lambda tokens, semantics=semantics: piece_facts(semantics, tokens))
            self.piece_row.update((name, rows + 2 * number) for number, name in enumerate(names))
            rows += 2 * len(names)
        self.token_row["span"] = rows
        if token_parts:
            self.words.add_items(lambda words: _tokens_of(words, token_parts), rows + 2)
        self.shape_row = {}  # head -> its first row in self.words (share, known n-grams)
        settings: dict[tuple, list[str]] = {}  # heads whose word shapes make the same n-grams
        for name, scorer in scorers.items():
            if scorer.shapes is not None:
                settings.setdefault(tuple(scorer.shapes.analyzer.get_params().values()), []).append(name)
        self.shape_groups = []
        for number, names in enumerate(settings.values()):
            group = ShapeGroup([scorers[name].shapes for name in names])
            if saved is not None and f"shapes{number}.terms" in saved:
                group.restore(saved[f"shapes{number}.terms"],
                              [saved[f"shapes{number}.columns{v}"] for v in range(len(group.vocabularies))])
            self.shape_groups.append(group)
            first = self.words.add(("shapes", *names), group.facts, 2 * len(names))
            self.shape_row.update((name, first + 2 * number) for number, name in enumerate(names))
        for group in self._framing:
            lexicon = group.analyzer.lexicon
            if group.binary and ("lexicon", id(lexicon)) not in self.words.row:
                self.words.add(("lexicon", id(lexicon)), lambda words, lexicon=lexicon: lexicon.prefilter.facts(words), FACTS)
        # Where explanations credit a word: its span without surrounding punctuation (read only then).
        self.trimmed = WordTable()
        self.trimmed.add("trimmed", lambda words: np.array([_trim_punctuation(w, 0, len(w)) for w in words]).T, 2)

    def state(self) -> dict[str, np.ndarray]:
        """What loading would otherwise build from the scorers' vocabularies, as plain arrays: each word
        group's union (its size, each distinct term list's union ids, the token table and n-gram keys)
        and each word-shape group's union (FeaturePass(scorers, saved=state) restores it)."""
        out = {}
        for number, group in enumerate(self._word):
            key = f"word{number}"
            out[f"{key}.size"], out[f"{key}.base"] = np.array([group.size]), np.array([group.base])
            for distinct, positions in dict(zip(group.distinct(), group.positions)).items():
                out[f"{key}.positions{distinct}"] = positions
            out[f"{key}.tokens"] = joined(sorted(group.words, key=group.words.__getitem__))
            for n, (keys, union) in group.keys.items():
                out[f"{key}.keys{n}"], out[f"{key}.union{n}"] = keys, union
        for number, group in enumerate(self.shape_groups):
            terms, columns = group.union
            out[f"shapes{number}.terms"] = joined(terms)
            out.update((f"shapes{number}.columns{v}", column) for v, column in enumerate(columns))
        return out

    def _restore_word(self, group: _Group, saved: Mapping[str, np.ndarray], key: str) -> None:
        group.size = int(saved[f"{key}.size"][0])
        group.positions = [saved[f"{key}.positions{distinct}"] for distinct in group.distinct()]
        tokens = split_lines(saved[f"{key}.tokens"])
        group.words = dict(zip(tokens, range(len(tokens))))
        group.base = int(saved[f"{key}.base"][0])
        low, high = group.analyzer.ngram_range
        group.keys = {n: (saved[f"{key}.keys{n}"], saved[f"{key}.union{n}"]) for n in range(low, high + 1) if f"{key}.keys{n}" in saved}
        self._unigrams(group)

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
        self._unigrams(group)

    @staticmethod
    def _unigrams(group: _Group) -> None:
        """How a batch finds n-grams: a unigram's union id by its token id (-1: none; the last entry
        answers for id -1, no term's token), a longer n-gram's by its key in a hash table."""
        group.unigrams = np.full(group.base, -1, np.int64)
        if 1 in group.keys:
            keys, union = group.keys[1]
            group.unigrams[keys] = union
        group.lookups = {n: _KeyTable(keys, union) for n, (keys, union) in group.keys.items() if n > 1}

    # -- the pass -----------------------------------------------------------------------------------

    def read(self, headlines: list[str]) -> "Batch":
        """The union features of at most BATCH headlines, and where each occurs (for explanations)."""
        batch = Batch(self, headlines)
        lowered = batch.lowered = list(map(str.lower, headlines))
        rows, ids = [], []
        if self.words.facts or self.words.item_part:
            # A token never spans white space, so a headline's tokens are its words' tokens, in order.
            batch.words = _Split.of(list(map(str.split, lowered)))
            gathered = self.words.gather(batch.words.flat)
            batch.word_facts, batch.token_facts = gathered.facts, gathered.items
            if gathered.items is not None:
                batch.tokens = _Split(np.bincount(batch.words.rows, gathered.items_per_word, minlength=len(headlines)).astype(np.int64))
                batch.token_word = np.repeat(np.arange(len(batch.words.flat)), gathered.items_per_word)
        for number, group in enumerate(self._word):
            token_ids = batch.token_facts[self.token_row["word", number]].astype(np.int64)
            occurrences = batch.word_occurrences[number] = self._word_ngrams(group, batch.tokens, token_ids)
            rows.append(occurrences[0])
            ids.append(occurrences[3])
        for group in self._framing:
            # Counted as present/absent, the distinct features suffice (found faster, without spans).
            if group.binary:
                lexicon = group.analyzer.lexicon
                first = self.words.row["lexicon", id(lexicon)]
                row, features = lexicon.features_of(headlines, lowered, batch.words.flat, batch.words.rows,
                                                    batch.word_facts[first : first + FACTS])
            else:
                per_row = list(map(group.analyzer, headlines))
                row = np.repeat(np.arange(len(headlines)), np.fromiter(map(len, per_row), np.int64, len(per_row)))
                features = list(chain.from_iterable(per_row))
            found = np.fromiter(map(group.ids.get, features, repeat(-1)), np.int64, len(features))
            rows.append(row[found >= 0])
            ids.append(found[found >= 0])
        # Lower-casing keeps every character's place and kind except for U+0130 (two characters) and
        # a capital sigma (its lower case depends on its neighbours): elsewhere the lower-cased tokens
        # are the headline's tokens, lower-cased, at the same offsets. (No character gets shorter.)
        whole = "".join(headlines)
        if sum(map(len, lowered)) == len(whole) and "\u03a3" not in whole:
            batch.aligned = np.ones(len(headlines), dtype=bool)
        else:
            batch.aligned = np.fromiter((len(a) == len(b) and "\u03a3" not in a for a, b in zip(headlines, lowered)),
                                        bool, len(headlines))
        empty = np.zeros(0, np.int64)
        batch.rows, batch.ids, batch.counts = _count(np.concatenate(rows) if rows else empty,
                                                     np.concatenate(ids) if ids else empty, self.n_union)
        return batch

    def _word_ngrams(self, group: _Group, tokens: "_Split", ids: np.ndarray):
        """(row, first token, n, union id) of every known word n-gram occurrence; `ids`: each token's
        id in the group's token table (-1: no term has it)."""
        # How many tokens of its headline follow each token, itself included.
        left = tokens.ends[tokens.rows] - np.arange(len(ids))
        found = []
        for n in group.keys:
            if n == 1:  # a token's id indexes its unigram's union id directly
                union_ids = group.unigrams[ids]
                starts = np.flatnonzero(union_ids >= 0)
                found.append((tokens.rows[starts], starts, np.ones(len(starts), np.int64), union_ids[starts]))
                continue
            starts = np.flatnonzero(left >= n)
            key, valid = ids[starts], ids[starts] >= 0
            for j in range(1, n):
                following = ids[starts + j]
                valid &= following >= 0
                key = key * group.base + following
            starts, key = starts[valid], key[valid]
            union_ids = group.lookups[n].find(key)
            hit = union_ids >= 0
            found.append((tokens.rows[starts[hit]], starts[hit], np.full(int(hit.sum()), n), union_ids[hit]))
        if not found:
            return tuple(np.zeros(0, np.int64) for _ in range(4))
        return tuple(np.concatenate(column) for column in zip(*found))

    def decisions(self, headlines: list[str], head: str) -> np.ndarray:
        """One head's logit per headline (the pipeline's decision_function)."""
        with without_cycle_collection():
            parts = [self.read(headlines[s : s + BATCH]).decisions(head) for s in range(0, len(headlines), BATCH)]
        return np.concatenate(parts) if parts else np.zeros(0)


@contextmanager
def without_cycle_collection():
    """Reading a batch makes hundreds of thousands of small lists and strings, and records are dicts;
    none holds a reference cycle, but Python's cycle collector would walk them (and every record made
    so far) again and again: 5-10% of scoring and a tenth of predict's time. Reference counting still
    frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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


class _KeyTable:
    """Distinct non-negative integer keys and their values, found by hashing a whole array of keys at
    once (open addressing, linear probing, vectorised): about twice as fast as a binary search."""

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        bits = max(4, (2 * len(keys)).bit_length())
        self.shift, self.mask = np.uint64(64 - bits), (1 << bits) - 1
        self.keys = np.full(1 << bits, -1, np.int64)
        self.values = np.full(1 << bits, -1, np.int64)
        pending, slot = np.arange(len(keys)), self._slots(keys)
        while len(pending):
            # Each pending key looks at its slot; of those that find it empty, the first takes it, and
            # the others move on to the next slot, as a lookup will.
            free = self.keys[slot] < 0
            taken, first = np.unique(slot[free], return_index=True)
            winners = pending[free][first]
            self.keys[taken], self.values[taken] = keys[winners], values[winners]
            moving = np.ones(len(pending), dtype=bool)
            moving[np.flatnonzero(free)[first]] = False
            pending, slot = pending[moving], (slot[moving] + 1) & self.mask

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> self.shift).astype(np.int64)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key (-1: not a key)."""
        out = np.full(len(keys), -1, np.int64)
        pending, slot = np.arange(len(keys)), self._slots(keys)
        while len(pending):
            stored = self.keys[slot]
            hit = stored == keys[pending]
            out[pending[hit]] = self.values[slot[hit]]
            going_on = ~hit & (stored >= 0)
            pending, slot = pending[going_on], (slot[going_on] + 1) & self.mask
        return out


class _Split:
    """Items (white-space words, tokens) of a batch's headlines, flattened: how many each row has, the
    row of each item, each row's first and end item, and the items themselves if kept (`flat`)."""

    def __init__(self, counts: np.ndarray, flat: list[str] | None = None):
        self.flat = flat
        self.rows = np.repeat(np.arange(len(counts)), counts)
        self.ends = np.cumsum(counts)
        self.starts = self.ends - counts

    @classmethod
    def of(cls, per_row: list[list[str]]) -> "_Split":
        return cls(np.fromiter(map(len, per_row), np.int64, len(per_row)), list(chain.from_iterable(per_row)))


def _tokens_of(words: list[str], parts) -> tuple[np.ndarray, np.ndarray]:
    """(how many tokens each word has, the facts of every token: each of `parts`' rows, then the
    token's start and end in its word). The words are read as one text (no token spans the line
    breaks between them), and a token's place follows from the lengths of the tokens and gaps."""
    joined = "\n".join(words)
    tokens = WORD.findall(joined)
    gaps = np.fromiter(map(len, WORD.split(joined)), np.int64, len(tokens) + 1)
    sizes = np.fromiter(map(len, tokens), np.int64, len(tokens))
    starts = np.cumsum(gaps[:-1]) + np.cumsum(sizes) - sizes
    lengths = np.fromiter(map(len, words), np.int64, len(words)) + 1
    word_starts = np.cumsum(lengths) - lengths
    word = np.searchsorted(word_starts, starts, side="right") - 1
    in_word = starts - word_starts[word]
    facts = [row for part in parts for row in part(tokens)] + [in_word, in_word + sizes]
    out = np.empty((len(facts), len(tokens)))
    for row, values in enumerate(facts):
        out[row] = values
    return np.bincount(word, minlength=len(words)), out


class Batch:
    """The features of a batch in union ids, and where they occur; each head reads its own columns."""

    def __init__(self, feature_pass: FeaturePass, headlines: list[str]):
        self.feature_pass = feature_pass
        self.headlines = headlines
        self.lowered: list[str] = []
        self.words = self.tokens = None  # white-space words, and the WORD tokens in them
        self.word_facts = self.token_facts = None  # their facts (FeaturePass.words, its items)
        self.token_word = None  # the word of each token
        self.word_occurrences: dict[int, tuple] = {}  # word group -> (row, first token, n, union id)
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

    def word_known(self, head: str) -> np.ndarray:
        """How many features of the blocks scored per word each headline has that the head knows: its
        words' known n-grams (word shapes) and its word pieces (semantic block)."""
        known = np.zeros(len(self.headlines), dtype=np.int64)
        scorer = self.feature_pass.scorers[head]
        if scorer.shapes is not None:
            row = self.feature_pass.shape_row[head]
            known += np.bincount(self.words.rows, self.word_facts[row + 1], minlength=len(known)).astype(np.int64)
        if scorer.semantic is not None:
            known += self.piece_totals(head)[1].astype(np.int64)
        return known

    def word_shapes(self, head: str) -> np.ndarray | None:
        """Each white-space word's share of the head's logit from the word-shapes block (None without one)."""
        if self.feature_pass.scorers[head].shapes is None:
            return None
        lengths = (self.words.ends - self.words.starts)[self.words.rows]
        return self.word_facts[self.feature_pass.shape_row[head]] / np.sqrt(lengths)

    def semantic_logits(self, head: str) -> np.ndarray | None:
        """The semantic block's logit: the mean of the shares of each headline's word pieces."""
        if self.feature_pass.scorers[head].semantic is None:
            return None
        total, count = self.piece_totals(head)
        return np.divide(total, count, out=np.zeros(len(total)), where=count > 0)

    def piece_totals(self, head: str) -> tuple[np.ndarray, np.ndarray]:
        """(the summed shares of each headline's word pieces, how many it has) for a head's semantic
        block. Pieces are read from the headline's own tokens: those of its lower case where the two
        line up (lower-casing is the pieces' first step), else one headline at a time."""
        row, size = self.feature_pass.piece_row[head], len(self.headlines)
        total = np.bincount(self.tokens.rows, self.token_facts[row], minlength=size)
        count = np.bincount(self.tokens.rows, self.token_facts[row + 1], minlength=size)
        semantic = self.feature_pass.scorers[head].semantic
        for i in np.flatnonzero(~self.aligned).tolist():
            total[i], count[i] = semantic.totals(self.headlines[i])
        return total, count

    def dense_logits(self, head: str) -> np.ndarray:
        """The logit of the blocks scored per word (word shapes, word pieces) of each headline."""
        logits = np.zeros(len(self.headlines))
        shapes = self.word_shapes(head)
        if shapes is not None:
            logits += np.bincount(self.words.rows, shapes, minlength=len(logits))
        semantic = self.semantic_logits(head)
        if semantic is not None:
            logits += semantic
        return logits

    def decisions(self, head: str) -> np.ndarray:
        scorer = self.feature_pass.scorers[head]
        rows, columns, counts = self.features(head)
        values = scorer.values(rows, columns, counts, len(self.headlines))
        return scorer.decisions_from(rows, values * scorer.coef[columns], len(self.headlines), self.dense_logits(head))
