import pytest

from sensational.lexicon import Lexicon, word_forms
from sensational.paths import DATA_DIR

LEXICON = Lexicon.from_file(DATA_DIR / "lexicon" / "framing.toml")


def found(text):
    return [(feature, text[start:end]) for feature, start, end in LEXICON.matches(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Putin rubbing hands as Europe struggles", ("lexicon:gloating", "rubbing hands")),
        ("Putin rubs his hands as Europe struggles", ("lexicon:gloating", "rubs his hands")),
        ("Markets ringing alarm bells", ("lexicon:alarm", "ringing alarm bells")),
        ("Alarm bells ring in Brussels", ("lexicon:alarm", "Alarm bells ring")),
        ("Plan sparks fury among farmers", ("lexicon:conflict", "sparks fury")),
        ("Senator slammed over remarks", ("lexicon:conflict", "slammed")),
        ("Trump SLAMS judge", ("style:caps", "SLAMS")),
        ("Crash on motorway [VIDEO]", ("style:teaser", "[VIDEO]")),
        ("WATCH: senator speaks", ("style:teaser", "WATCH:")),
        ("Unbelievable!!", ("style:exclamation", "!!")),
    ],
)
def test_matches_inflections_and_variations(text, expected):
    assert expected in found(text)


@pytest.mark.parametrize(
    "text", ["NATO and the FBI meet in the USA", "Senate passes budget bill", "THE WHOLE HEADLINE IN CAPITALS"]
)
def test_acronyms_plain_headlines_and_all_caps_headlines_do_not_fire_emphasis(text):
    assert not [f for f, _ in found(text) if f == "style:caps"]


def test_word_forms_cover_regular_inflections():
    import re

    pattern = re.compile(rf"^{word_forms('rub')}$")
    assert all(pattern.match(w) for w in ("rub", "rubs", "rubbed", "rubbing"))
    assert re.match(rf"^{word_forms('spark')}$", "sparking")
    assert not pattern.match("rubber")
