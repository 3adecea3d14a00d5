"""Properties of scoring that hold for any input, checked with hypothesis on the tiny model."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensational.batch import records_for
from sensational.inputs import checked_row
from sensational.predictor import Sensational

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Any code point, lone surrogates included (a JSON string such as "\ud800" decodes to one).
# (st.text drops surrogates from any alphabet, so the string is built from characters.)
any_text = st.lists(st.characters() | st.characters(categories=["Cs"]), max_size=300).map("".join)
# Headline-like text: words, capitals, punctuation and some non-ASCII letters.
headline = st.text(alphabet=st.sampled_from(list("abcdefghij KLMNOP!?'’-,:İéß😱\t")), min_size=1, max_size=80)


@pytest.fixture(scope="module")
def model(tiny_model):
    return Sensational.load(tiny_model)


def rows(texts):
    return [checked_row(number, text, f"item {number}") for number, text in enumerate(texts, start=1)]


@SETTINGS
@given(text=any_text)
def test_any_string_gives_a_score_or_an_error_record(model, text):
    (record,) = records_for(model, rows([text]), top_phrases=5, threshold=None)
    if record.get("error"):
        assert record["score"] is None and record["flagged"] is None
    else:
        assert 0.0 <= record["score"] <= 1.0
        categories = record["categories"]
        assert all(c["flagged"] == (c["score"] >= c["threshold"]) for c in categories.values())
        assert record["flagged"] == any(c["flagged"] for c in categories.values())
        assert record["score"] == categories["sensational"]["score"]
        for phrase in record["phrases"]:
            assert 0 <= phrase["start"] < phrase["end"] <= len(record["headline"])
            assert record["headline"][phrase["start"] : phrase["end"]] == phrase["text"]
    # Every record can be written as the CLI and the service write it: UTF-8 JSON.
    json.dumps(record, ensure_ascii=False, allow_nan=False).encode("utf-8")


@SETTINGS
@given(texts=st.lists(headline, min_size=1, max_size=12))
def test_a_batch_scores_as_each_headline_alone(model, texts):
    batch = records_for(model, rows(texts), top_phrases=3, threshold=None)
    alone = [records_for(model, [row], top_phrases=3, threshold=None)[0] for row in rows(texts)]
    assert batch == alone


@SETTINGS
@given(texts=st.lists(headline, min_size=1, max_size=12), data=st.data())
def test_shuffling_a_batch_permutes_its_records(model, texts, data):
    order = data.draw(st.permutations(range(len(texts))))
    original = rows(texts)
    records = records_for(model, original, top_phrases=3, threshold=None)
    shuffled = records_for(model, [original[i] for i in order], top_phrases=3, threshold=None)
    assert shuffled == [records[i] for i in order]
