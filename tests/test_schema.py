"""The JSON Schema for output records describes what the CLI really writes, and is generated from the
record's declaration and the model's heads."""

import json
from types import SimpleNamespace

from jsonschema import Draft202012Validator

from sensational.cli import EXIT_MODEL, app
from tests.helpers import cli_records

MIXED_TXT = b"Trump SLAMS furious judge in shocking rant\n\n   \nbad \xff byte\nnul \x00 byte\n" + b"y" * 5000 + b"\nSenate passes budget bill\n"
MIXED_JSONL = (
    '{"id": "a", "headline": "You Won\'t Believe What This Dog Did Next", "desk": "pets"}\n'
    "{broken\n"
    '{"id": 7, "headline": 42}\n'
    '"just a string"\n'
    '{"title": "no headline"}\n'
)
MIXED_CSV = "id,headline,desk\n1,Earthquake strikes coast,world\n2,too,many,fields\n3,,empty\n"


def test_every_cli_record_of_good_and_bad_input_matches_the_schema(tiny_model, tmp_path, record_validator):
    (tmp_path / "in.txt").write_bytes(MIXED_TXT)
    (tmp_path / "in.jsonl").write_text(MIXED_JSONL)
    (tmp_path / "in.csv").write_text(MIXED_CSV)
    runs = [
        cli_records(tiny_model, ["--input", str(tmp_path / "in.txt")]),
        cli_records(tiny_model, ["-"], stdin=MIXED_TXT),
        cli_records(tiny_model, ["--input", str(tmp_path / "in.jsonl"), "--keep-column", "desk"]),
        cli_records(tiny_model, ["--input", str(tmp_path / "in.csv"), "--keep-column", "desk", "--top-phrases", "0"]),
        cli_records(tiny_model, ["A shocking headline", "", "Another one", "--threshold", "0"]),
    ]
    records = [record for run in runs for record in run]
    assert len(records) == 7 + 7 + 5 + 3 + 3
    assert any(r.get("error") for r in records) and any(r.get("truncated") for r in records)
    assert any(r["phrases"] for r in records) and any("desk" in r for r in records)
    for record in records:
        errors = [e.message for e in record_validator.iter_errors(record)]
        assert not errors, (record, errors)


def test_the_schema_rejects_what_is_not_a_record(tiny_model, record_validator):
    (good,) = cli_records(tiny_model, ["Senate passes budget bill"])
    assert record_validator.is_valid(good)
    sensational = good["categories"]["sensational"]
    assert "framing" in sensational  # the tiny model has a framing-type model
    broken = [
        {k: v for k, v in good.items() if k != "score"},
        {**good, "score": 1.5},
        {**good, "schema_version": 2},
        {**good, "categories": {**good["categories"], "clickbait": {"score": 0.5}}},
        {**good, "categories": {"clickbait": good["categories"]["clickbait"]}},  # sensational is always there
        {**good, "categories": {**good["categories"], "teaser": good["categories"]["sensational"]}},  # not a head
        {**good, "id": 1.5},  # ids are strings or integers
        {**good, "categories": {**good["categories"], "sensational": {**sensational, "framing": {"alarm": 1.5, "shock": 0.0}}}},
        {**good, "categories": {**good["categories"], "sensational": {**sensational, "framing": {"alarm": "most"}}}},
        {k: v for k, v in good.items() if k != "warnings"},
        {**good, "warnings": ["unreadable"]},
        {**good, "model": {"name": "sensational"}},
        {**good, "phrases": [{"text": "x", "start": 0, "end": 1, "weight": 0.1, "category": None}]},  # no head
        {**good, "error": "line 1: empty headline"},  # an error record has no score
        {**good, "score": None},  # and a scored one has no null score
    ]
    for record in broken:
        assert not record_validator.is_valid(record), record


def test_the_schema_lists_exactly_the_fields_the_record_builder_lays_out():
    # make_record is the one place a record's fields are laid out; the CLI and the service add only
    # the fields the declaration marks `added`.
    from sensational.record import RECORD_FIELDS, make_record, record_schema

    schema = record_schema({"sensational": SimpleNamespace(strength=None)})
    result = {"score": 0.5, "flagged": True, "threshold": 0.5, "phrases": []}
    scored = make_record("h", {"name": "sensational", "fingerprint": "0" * 16}, {"sensational": result})
    failed = make_record("h", {"name": "sensational", "fingerprint": "0" * 16}, error="line 1: empty headline")
    added = {name for name, field in RECORD_FIELDS.items() if field.added}
    assert added == {"id", "schema_version", "truncated"}
    assert set(scored) | set(failed) | added == set(schema["properties"])
    assert set(schema["required"]) - added <= set(scored) & set(failed)


def test_the_committed_schema_is_the_generated_one_for_the_shipped_model(shipped_model):
    from importlib.resources import files

    from sensational.record import schema_text

    committed = (files("sensational") / "schema" / "record.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(shipped_model), (
        "model/schema/record.schema.json is out of date: .venv/bin/sensational schema > model/schema/record.schema.json"
    )


def test_the_schema_command_prints_the_models_schema(tiny_model, tmp_path):
    from sensational.predictor import Sensational
    from sensational.record import record_schema
    from tests.helpers import runner

    result = runner.invoke(app, ["schema", "--model", str(tiny_model)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == record_schema(Sensational.load(tiny_model).heads)
    assert runner.invoke(app, ["schema", "--model", str(tmp_path / "missing.joblib")]).exit_code == EXIT_MODEL


def test_categories_follow_the_heads_any_set_of_them():
    from sensational.record import record_schema

    record = {"id": 1, "headline": "h", "flagged": False, "score": 0.1, "phrases": [], "warnings": [],
              "model": {"name": "sensational", "fingerprint": "0" * 16}, "schema_version": 3}
    plain = {"score": 0.1, "flagged": False, "threshold": 0.5}
    heads = {"sensational": SimpleNamespace(strength=None), "teaser": SimpleNamespace(strength={"x": []})}
    validator = Draft202012Validator(record_schema(heads))
    assert validator.is_valid({**record, "categories": {"sensational": plain, "teaser": {**plain, "strength": 0.2}}})
    for categories in (
        {"sensational": plain, "teaser": plain},  # a graded head always gives its strength
        {"sensational": {**plain, "strength": 0.2}, "teaser": {**plain, "strength": 0.2}},  # and only it
        {"sensational": plain},  # every head is a category
        {"sensational": plain, "teaser": {**plain, "strength": 0.2}, "clickbait": plain},  # and nothing else is
    ):
        assert not validator.is_valid({**record, "categories": categories}), categories
