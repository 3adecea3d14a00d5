"""The feature blocks of the model, each an analyzer that also reports where its features occur.

Every block turns a headline into a list of feature strings (what scikit-learn's vectorizers count)
and, through `spans`, into (feature, start, end) triples with character offsets into the headline
as given. One implementation serves both training and explanations, so the offsets of a phrase
always point at the words that produced its feature.
"""

from __future__ import annotations

import re
from typing import Iterator

from sensational.lexicon import Lexicon

WORD = re.compile(r"\w+(?:['’]\w+)*")
WHITESPACE_WORD = re.compile(r"\S+")

Span = tuple[str, int, int]


class WordNgrams:
    """Lower-cased word n-grams; a word keeps its inner apostrophe ("putin's")."""

    def __init__(self, ngram_range: tuple[int, int]):
        self.ngram_range = tuple(ngram_range)

    def __call__(self, text: str) -> list[str]:
        tokens = WORD.findall(text.lower())
        low, high = self.ngram_range
        grams = list(tokens) if low == 1 else []
        for n in range(max(low, 2), high + 1):
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return grams

    def spans(self, text: str) -> Iterator[Span]:
        tokens = [(m.group().lower(), m.start(), m.end()) for m in WORD.finditer(text)]
        low, high = self.ngram_range
        for n in range(low, high + 1):
            for i in range(len(tokens) - n + 1):
                window = tokens[i : i + n]
                yield " ".join(t for t, _, _ in window), window[0][1], window[-1][2]


class CharNgrams:
    """Character n-grams inside word boundaries (scikit-learn's `char_wb`), lower-cased."""

    def __init__(self, ngram_range: tuple[int, int]):
        self.ngram_range = tuple(ngram_range)

    def _grams(self, word: str) -> Iterator[str]:
        padded = f" {word} "
        low, high = self.ngram_range
        for n in range(low, high + 1):
            for i in range(max(1, len(padded) - n + 1)):
                yield padded[i : i + n]

    def __call__(self, text: str) -> list[str]:
        return [gram for word in text.lower().split() for gram in self._grams(word)]

    def spans(self, text: str) -> Iterator[Span]:
        # A character n-gram is credited to the word it lies in (its surrounding punctuation trimmed).
        for match in WHITESPACE_WORD.finditer(text):
            start, end = _trim_punctuation(text, match.start(), match.end())
            for gram in self._grams(match.group().lower()):
                yield gram, start, end


def _trim_punctuation(text: str, start: int, end: int) -> tuple[int, int]:
    inner = WORD.search(text, start, end)
    if inner is None:
        return start, end
    last = inner
    for last in WORD.finditer(text, start, end):
        pass
    return inner.start(), last.end()


class FramingMarkers:
    """Lexicon categories and typographic emphasis, as features like `alarm` or `emphasis:caps`.

    The model learns one weight per category, so an idiom no training headline contains still
    scores through its category.
    """

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon

    def __call__(self, text: str) -> list[str]:
        return [feature for feature, _, _ in self.lexicon.matches(text)]

    def spans(self, text: str) -> Iterator[Span]:
        return iter(self.lexicon.matches(text))
