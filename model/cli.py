"""The `sensational` command. Each subcommand parses its arguments and calls one library function.

Exit codes: 0 success (rows with input errors still get an error record), 1 some rows failed and
--strict was given, 2 usage error (bad option, unreadable input, missing column), 3 model missing
or invalid.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from sensational.paths import CONFIG_PATH, MODEL_CARD_PATH, REPORT_DIR, default_model_path

EXIT_ROWS_FAILED = 1
EXIT_USAGE = 2
EXIT_MODEL = 3

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="Score news headlines for sensationalist framing.")


def _fail(message: str, code: int) -> None:
    typer.echo(f"sensational: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def train(
    config: Path = typer.Option(CONFIG_PATH, help="Training config (TOML)."),
    output: Path = typer.Option(None, help="Where to write the model [default: model/artifacts/sensational.joblib]."),
) -> None:
    """Fit the model on the train split, choose its threshold on dev, write the artifact."""
    from sensational.train.reporting import train_with_progress

    train_with_progress(config, output or default_model_path())


@app.command()
def evaluate(
    model: Path = typer.Option(None, help="Model artifact [default: the one `make train` wrote]."),
    output_dir: Path = typer.Option(REPORT_DIR, help="Where report.md, metrics.json and figures/ go."),
    model_card: Path = typer.Option(MODEL_CARD_PATH, help="Where the model card goes."),
) -> None:
    """Score every corpus's test split; write the report, metrics.json, figures and the model card."""
    from sensational.artifact import ModelError
    from sensational.evaluate.evaluation import evaluate_model

    try:
        evaluate_model(model, output_dir, card_path=model_card)
    except ModelError as exc:
        _fail(str(exc), EXIT_MODEL)
    typer.echo(f"report: {output_dir / 'report.md'}\nmetrics: {output_dir / 'metrics.json'}\nmodel card: {model_card}")


@app.command()
def predict(
    headlines: Optional[list[str]] = typer.Argument(None, help="Headlines to score; '-' reads lines from stdin."),
    input: Optional[Path] = typer.Option(None, "--input", "-i", help=".txt, .csv, .tsv, .jsonl or .parquet file."),
    text_column: str = typer.Option("headline", help="Column or field holding the headline."),
    id_column: str = typer.Option("id", help="Column or field holding the id (default: line number)."),
    keep_columns: Optional[list[str]] = typer.Option(None, "--keep-column", help="Pass this input field through (repeatable)."),
    format: str = typer.Option("jsonl", "--format", "-f", help="jsonl, csv or table."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of stdout (atomically)."),
    model: Optional[Path] = typer.Option(None, help="Model artifact [default: the one `make train` wrote]."),
    threshold: Optional[list[str]] = typer.Option(
        None, help="Flag threshold, NAME=VALUE per category (sensational=0.4, clickbait=0.7; repeatable); "
        "a bare number is the sensational head's [default: the model's]."
    ),
    top_phrases: int = typer.Option(5, min=0, help="Phrases per headline; 0 turns explanations off."),
    strict: bool = typer.Option(False, help="Exit 1 if any row could not be scored."),
    raw_csv: bool = typer.Option(False, help="CSV: write cells as they are, without the ' that stops a spreadsheet running =, +, -, @ as a formula."),
    summary: bool = typer.Option(False, "--summary", help="At the end, print counts per category and the flag rate to stderr."),
) -> None:
    """Score headlines: one JSON record per input, in input order."""
    from sensational.artifact import ModelError
    from sensational.batch import parse_thresholds, run_predict
    from sensational.inputs import InputError

    try:
        done = run_predict(
            headlines or [], input, text_column, id_column, keep_columns, format, output, model,
            parse_thresholds(threshold), top_phrases, raw_csv=raw_csv,
        )
    except InputError as exc:
        _fail(str(exc), EXIT_USAGE)
    except ModelError as exc:
        _fail(str(exc), EXIT_MODEL)
    if summary:
        typer.echo(done.describe(), err=True)
    if done.failed:
        typer.echo(f"sensational: {done.failed} of {done.scored + done.failed} rows could not be scored", err=True)
        if strict:
            raise typer.Exit(EXIT_ROWS_FAILED)


@app.command()
def data(config: Path = typer.Option(CONFIG_PATH, help="Training config (TOML) naming the sources.")) -> None:
    """Load and validate the corpora; print counts per corpus and split."""
    from sensational.data.summary import print_summary

    print_summary(config)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=0, max=65535, help="Port to listen on."),
    model: Optional[Path] = typer.Option(None, help="Model artifact [default: the one `make train` wrote]."),
) -> None:
    """Serve the model over HTTP: a review page at /, POST /v1/score, GET /healthz, docs at /docs."""
    from sensational.artifact import ModelError

    try:
        from sensational.service import serve as run_service
    except ModuleNotFoundError as exc:
        _fail(f"serve needs the service extra ({exc.name} is missing): pip install 'sensational[service]'", EXIT_USAGE)
    try:
        run_service(host, port, model)
    except ModelError as exc:
        _fail(str(exc), EXIT_MODEL)


if __name__ == "__main__":
    sys.exit(app())
