"""The shipped model on what its users care about: sensational framing flagged, plain reports of
dramatic events not flagged, and the phrases behind a flag pointing at the right words."""

import pytest

from sensational.predictor import Sensational

NEUTRAL_DRAMATIC = [
    "Gunman kills 12 at Texas school",
    "Earthquake of magnitude 6.1 strikes off Japan coast",
    "Floods leave thousands homeless in Bangladesh",
    "Police charge man with murder after Leeds stabbing",
    "Three dead as train derails near Munich",
    "Hurricane makes landfall in Florida as category 4 storm",
    "Wildfire forces evacuation of 20,000 residents in California",
    "Court sentences former minister to 10 years for corruption",
    "Death toll from Turkey earthquake rises to 4,000",
    "Russian missile strike hits apartment block in Kyiv, officials say",
    "Plane crash in Nepal kills 68 passengers",
    "Central bank raises interest rates to curb inflation",
]


@pytest.fixture(scope="module")
def model(shipped_model):
    return Sensational.load(shipped_model)


def phrase_texts(record):
    return [p["text"].lower() for p in record["phrases"]]


def test_gloating_idiom_is_flagged_and_explained(model):
    headline = "Putin rubbing hands as 'scared Europe losing financial war'"
    record = model.predict(headline)
    assert record["flagged"], record
    assert "rubbing hands" in phrase_texts(record)
    phrase = next(p for p in record["phrases"] if p["text"].lower() == "rubbing hands")
    assert (phrase["start"], phrase["end"]) == (6, 19) and headline[6:19] == "rubbing hands"
    assert phrase["category"] == "gloating" and phrase["weight"] > 0


def test_alarm_idiom_is_flagged_and_explained(model):
    headline = "Russia military ringing alarm bells at they warn Putin We cannot do tasks assigned"
    record = model.predict(headline)
    assert record["flagged"], record
    texts = phrase_texts(record)
    assert "ringing alarm bells" in texts or "alarm bells" in texts
    phrase = next(p for p in record["phrases"] if "alarm bells" in p["text"].lower())
    assert headline[phrase["start"] : phrase["end"]] == phrase["text"]
    assert phrase["category"] == "alarm" and phrase["weight"] > 0


@pytest.mark.parametrize("headline", NEUTRAL_DRAMATIC)
def test_plain_reports_of_dramatic_events_are_not_flagged(model, headline):
    record = model.predict(headline)
    assert not record["flagged"], record


def test_framing_categories_carry_learned_positive_weights(model):
    scorer = model.product.scorer
    framing = scorer.indexes[[block.name for block in scorer.blocks].index("framing")]
    for category in ("lexicon:alarm", "lexicon:gloating", "lexicon:conflict", "lexicon:shock"):
        assert scorer.coef[framing[category]] > 0, category


def test_an_idiom_no_training_headline_contains_scores_through_its_category(model):
    # "rubs his hands" appears in no training headline; its lexicon category still lifts the score.
    plain = model.scores(["Minister watches as rival party loses votes"])[0]
    framed = model.scores(["Minister rubs his hands as rival party loses votes"])[0]
    assert framed > plain
