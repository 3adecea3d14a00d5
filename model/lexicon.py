"""A framing lexicon: categories of sensational phrases, matched with their inflections.

The phrases live in `data/lexicon/framing.toml`, written by the team. A match yields its category as
a feature (`lexicon:alarm`); the logistic regression learns each category's weight. Typographic
emphasis (ALL-CAPS words, exclamation marks, teaser tags such as "[VIDEO]") is matched by rules and
named `style:*`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

# Words that may stand between the words of an idiom: "rubs HIS hands", "sound THE alarm".
_FILLER = r"(?:(?:his|her|their|its|the|a|an|our|my|your|own|with)\s+)?"
_PHRASE_GAP = r"[\s\-]+" + _FILLER

# Common acronyms are capitals without being emphasis.
ACRONYMS = frozenset(
    """NATO NASA ISIS NCAA NAFTA OPEC FIFA UEFA NYPD LAPD LGBT LGBTQ COVID NAACP ACLU AIPAC CNBC MSNBC
    USMCA DACA IRAN SNAP HUD NFL NBA NHL MLB CEO CFO GOP DNC RNC EPA FBI CIA NSA IRS DOJ DHS ICE
    BBC CNN NPR ABC CBS NBC HBO UK USA US EU UN AIDS HIV NHS MP MPS PM TV DNA GDP IMF WHO""".split()
)

_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’]{3,}\b")
_EXCLAMATION = re.compile(r"!+")
_TEASER = re.compile(
    r"[\[(](?:video|videos|pics?|photos?|watch|gallery|poll|live|listen|audio)[\])]"
    r"|^\s*(?:watch|video|breaking|listen|must[ -]see|pics|photos|revealed)\s*[:\-–—]",
    re.IGNORECASE,
)


def word_forms(word: str) -> str:
    """A pattern for a word and its regular inflections: rub -> rub|rubs|rubbed|rubbing."""
    word = word.lower()
    forms = {word, word + "s", word + "es", word + "ed", word + "ing", word + "d"}
    if word.endswith("e"):
        forms |= {word[:-1] + "ing"}
    if word.endswith("y") and len(word) > 2:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) >= 3 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}  # rub -> rubbing
    return "(?:" + "|".join(sorted(map(re.escape, forms), key=len, reverse=True)) + ")"


def phrase_pattern(phrase: str) -> str:
    words = phrase.split()
    return r"\b" + _PHRASE_GAP.join(word_forms(w) for w in words) + r"\b"


class Lexicon:
    """Compiled categories; `matches(text)` gives (feature, start, end) for every match."""

    def __init__(self, categories: dict[str, list[str]]):
        self.categories = {name: sorted(set(phrases)) for name, phrases in categories.items()}
        self._patterns = {
            # Longest phrases first, so "alarm bells ring" wins over "alarm bells".
            name: re.compile(
                "|".join(phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True)), re.IGNORECASE
            )
            for name, phrases in self.categories.items()
            if phrases
        }

    @classmethod
    def from_file(cls, path: Path) -> "Lexicon":
        with open(path, "rb") as handle:
            table = tomllib.load(handle)
        return cls({name: spec["phrases"] for name, spec in table.get("categories", {}).items()})

    def matches(self, text: str) -> list[tuple[str, int, int]]:
        found = []
        for name, pattern in self._patterns.items():
            found.extend((f"lexicon:{name}", m.start(), m.end()) for m in pattern.finditer(text))
        if any(c.islower() for c in text):  # a headline in all capitals emphasises nothing
            found.extend(
                ("style:caps", m.start(), m.end())
                for m in _CAPS_WORD.finditer(text)
                if m.group().rstrip("'’S") not in ACRONYMS and m.group() not in ACRONYMS
            )
        found.extend(("style:exclamation", m.start(), m.end()) for m in _EXCLAMATION.finditer(text))
        found.extend(("style:teaser", m.start(), m.end()) for m in _TEASER.finditer(text))
        return sorted(found, key=lambda match: (match[1], match[2], match[0]))
