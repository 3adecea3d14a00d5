import csv
import io
import json

from typer.testing import CliRunner

from sensational.cli import EXIT_ROWS_FAILED, app

runner = CliRunner()


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_predict_argument_prints_one_json_line_with_every_field(tiny_model):
    result = runner.invoke(app, ["predict", "Trump SLAMS furious judge", "--model", str(tiny_model)])
    assert result.exit_code == 0, result.output
    (record,) = records(result.stdout)
    assert set(record) >= {"id", "headline", "flagged", "score", "categories", "phrases", "warnings", "model"}
    assert record["id"] == 1 and record["headline"] == "Trump SLAMS furious judge"


def test_predict_dash_reads_stdin(tiny_model):
    result = runner.invoke(app, ["predict", "-", "--model", str(tiny_model)], input="one headline\ntwo headline\n")
    assert result.exit_code == 0
    assert [r["headline"] for r in records(result.stdout)] == ["one headline", "two headline"]


def test_row_errors_exit_zero_unless_strict(tiny_model):
    args = ["predict", "-", "--model", str(tiny_model)]
    assert runner.invoke(app, args, input="fine\n\n").exit_code == 0
    result = runner.invoke(app, args + ["--strict"], input="fine\n\n")
    assert result.exit_code == EXIT_ROWS_FAILED
    assert "1 of 2 rows could not be scored" in result.stderr


def test_csv_and_table_formats(tiny_model, tmp_path):
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["predict", "a b c", "d e f", "-f", "csv", "-o", str(out), "--model", str(tiny_model)])
    assert result.exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("id,headline,flagged,score,sensational_score,sensational_flagged") and len(lines) == 3
    # Every field of the JSONL record is a CSV column: strength and the framing shares too.
    jsonl = runner.invoke(app, ["predict", "a b c", "d e f", "--model", str(tiny_model)])
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    for record, row in zip(records, rows):
        for name, category in record["categories"].items():
            for field, value in category.items():
                for column, expected in (value.items() if isinstance(value, dict) else [(None, value)]):
                    key = f"{name}_{field}" + (f"_{column}" if column else "")
                    assert row[key] == str(expected), key
        assert row["clickbait_strength"] and row["sensational_framing_alarm"] and row["schema_version"] == "3"
    table = runner.invoke(app, ["predict", "Senate passes bill", "-f", "table", "--model", str(tiny_model)])
    assert "Senate passes bill" in table.stdout and "sensational" in table.stdout and "clickbait" in table.stdout


def test_train_and_evaluate_commands(tiny_config, tmp_path):
    model = tmp_path / "m.joblib"
    result = runner.invoke(app, ["train", "--config", str(tiny_config), "--output", str(model)])
    assert result.exit_code == 0, result.output
    assert model.exists()
    report_dir = tmp_path / "report"
    card = tmp_path / "CARD.md"
    result = runner.invoke(
        app, ["evaluate", "--model", str(model), "--output-dir", str(report_dir), "--model-card", str(card)]
    )
    assert result.exit_code == 0, result.output
    assert f"report: {report_dir / 'report.md'}" in result.stdout
    metrics = json.loads((report_dir / "metrics.json").read_text())
    assert set(metrics["heads"]["sensational"]["corpora"]) == {"own", "chak", "annotated", "unseen-outlets", "pooled"}
    assert (report_dir / "report.md").read_text().startswith("# Evaluation report")
    assert card.read_text().startswith("# Model card")
