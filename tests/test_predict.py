import io
import json

import pytest

from sensational.batch import run_predict
from sensational.inputs import MAX_CHARS, InputError
from sensational.predictor import Sensational

RECORD_FIELDS = {"id", "headline", "flagged", "score", "categories", "phrases", "warnings", "model", "schema_version"}


@pytest.fixture(scope="module")
def model(tiny_model):
    return Sensational.load(tiny_model)


def test_predict_takes_a_string_or_a_list(model):
    one = model.predict("Trump SLAMS furious judge in shocking rant")
    many = model.predict(["Trump SLAMS furious judge in shocking rant", "Senate passes budget bill"])
    assert isinstance(one, dict) and isinstance(many, list) and len(many) == 2
    assert one["score"] == many[0]["score"]
    assert set(one) == RECORD_FIELDS - {"id", "schema_version"}
    assert 0.0 <= one["score"] <= 1.0
    assert one["score"] == one["categories"]["sensational"]["score"]
    assert one["flagged"] == any(c["score"] >= c["threshold"] for c in one["categories"].values())
    assert one["model"]["fingerprint"] == model.model_info["fingerprint"]


def test_phrase_offsets_point_at_the_words(model):
    headline = "Minister's plan sparks fury and outrage among farmers"
    record = model.predict(headline, top_phrases=5)
    assert record["phrases"], "a sensational training headline should have positive phrases"
    for phrase in record["phrases"]:
        assert headline[phrase["start"] : phrase["end"]] == phrase["text"]
        assert phrase["weight"] > 0
    weights = [p["weight"] for p in record["phrases"]]
    assert weights == sorted(weights, reverse=True)
    spans = sorted((p["start"], p["end"]) for p in record["phrases"])
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "phrases do not overlap"


def test_top_phrases_zero_turns_explanations_off_and_threshold_overrides(model):
    record = model.predict("Senate passes budget bill", top_phrases=0, threshold=0.0)
    assert record["phrases"] == [] and record["flagged"] is True
    sensational = {key: value for key, value in record["categories"]["sensational"].items() if key != "framing"}
    assert sensational == {"score": record["score"], "flagged": True, "threshold": 0.0}  # framing: shares, no flag


def run(tmp_path, tiny_model, *headlines, **options):
    out = tmp_path / "out.jsonl"
    summary = run_predict(list(headlines), model_path=tiny_model, output_path=out, **options)
    return summary, [json.loads(line) for line in out.read_text().splitlines()]


def test_txt_input_keeps_order_and_line_numbers(tmp_path, tiny_model):
    path = tmp_path / "in.txt"
    path.write_text("First headline here\n\nThird headline here\n")
    summary, records = run(tmp_path, tiny_model, input_path=path)
    assert [r["id"] for r in records] == [1, 2, 3]
    assert records[1]["error"] == "line 2: empty headline" and records[1]["score"] is None
    assert (summary.scored, summary.failed) == (2, 1)


def test_csv_and_tsv_use_the_id_and_text_columns(tmp_path, tiny_model):
    path = tmp_path / "in.csv"
    path.write_text('id,title,desk\na1,"Quake, strong, hits coast",world\na2,Senate passes bill,politics\n')
    _, records = run(tmp_path, tiny_model, input_path=path, text_column="title", keep_columns=["desk"])
    assert [(r["id"], r["headline"], r["desk"]) for r in records] == [
        ("a1", "Quake, strong, hits coast", "world"),
        ("a2", "Senate passes bill", "politics"),
    ]
    tsv = tmp_path / "in.tsv"
    tsv.write_text("headline\nTab separated headline\n")
    _, records = run(tmp_path, tiny_model, input_path=tsv)
    assert records[0]["id"] == 2 and records[0]["headline"] == "Tab separated headline"


def test_jsonl_input_and_its_bad_rows(tmp_path, tiny_model):
    path = tmp_path / "in.jsonl"
    path.write_text(
        '{"headline": "A fine headline"}\n'
        "{broken\n"
        '{"headline": 42}\n'
        '["not", "an", "object"]\n'
        '{"title": "no headline field"}\n'
        '{"headline": "Last one"}\n'
    )
    _, records = run(tmp_path, tiny_model, input_path=path)
    assert [r["id"] for r in records] == [1, 2, 3, 4, 5, 6]  # no line has an id: line numbers
    errors = [r.get("error") for r in records]
    assert errors[0] is None and errors[5] is None
    assert errors[1].startswith("line 2: malformed JSON")
    assert errors[2] == "line 3: headline is int, expected a string"
    assert errors[3] == "line 4: expected a JSON object, got list"
    assert errors[4] == "line 5: no 'headline' field"


def test_bad_bytes_nul_and_overlong_lines(tmp_path, tiny_model):
    path = tmp_path / "in.txt"
    path.write_bytes(b"good one\nbad \xff byte\nnul \x00 byte\n" + b"x" * 100_000 + b"\nlast\n")
    _, records = run(tmp_path, tiny_model, input_path=path)
    assert [r["id"] for r in records] == [1, 2, 3, 4, 5]
    assert records[1]["error"].startswith("line 2: not valid UTF-8")
    assert records[2]["error"] == "line 3: headline contains a NUL byte"
    assert records[3]["truncated"] is True and len(records[3]["headline"]) == MAX_CHARS
    assert records[4]["score"] is not None


def test_csv_row_with_wrong_field_count(tmp_path, tiny_model):
    path = tmp_path / "in.csv"
    path.write_text("id,headline\n1,ok headline\n2,too,many\n3,fine again\n")
    _, records = run(tmp_path, tiny_model, input_path=path)
    assert [r["id"] for r in records] == ["1", "2", "3"]  # the id is the first column: still readable
    assert records[1]["error"] == "line 3: 3 fields, the header has 2"


def test_missing_text_column_fails_at_once_and_writes_nothing(tmp_path, tiny_model):
    path = tmp_path / "in.csv"
    path.write_text("id,title\n1,x\n")
    with pytest.raises(InputError, match="no column 'headline'"):
        run(tmp_path, tiny_model, input_path=path)
    assert not (tmp_path / "out.jsonl").exists()


def test_stdin_stream_is_scored_in_order(tiny_model):
    lines = "".join(f"Headline number {i} about things\n" for i in range(2000)).encode()
    out = io.StringIO()
    from sensational.batch import score_rows
    from sensational.inputs import from_lines
    from sensational.outputs import JsonlWriter

    model = Sensational.load(tiny_model)
    summary = score_rows(model, from_lines(io.BytesIO(lines)), JsonlWriter(out, [], {}), out, top_phrases=1, batch_size=64)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert summary.scored == 2000 and [r["id"] for r in records] == list(range(1, 2001))
    assert records[1999]["headline"] == "Headline number 1999 about things"


def test_batch_equals_one_by_one(model):
    headlines = ["Trump SLAMS judge", "Senate passes bill", "17 Photos That Will Make You Feel Old"]
    assert model.scores(headlines) == [model.scores([h])[0] for h in headlines]


def test_lone_surrogates_get_error_records_instead_of_crashing_the_writer(tmp_path, tiny_model):
    path = tmp_path / "in.jsonl"
    path.write_text(
        '{"id": 1, "headline": "ok one"}\n{"id": 2, "headline": "\\ud800 shock"}\n'
        '{"id": "\\udc80", "headline": "x"}\n{"id": 4, "headline": "last"}\n'
    )
    summary, records = run(tmp_path, tiny_model, input_path=path)
    assert [r["id"] for r in records] == [1, 2, "", 4] and (summary.scored, summary.failed) == (2, 2)
    assert records[1]["error"] == "line 2: headline is not valid Unicode (a lone surrogate)"
    assert records[2]["error"] == "line 3: id is not valid Unicode (a lone surrogate)"
    _, records = run(tmp_path, tiny_model, "ok", "bad \udcff argv byte")
    assert records[1]["error"] == "argument 2: headline is not valid Unicode (a lone surrogate)"


def test_jsonl_id_that_is_not_a_string_or_integer_is_a_row_error(tmp_path, tiny_model):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": [1], "headline": "A headline"}\n{"id": true, "headline": "B"}\n{"id": 7, "headline": "C"}\n')
    _, records = run(tmp_path, tiny_model, input_path=path)
    assert [r["id"] for r in records] == ["", "", 7]  # an id that cannot be read is "", not a line number
    assert records[0]["error"] == "line 1: id is list, expected a string or an integer"
    assert records[1]["error"] == "line 2: id is bool, expected a string or an integer"
    assert records[2]["score"] is not None


def test_clickbait_phrases_are_given_only_where_the_clickbait_head_flags(model):
    teaser, plain = model.predict(["You Won't Believe What This Dog Did Next", "Senate passes budget bill"])

    def heads(record):
        return {phrase["head"] for phrase in record["phrases"]}

    assert teaser["categories"]["clickbait"]["flagged"] and heads(teaser) == {"sensational", "clickbait"}
    assert not plain["categories"]["clickbait"]["flagged"] and "clickbait" not in heads(plain)
