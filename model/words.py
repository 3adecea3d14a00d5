"""A cache of facts about words, computed once per distinct word and gathered for a batch with numpy.

A batch of 4,096 headlines has some 50,000 words but, after the first batches, few new ones: what the
blocks make of a word (its spelling's share of a head's logit, which lexicon phrases it can start,
the tokens inside it) is computed for all new words of a batch at once, and then every block's facts
come with one dictionary lookup per word.
"""

from __future__ import annotations

import threading
from itertools import repeat
from typing import NamedTuple

import numpy as np

WORD_CACHE = 200_000  # distinct words a table keeps before it starts again (bounded memory on a stream)


class Facts:
    """Some columns of a table of facts (a batch's words or their items), read row by row when asked:
    `facts[row]` or `facts[first:end]`. Most readers want a few of the rows (scoring one head reads
    none of the other heads'), so copying every row for a batch would be wasted."""

    def __init__(self, table: np.ndarray, columns: np.ndarray):
        # The table's array is never written where these columns are (new words get new columns, and
        # growing or clearing makes a new array), so this stays true while other batches add words.
        self.table, self.columns = table, columns

    def __getitem__(self, rows) -> np.ndarray:
        return self.table[rows][..., self.columns]


class Gathered(NamedTuple):
    facts: Facts  # a column per word
    items: Facts | None  # a column per item of the words, word by word (None: the table keeps no items)
    items_per_word: np.ndarray | None


class WordTable:
    """Facts of words, a row per fact and a column per word. Each block `add`s a function that gives
    its facts of a list of words; `gather` returns all blocks' facts of any words, computing them
    only for words not seen before.

    A table may also keep facts of each word's items, a varying number per word (a white-space word's
    tokens: "u.s.-backed" has three): `add_items`."""

    def __init__(self):
        self.parts: list = []
        self.row: dict[object, int] = {}  # a block's key -> its first row
        self.facts = 0
        self.item_part = None
        self.lock = threading.Lock()  # threads sharing a model (a Dask worker's) share its tables
        self.clear()

    def add(self, key, compute, facts: int) -> int:
        """Register `compute(words)`: an array of `facts` rows, one column per word. Returns the first
        of those rows."""
        first = self.row[key] = self.facts
        self.parts.append((compute, facts))
        self.facts += facts
        self.clear()
        return first

    def add_items(self, compute, facts: int) -> None:
        """Register `compute(words)`: (how many items each word has, an array of `facts` rows with a
        column per item, word by word). One per table."""
        self.item_part = (compute, facts)
        self.clear()

    def clear(self) -> None:
        self.slots: dict[str, int] = {}
        # Filled column by column as words arrive, never read before: no need to zero them.
        self.table = np.empty((self.facts, 4096))
        self.item_first = np.empty(4096, np.int64)  # per slot: its first item, and how many
        self.item_count = np.empty(4096, np.int64)
        self.items = np.empty((self.item_part[1] if self.item_part else 0, 8192))
        self.used_items = 0

    def _add(self, batch: list[str]) -> None:
        """Compute the facts of the words of `batch` not seen before (of all of them, after starting
        again when the table is full: the batch's known words would be lost with the rest)."""
        words = set(batch).difference(self.slots)
        if len(self.slots) + len(words) > WORD_CACHE:
            self.clear()
            words = set(batch)
        words, used = list(words), len(self.slots)
        if used + len(words) > self.table.shape[1]:
            size = max(used + len(words), 4 * self.table.shape[1])
            self.table = _grown(self.table, used, size)
            self.item_first, self.item_count = _grown(self.item_first, used, size), _grown(self.item_count, used, size)
        columns = slice(used, used + len(words))
        for (compute, facts), first in zip(self.parts, self.row.values()):
            self.table[first : first + facts, columns] = np.reshape(compute(words), (facts, len(words)))
        if self.item_part is not None:
            compute, facts = self.item_part
            counts, items = compute(words)
            if self.used_items + items.shape[1] > self.items.shape[1]:
                self.items = _grown(self.items, self.used_items, max(self.used_items + items.shape[1], 4 * self.items.shape[1]))
            self.item_first[columns] = self.used_items + np.cumsum(counts) - counts
            self.item_count[columns] = counts
            self.items[:, self.used_items : self.used_items + items.shape[1]] = items
            self.used_items += items.shape[1]
        self.slots.update(zip(words, range(used, used + len(words))))

    def gather(self, words: list[str]) -> Gathered:
        """The facts of each of `words` (a column per word) and of their items."""
        with self.lock:
            slots = np.fromiter(map(self.slots.get, words, repeat(-1)), np.int64, len(words))
            if len(slots) and slots.min() < 0:
                self._add(words)
                slots = np.fromiter(map(self.slots.__getitem__, words), np.int64, len(words))
            if self.item_part is None:
                return Gathered(Facts(self.table, slots), None, None)
            counts = self.item_count[slots]
            ends = np.cumsum(counts)
            # Each word's run of items: its first item, then the next ones.
            index = np.repeat(self.item_first[slots] - (ends - counts), counts) + np.arange(int(ends[-1]) if len(ends) else 0)
            return Gathered(Facts(self.table, slots), Facts(self.items, index), counts)


def _grown(array: np.ndarray, used: int, size: int) -> np.ndarray:
    """`array` with room for `size` columns (its last axis), keeping the first `used`."""
    grown = np.empty((*array.shape[:-1], size), dtype=array.dtype)
    grown[..., :used] = array[..., :used]
    return grown
