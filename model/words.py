"""A cache of facts about words, computed once per distinct word and gathered for a batch with numpy.

A batch of 4,096 headlines has some 50,000 words but, after the first batches, few new ones: what the
blocks make of a word (its id among the word n-grams' tokens, its spelling's share of a head's logit,
which lexicon phrases it can start) is computed for all new words of a batch at once, and then every
block's facts come with one dictionary lookup per word.
"""

from __future__ import annotations

import threading
from itertools import repeat

import numpy as np

WORD_CACHE = 200_000  # distinct words a table keeps before it starts again (bounded memory on a stream)


class WordTable:
    """Facts of words, a row per fact and a column per word. Each block `add`s a function that gives
    its facts of a list of words; `gather` returns all blocks' facts of any words, computing them
    only for words not seen before."""

    def __init__(self):
        self.parts: list = []
        self.row: dict[object, int] = {}  # a block's key -> its first row
        self.facts = 0
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

    def clear(self) -> None:
        self.slots: dict[str, int] = {}
        self.table = np.zeros((self.facts, 1024))

    def _add(self, words: set[str]) -> None:
        if len(self.slots) + len(words) > WORD_CACHE:
            self.clear()  # the batch's words are added below
        words, used = list(words), len(self.slots)
        if used + len(words) > self.table.shape[1]:
            grown = np.zeros((self.facts, max(used + len(words), 2 * self.table.shape[1])))
            grown[:, :used] = self.table[:, :used]
            self.table = grown
        columns = slice(used, used + len(words))
        for (compute, facts), first in zip(self.parts, self.row.values()):
            self.table[first : first + facts, columns] = np.reshape(compute(words), (facts, len(words)))
        self.slots.update(zip(words, range(used, used + len(words))))

    def gather(self, words: list[str]) -> np.ndarray:
        """The facts of each of `words` (a column per word)."""
        with self.lock:
            slots = np.fromiter(map(self.slots.get, words, repeat(-1)), np.int64, len(words))
            if len(slots) and slots.min() < 0:
                self._add(set(words).difference(self.slots))
                slots = np.fromiter(map(self.slots.__getitem__, words), np.int64, len(words))
            return self.table[:, slots]
