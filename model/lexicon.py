"""A framing lexicon: categories of sensational phrases, matched with their inflections.

The phrases live in `data/lexicon/framing.toml`, written by the team. A match yields its category as
a feature (`lexicon:alarm`); the logistic regression learns each category's weight. Typographic
emphasis (ALL-CAPS words, exclamation marks, teaser tags such as "[VIDEO]") is matched by rules and
named `style:*`.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from itertools import chain, repeat
from pathlib import Path
from typing import Iterator

import numpy as np

from sensational.words import WordTable

FACTS = 5  # facts the prefilter keeps of a word (see _Prefilter.facts)

# Words that may stand between the words of an idiom: "rubs HIS hands", "sound THE alarm".
FILLERS = ("his", "her", "their", "its", "the", "a", "an", "our", "my", "your", "own", "with")
_FILLER = r"(?:(?:" + "|".join(FILLERS) + r")\s+)?"
_PHRASE_GAP = r"[\s\-]+" + _FILLER

# Common acronyms are capitals without being emphasis.
ACRONYMS = frozenset(
    """NATO NASA ISIS NCAA NAFTA OPEC FIFA UEFA NYPD LAPD LGBT LGBTQ COVID NAACP ACLU AIPAC CNBC MSNBC
    USMCA DACA IRAN SNAP HUD NFL NBA NHL MLB CEO CFO GOP DNC RNC EPA FBI CIA NSA IRS DOJ DHS ICE
    BBC CNN NPR ABC CBS NBC HBO UK USA US EU UN AIDS HIV NHS MP MPS PM TV DNA GDP IMF WHO""".split()
)

# \b[A-Z][A-Z'’]{3,}\b, with the boundary checked after the first capital: a pattern that starts with
# a character set lets the regex engine skip ahead to candidates (twice as fast over a batch).
_CAPS_WORD = re.compile(r"[A-Z](?<=\b[A-Z])[A-Z'’]{3,}\b")
_EXCLAMATION = re.compile(r"!+")
_ASCII_LOWER = re.compile("[a-z]")
_TEASER_TAG = r"[\[(](?:video|videos|pics?|photos?|watch|gallery|poll|live|listen|audio)[\])]"
_TEASER_LEAD = r"^\s*(?:watch|video|breaking|listen|must[ -]see|pics|photos|revealed)\s*[:\-–—]"
_TEASER = re.compile(_TEASER_TAG + "|" + _TEASER_LEAD, re.IGNORECASE)
# For a batch: the tag as two patterns that start with a literal character, which the regex engine
# finds ten times faster than a character set.
_TAGS = [re.compile(_TEASER_TAG.replace(r"[\[(]", opening, 1), re.IGNORECASE) for opening in (r"\[", r"\(")]
_LEAD = re.compile(_TEASER_LEAD, re.IGNORECASE)


@cache
def _forms(word: str) -> frozenset[str]:
    """A word and its regular inflections: rub -> rub, rubs, rubbed, rubbing, ... (cached: the
    prefilter and the patterns ask for the same words)."""
    word = word.lower()
    forms = {word, word + "s", word + "es", word + "ed", word + "ing", word + "d"}
    if word.endswith("e"):
        forms |= {word[:-1] + "ing"}
    if word.endswith("y") and len(word) > 2:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) >= 3 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}  # rub -> rubbing
    return frozenset(forms)


def word_forms(word: str) -> str:
    """A pattern for a word and its regular inflections: rub -> rub|rubs|rubbed|rubbing."""
    return "(?:" + "|".join(sorted(map(re.escape, _forms(word)), key=len, reverse=True)) + ")"


# A match starts at a word whose leading run of word characters, lower-cased, is one of the first
# words' forms; `matches` tries a category's pattern only at such words. That holds while pattern
# and text agree with str.lower() on case; these characters do not (re.IGNORECASE folds them onto
# ASCII letters differently, or str.lower() changes their length), so a headline containing one is
# searched in full. tests/test_fast.py checks this list against every Unicode character.
_WORD_RUN = re.compile(r"\w+")
_SPECIAL_FOLDS = re.compile("[\u0130\u0131\u017f\u212a]")


def _first_words(phrases: list[str]) -> frozenset[str] | None:
    """Lower-cased leading word runs a category's match can start with; None: no such shortcut."""
    keys = set()
    for phrase in phrases:
        words = phrase.split()
        if not words:
            return None
        for form in _forms(words[0]):
            run = _WORD_RUN.match(form)
            if run is None or not run.group().isascii():
                return None
            keys.add(run.group())
    return frozenset(keys)


def phrase_pattern(phrase: str) -> str:
    words = phrase.split()
    return r"\b" + _PHRASE_GAP.join(word_forms(w) for w in words) + r"\b"


class Lexicon:
    """Compiled categories; `matches(text)` gives (feature, start, end) for every match."""

    def __init__(self, categories: dict[str, list[str]]):
        self.categories = {name: sorted(set(phrases)) for name, phrases in categories.items()}
        self._first = {name: _first_words(phrases) for name, phrases in self.categories.items() if phrases}
        self._patterns: dict[str, re.Pattern] = {}  # compiled when first needed: compiling all is slow
        # Every first word of every category in one set: most headlines share none with it, and one
        # set test then rules out every category at once.
        self._any_first = frozenset().union(*(f for f in self._first.values() if f is not None))
        self._starting: dict[str, list[str]] = {}  # first word -> the categories it can start
        for name, first in self._first.items():
            for word in first or ():
                self._starting.setdefault(word, []).append(name)
        self._prefilter = None  # see `prefilter`
        # First word -> (category, the runs each later word of a phrase can begin with). A phrase can
        # match only where all its words' runs are present, which rules out most headlines that merely
        # contain a common first word ("you", "the").
        self._phrases: dict[str, dict[str, set[tuple]]] = {}  # first word -> category -> distinct rests
        for name, phrases in self.categories.items():
            if self._first.get(name) is not None:
                for phrase in phrases:
                    first, *rest = phrase.split()
                    for run in _first_words([first]):
                        self._phrases.setdefault(run, {}).setdefault(name, set()).add(tuple(_first_words([w]) for w in rest))

    def __getstate__(self):
        return {"categories": self.categories}

    def __setstate__(self, state):
        self.__init__(state["categories"])

    def _pattern(self, name: str) -> re.Pattern:
        pattern = self._patterns.get(name)
        if pattern is None:
            # Longest phrases first, so "alarm bells ring" wins over "alarm bells".
            phrases = sorted(self.categories[name], key=len, reverse=True)
            pattern = self._patterns[name] = re.compile("|".join(map(phrase_pattern, phrases)), re.IGNORECASE)
        return pattern

    def compile(self) -> None:
        """Compile every pattern now (about 0.2 s), so no later match waits for one."""
        for name in self._first:
            self._pattern(name)

    @classmethod
    def from_file(cls, path: Path) -> "Lexicon":
        with open(path, "rb") as handle:
            table = tomllib.load(handle)
        return cls({name: spec["phrases"] for name, spec in table.get("categories", {}).items()})

    def _candidates(self, text: str, lowered: str | None = None) -> Iterator[tuple[str, re.Pattern, list[int] | None]]:
        """(category, pattern, offsets where a match can start) for every category that can match
        `text`; offsets None means anywhere. `lowered`: text.lower(), if the caller has it."""
        full = _SPECIAL_FOLDS.search(text) is not None
        if lowered is None:
            lowered = text.lower()  # same length and offsets as `text` (U+0130 is the exception, above)
        starts: dict[str, list[int]] = {}
        # The runs of the lowered text are the lowered runs wherever it matters: where lower() of the
        # whole text and of a run differ (U+0130, a final sigma's context), the run is not ASCII, and
        # phrase words are ASCII. Set tests rule most headlines out; the rest are read run by run.
        if not full:
            present = set(_WORD_RUN.findall(lowered))
            possible = set()
            for word in self._any_first.intersection(present):
                for name, rests in self._phrases[word].items():
                    if name not in possible and any(all(runs is None or not runs.isdisjoint(present) for runs in rest) for rest in rests):
                        possible.add(name)
            if possible:
                for run in _WORD_RUN.finditer(lowered):
                    for name in self._starting.get(run.group(), ()):
                        if name in possible:
                            starts.setdefault(name, []).append(run.start())
        for name, first in self._first.items():
            if full or first is None:
                yield name, self._pattern(name), None
            elif name in starts:
                yield name, self._pattern(name), starts[name]

    def _style(self, text: str) -> Iterator[tuple[str, int, int]]:
        # A headline in all capitals emphasises nothing. (Most headlines have no capitalised word, and
        # the regex answers ASCII text at C speed.)
        if _CAPS_WORD.search(text) is not None and _has_lower(text):
            yield from (("style:caps", m.start(), m.end()) for m in _emphatic(text))
        if "!" in text:
            yield from (("style:exclamation", m.start(), m.end()) for m in _EXCLAMATION.finditer(text))
        yield from (("style:teaser", m.start(), m.end()) for m in _TEASER.finditer(text))

    def matches(self, text: str, only: set[str] | None = None) -> list[tuple[str, int, int]]:
        """(feature, start, end) of every match, in order; `only`: of these features alone (those the
        caller knows the text has), which skips the patterns of the others."""
        found = []
        for name, pattern, starts in self._candidates(text):
            feature = f"lexicon:{name}"
            if only is not None and feature not in only:
                continue
            if starts is None:
                found.extend((feature, m.start(), m.end()) for m in pattern.finditer(text))
                continue
            # What finditer finds, trying only where a match can start: non-overlapping, leftmost first.
            end = 0
            for start in starts:
                if start >= end and (m := pattern.match(text, start)):
                    found.append((feature, m.start(), m.end()))
                    end = m.end()
        found.extend(match for match in self._style(text) if only is None or match[0] in only)
        return sorted(found, key=lambda match: (match[1], match[2], match[0]))

    def features(self, text: str, lowered: str | None = None) -> set[str]:
        """The distinct features of `matches(text)`, found faster (no spans, first match suffices).
        `lowered`: text.lower(), if the caller has it."""
        found = {
            f"lexicon:{name}"
            for name, pattern, starts in self._candidates(text, lowered)
            if (pattern.search(text) if starts is None else any(pattern.match(text, start) for start in starts))
        }
        found.update(feature for feature, _, _ in self._style(text))
        return found

    @property
    def prefilter(self) -> "_Prefilter":
        """The batch prefilter, built on first use (a few milliseconds)."""
        if self._prefilter is None:
            self._prefilter = _Prefilter(self.categories)
        return self._prefilter

    def features_of(self, texts: list[str], lowered: list[str], words: list[str] | None = None,
                    word_rows: np.ndarray | None = None, facts: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
        """`features` of every text of a batch as (row, feature) pairs: (the rows, the features).
        `lowered`: the texts' lower case; `words`, `word_rows`: the white-space words of `lowered`,
        flat, and the row of each, and `facts`: the prefilter's facts of those words, if the caller
        has them. The work that rules a headline out is done for the whole batch in C and numpy: most
        headlines have no lexicon phrase, or only one-word phrases, which a word's own facts decide;
        many have no capitalised word, exclamation mark or teaser either."""
        rows: list[int] = []
        features: list[str] = []
        if len(texts) < 64:  # a few headlines: not worth the batch machinery
            for i, (text, low) in enumerate(zip(texts, lowered)):
                found = self.features(text, low)
                rows += [i] * len(found)
                features += found
            return np.array(rows, dtype=np.int64), features
        if words is None:
            per_row = list(map(str.split, lowered))
            words = list(chain.from_iterable(per_row))
            word_rows = np.repeat(np.arange(len(texts)), np.fromiter(map(len, per_row), np.int64, len(per_row)))
        # Matches of the style rules and special folds lie inside one headline (none of these patterns
        # matches the line break between them), so they are found over the whole batch at once, and the
        # row of a match follows from its offset.
        ends = np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts)) + 1) - 1  # each text's line break
        joined = "\n".join(texts)

        def rows_of(matches) -> list[int]:
            offsets = [m.start() for m in matches]
            return np.unique(np.searchsorted(ends, offsets)).tolist() if offsets else []

        anywhere = any(f is None for f in self._first.values())
        direct, candidates = self.prefilter.rows(words, word_rows, len(texts), anywhere, facts)
        # Characters that fold unlike str.lower: the word facts cannot rule these headlines out.
        if any(map(joined.__contains__, _SPECIAL_FOLDS.pattern[1:-1])):  # rare: skip the regex pass
            candidates = sorted(set(candidates).union(rows_of(_SPECIAL_FOLDS.finditer(joined))))

        def add(found_rows, feature: str) -> None:
            rows.extend(found_rows)
            features.extend(repeat(feature, len(found_rows)))

        direct[candidates] = 0  # a candidate's patterns find its one-word phrases too
        for bit, name in enumerate(self.categories):
            add(np.flatnonzero(direct >> bit & 1).tolist(), f"lexicon:{name}")
        for i in candidates:
            for name, pattern, starts in self._candidates(texts[i], lowered[i]):
                if pattern.search(texts[i]) if starts is None else any(pattern.match(texts[i], a) for a in starts):
                    add([i], f"lexicon:{name}")
        add([i for i in _capitalised_rows(joined, ends) if next(_emphatic(texts[i]), None) and _has_lower(texts[i])], "style:caps")
        add(np.flatnonzero(np.fromiter(map(str.__contains__, texts, repeat("!")), bool, len(texts))).tolist(), "style:exclamation")
        teasers = set(chain.from_iterable(rows_of(tag.finditer(joined)) for tag in _TAGS))
        teasers.update(i for i, lead in enumerate(map(_LEAD.match, texts)) if lead is not None)
        add(sorted(teasers), "style:teaser")
        return np.array(rows, dtype=np.int64), features


def _capitalised_rows(joined: str, ends: np.ndarray) -> list[int]:
    """The rows of a joined batch where a capitalised word can be: a capital followed by three
    capitals or apostrophes, found in numpy over the code points (the regex engine is slower at it)."""
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
    capital = (codes >= ord("A")) & (codes <= ord("Z"))
    part = capital | (codes == ord("'")) | (codes == ord("’"))
    starts = np.flatnonzero(capital[:-3] & part[1:-2] & part[2:-1] & part[3:])
    return np.unique(np.searchsorted(ends, starts)).tolist()


def _emphatic(text: str) -> Iterator[re.Match]:
    """The capitalised words of `text` that are not common acronyms."""
    return (m for m in _CAPS_WORD.finditer(text) if m.group().rstrip("'’S") not in ACRONYMS and m.group() not in ACRONYMS)


def _has_lower(text: str) -> bool:
    """Any lower-case letter (a headline in all capitals emphasises nothing); the regex answers
    ASCII text at C speed."""
    return _ASCII_LOWER.search(text) is not None if text.isascii() else any(c.islower() for c in text)


class _Prefilter:
    """Which headlines of a batch need their lexicon phrases matched, decided on facts of their words.

    A one-word phrase whose forms are whole word runs (`\\w+`, ASCII) matches exactly where a run of
    the lower-cased text is one of its forms, so the word's facts decide it (`direct`: a bit per
    category). Any other phrase needs its first word followed by its second word, directly or after
    one filler word; where that reading is not safe (a first word of several runs, words beyond
    ASCII) its first word alone makes the headline a candidate for the patterns. (Headlines with
    characters that fold unlike str.lower are candidates too: `Lexicon.features_of` adds them.)"""

    def __init__(self, categories: dict[str, list[str]]):
        def runs(word: str) -> set[str] | None:
            found = set()
            for form in _forms(word):
                run = _WORD_RUN.match(form)
                if run is None or not run.group().isascii():
                    return None
                found.add(run.group())
            return found

        self.ids: dict[str, int] = {}

        def number(run: str) -> int:
            return self.ids.setdefault(run, len(self.ids))

        alone, pairs, before_filler = set(), set(), set()
        self.direct: dict[str, int] = {}  # run -> the categories (bits) a one-word phrase of that form gives
        self.everywhere = False
        for bit, phrases in enumerate(categories.values()):
            for phrase in phrases:
                words = phrase.split()
                first = runs(words[0]) if words else None
                if first is None:
                    self.everywhere = True
                    continue
                whole = all(_WORD_RUN.fullmatch(form) for form in _forms(words[0]))
                if len(words) == 1 and whole:
                    for run in first:
                        self.direct[run] = self.direct.get(run, 0) | 1 << bit
                    continue
                second = runs(words[1]) if len(words) > 1 else None
                firsts = [number(run) for run in first]
                if second is None or not whole:
                    alone.update(firsts)
                else:
                    before_filler.update(firsts)
                    seconds = [number(run) for run in second]
                    pairs.update((a, b) for a in firsts for b in seconds)
        self.fillers = frozenset(map(number, FILLERS))
        self.alone, self.before_filler = frozenset(alone), frozenset(before_filler)
        # Tables indexed by run id + 2 (-2: no run, -1: a run no phrase has).
        self.is_pair = np.zeros((len(self.ids) + 2, len(self.ids) + 2), dtype=bool)
        for a, b in pairs:
            self.is_pair[a + 2, b + 2] = True

        def table(ids):
            found = np.zeros(len(self.ids) + 2, dtype=bool)
            found[np.array(sorted(ids), dtype=np.int64) + 2] = True
            return found

        self.is_filler, self.is_before_filler, self.is_alone = table(self.fillers), table(self.before_filler), table(self.alone)
        self.table = WordTable()
        self.table.add("lexicon", self.facts, FACTS)

    def facts(self, words: list[str]) -> np.ndarray:
        """Per white-space word (lower-cased): its direct categories; whether a candidate phrase starts
        inside it (or may, across its end: a first word and a filler as its last runs); the ids of its
        first and last runs (-1: no phrase word; -2: no run); how many runs it has. Found for all the
        words at once, run by run."""
        per_word = list(map(_WORD_RUN.findall, words))
        runs = np.fromiter(map(len, per_word), np.int64, len(words))
        flat = list(chain.from_iterable(per_word))
        ids = np.fromiter(map(self.ids.get, flat, repeat(-1)), np.int64, len(flat))
        word_of = np.repeat(np.arange(len(words)), runs)
        starts = np.cumsum(runs) - runs
        facts = np.zeros((FACTS, len(words)))
        bits = np.fromiter(map(self.direct.get, flat, repeat(0)), np.int64, len(flat))
        np.bitwise_or.at(direct := np.zeros(len(words), np.int64), word_of[bits != 0], bits[bits != 0])
        inside = self.is_alone[ids + 2]
        # A run and the next one in the same word: a phrase's first and second word, or a first word and
        # a filler, followed by the second word in this word or (conservatively) in the next.
        left = runs[word_of] - (np.arange(len(flat)) - starts[word_of])  # runs from this one to the word's end
        a, b = ids[:-1] + 2, ids[1:] + 2
        c = np.append(ids[2:], -1)[: len(a)] + 2
        pair = (left[:-1] >= 2) & self.is_pair[a, b]
        filler = (left[:-1] >= 2) & ~pair & self.is_before_filler[a] & self.is_filler[b]
        inside[:-1] |= pair | (filler & ((left[:-1] == 2) | ((left[:-1] >= 3) & self.is_pair[a, c])))
        has = runs > 0
        facts[0] = direct
        facts[1] = np.bincount(word_of, inside, minlength=len(words)) > 0
        facts[2] = np.where(has, ids[np.minimum(starts, len(flat) - 1)] if len(flat) else -2, -2)
        facts[3] = np.where(has, ids[np.maximum(starts + runs - 1, 0)] if len(flat) else -2, -2)
        facts[4] = runs
        return facts

    def rows(self, words: list[str], word_rows: np.ndarray, size: int, anywhere: bool,
             facts: np.ndarray | None = None) -> tuple[np.ndarray, list[int]]:
        """(direct categories of each of `size` headlines as bits, the headlines whose phrases must be
        matched), from their white-space words; `facts`: those of `words`, if the caller has them."""
        if anywhere or self.everywhere:
            return np.zeros(size, dtype=np.int64), list(range(size))
        direct_bits, inside, first, last, runs = self.table.gather(words).facts[:] if facts is None else facts
        direct = np.zeros(size, dtype=np.int64)
        bits = direct_bits.astype(np.int64)
        np.bitwise_or.at(direct, word_rows[bits != 0], bits[bits != 0])
        # Across words: the last run of one word, then the next words with runs in the same row.
        # Run ids are offset by 2 to index the tables (-2: no run, -1: no phrase word).
        with_runs = np.flatnonzero(first != -2)
        row = word_rows[with_runs]
        a = last[with_runs].astype(np.int64) + 2
        b = np.ones(len(with_runs), dtype=np.int64)  # the next word's first run
        c = np.ones(len(with_runs), dtype=np.int64)  # the first run of the word after that
        b_runs = np.zeros(len(with_runs))
        same = row[1:] == row[:-1]
        b[:-1][same] = first[with_runs[1:]][same] + 2
        b_runs[:-1][same] = runs[with_runs[1:]][same]
        same2 = same[:-1] & same[1:]
        c[:-2][same2] = first[with_runs[2:]][same2] + 2
        pair = self.is_pair[a, b]
        # A filler between: its word must be that one run, followed by the second word (else: maybe).
        filler = ~pair & self.is_filler[b] & self.is_before_filler[a]
        across = pair | (filler & ((b_runs > 1) | self.is_pair[a, c]))
        candidates = set(word_rows[inside > 0].tolist())
        candidates.update(row[across].tolist())
        return direct, sorted(candidates)
