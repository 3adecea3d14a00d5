"""Record v3 as moderation tools read it: one `flagged` to route on, a score, flag and threshold per
category, thresholds per category from the API, the CLI and the service, and warnings for what the
model cannot read."""

import csv
import io
import json

import pytest
from jsonschema import Draft202012Validator
from rich.console import Console

from sensational.cli import app
from sensational.coverage import warning_rates
from sensational.outputs import spreadsheet_safe
from sensational.predictor import Sensational
from sensational.progress import estimated_rows, file_progress
from sensational.record import record_schema
from tests.helpers import cli_records, runner, service_records

TEASER = "17 Photos That Will Make You Feel Old"  # curiosity gap: clickbait, not sensational framing
ENGLISH = "Central bank holds interest rates at 4.5 percent"


@pytest.fixture(scope="module")
def shipped(shipped_model):
    return Sensational.load(shipped_model)


def test_a_teaser_only_the_clickbait_head_flags_is_flagged_at_the_top(shipped):
    record = shipped.predict(TEASER)
    assert record["categories"]["clickbait"]["flagged"] and not record["categories"]["sensational"]["flagged"]
    assert record["flagged"] is True
    assert record["score"] == record["categories"]["sensational"]["score"]
    assert {phrase["head"] for phrase in record["phrases"]} == {"sensational", "clickbait"}


def test_categories_are_the_artifacts_heads(shipped):
    record = shipped.predict(ENGLISH)
    assert list(record["categories"]) == list(shipped.heads) == ["sensational", "clickbait"]
    for name, category in record["categories"].items():
        assert category["threshold"] == shipped.heads[name].threshold
    assert record["flagged"] is False


def test_thresholds_per_category_in_the_python_api(shipped):
    record = shipped.predict(TEASER, threshold={"clickbait": 1.0, "sensational": 0.0})
    clickbait = record["categories"]["clickbait"]
    assert (clickbait["flagged"], clickbait["threshold"]) == (False, 1.0)
    assert 0.0 <= clickbait["strength"] <= 1.0  # the graded strength does not depend on the threshold
    assert record["categories"]["sensational"]["flagged"] and record["flagged"]
    bare = shipped.predict(TEASER, threshold=0.9)  # a number is the sensational head's threshold
    assert bare["categories"]["sensational"]["threshold"] == 0.9
    assert bare["categories"]["clickbait"]["threshold"] == shipped.heads["clickbait"].threshold
    with pytest.raises(ValueError, match="no category 'alarm'"):
        shipped.predict(TEASER, threshold={"alarm": 0.5})
    with pytest.raises(ValueError, match="not between 0 and 1"):
        shipped.predict(TEASER, threshold={"clickbait": 1.5})


def test_thresholds_per_category_in_the_cli(tiny_model):
    (record,) = cli_records(tiny_model, [TEASER, "--threshold", "sensational=0.4", "--threshold", "clickbait=0.7"])
    assert {name: c["threshold"] for name, c in record["categories"].items()} == {"sensational": 0.4, "clickbait": 0.7}
    (record,) = cli_records(tiny_model, [TEASER, "--threshold", "0.25"])
    assert record["categories"]["sensational"]["threshold"] == 0.25


def test_thresholds_per_category_in_the_service(client, tiny_model):
    (record,) = service_records(client, [TEASER], threshold={"clickbait": 0.0})
    assert record["categories"]["clickbait"]["flagged"] and record["flagged"]
    (record,) = service_records(client, [TEASER], threshold=0.0)
    sensational = {key: value for key, value in record["categories"]["sensational"].items() if key != "framing"}
    assert sensational == {"score": record["score"], "flagged": True, "threshold": 0.0}  # framing: shares, no flag
    for bad in ({"alarm": 0.5}, {"clickbait": 1.5}, {"clickbait": "high"}):
        response = client.post("/v1/score", json={"headlines": [TEASER], "threshold": bad})
        assert response.status_code == 422, (bad, response.text)
    assert client.get("/healthz").json()["thresholds"] == Sensational.load(tiny_model).thresholds()


@pytest.mark.parametrize(
    "headline, warnings",
    [
        ("Путин потирает руки", ["language"]),  # its word pieces are in the semantic block's vocabulary
        ("🔥🔥🔥", ["no_features"]),
        ("\u200b\u200b", ["no_features"]),
        ("Le gouvernement annonce une réforme des retraites", ["language"]),
        (ENGLISH, []),
        ("Trump SLAMS 'disgraceful' judge in furious late-night tweetstorm", []),
        (TEASER, []),
    ],
)
def test_warnings_say_what_the_model_cannot_read(shipped, headline, warnings):
    assert shipped.predict(headline)["warnings"] == warnings


def test_a_headline_no_head_knows_anything_of_is_flagged_by_none(shipped):
    # Its scores are the heads' priors (the clickbait head's is above its threshold): no evidence, no flag.
    for headline in ["", "🔥🔥🔥", "\u200b\u200b"]:
        record = shipped.predict(headline, threshold={"sensational": 0.0, "clickbait": 0.0})
        assert record["warnings"] == ["no_features"] and record["flagged"] is False, headline
        assert all(not category["flagged"] and category["score"] > 0 for category in record["categories"].values())
    assert shipped.predict("Trump SLAMS furious judge", threshold=0.0)["categories"]["sensational"]["flagged"]


def test_error_records_have_no_categories_and_no_warnings(tiny_model):
    ok, empty = cli_records(tiny_model, ["Senate passes bill", " "])
    assert ok["warnings"] == [] and ok["categories"]
    assert (empty["flagged"], empty["score"], empty["categories"], empty["warnings"]) == (None, None, None, [])


def test_warning_rates_count_each_code(shipped):
    rates = warning_rates(shipped, ["Путин потирает руки", "🔥🔥🔥", ENGLISH, TEASER])
    assert rates == {"language": 0.25, "no_features": 0.25}
    assert warning_rates(shipped, []) == {"language": 0.0, "no_features": 0.0}


@pytest.mark.parametrize(
    "cell, written",
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Plain headline = fine", "Plain headline = fine"),
        (-0.5, -0.5),
        (None, None),
    ],
)
def test_spreadsheet_safe_follows_the_owasp_rule(cell, written):
    assert spreadsheet_safe(cell) == written


def test_csv_output_escapes_formulas_unless_raw(tiny_model, tmp_path):
    headline = '=HYPERLINK("x")'

    def cells(*options):
        out = tmp_path / "out.csv"
        result = runner.invoke(app, ["predict", headline, "-f", "csv", "-o", str(out), "--model", str(tiny_model), *options])
        assert result.exit_code == 0, result.output
        return next(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))

    row = cells()
    assert row["headline"] == "'" + headline
    assert json.loads(row["phrases"]) is not None and row["sensational_score"] == row["score"]
    assert cells("--raw-csv")["headline"] == headline


def test_summary_counts_categories_and_the_flag_rate(tiny_model):
    result = runner.invoke(app, ["predict", TEASER, "Senate passes bill", "", "--summary", "--model", str(tiny_model)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    flagged = sum(bool(r["flagged"]) for r in records)
    assert "3 rows: 2 scored, 1 could not be scored" in result.stderr
    assert f"flagged (any category): {flagged} ({flagged / 2:.1%})" in result.stderr
    assert "  sensational: " in result.stderr and "  clickbait: " in result.stderr


def test_progress_is_silent_off_a_terminal_and_a_bar_on_one(tiny_model, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,headline\n" + "".join(f"{i},Headline number {i}\n" for i in range(50)))
    assert estimated_rows(path) == 50
    result = runner.invoke(app, ["predict", "--input", str(path), "--model", str(tiny_model)])
    assert result.exit_code == 0 and result.stderr == ""  # CliRunner's stderr is no terminal

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    with file_progress(path, console=console) as advance:
        advance(20)
        advance(30)
    assert "scoring in.csv" in screen.getvalue() and "50/50" in screen.getvalue()


def test_a_head_added_to_the_config_is_a_category_everywhere(tiny_config, tmp_path, record_validator):
    from sensational.train.training import train_model

    config = tiny_config.with_name("three_heads.toml")  # beside the tiny data its paths are relative to
    config.write_text(tiny_config.read_text() + "\n[heads.teaser]\nC = 4.0\nsoft_targets = false\nsources = { chak = 1.0 }\n")
    path = tmp_path / "three.joblib"
    train_model(config, path, log=lambda message: None)
    (record,) = cli_records(path, [TEASER, "--threshold", "teaser=0.01"])
    assert list(record["categories"]) == ["sensational", "clickbait", "teaser"]
    assert record["categories"]["teaser"]["threshold"] == 0.01 and record["flagged"]
    own_schema = Draft202012Validator(record_schema(Sensational.load(path).heads))
    assert own_schema.is_valid(record) and not record_validator.is_valid(record)  # the shipped schema has two categories
    out = tmp_path / "out.csv"
    assert runner.invoke(app, ["predict", TEASER, "-f", "csv", "-o", str(out), "--model", str(path)]).exit_code == 0
    assert "teaser_score,teaser_flagged,teaser_threshold" in out.read_text().splitlines()[0]
