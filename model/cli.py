"""The `sensational` command. Each subcommand parses its arguments and calls one library function.

Exit codes: 0 success (rows with input errors still get an error record), 1 some rows failed and
--strict was given, 2 usage error (bad option, unreadable input, missing column, output place that
cannot be written), 3 model missing or invalid, 4 reading or writing failed midway (disk full, I/O
error), 130 interrupted (Ctrl-C), 141 the reader of standard output went away (`| head -1`; as a
shell reports for `yes | head -1`), 143 terminated (SIGTERM). Partial output goes to a --output file
only on success: otherwise its temporary file is removed and an earlier file is left as it was.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from sensational.paths import CONFIG_PATH, MODEL_CARD_PATH, REPORT_DIR, default_model_path

EXIT_ROWS_FAILED = 1
EXIT_USAGE = 2
EXIT_MODEL = 3
EXIT_IO = 4
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_PIPE_CLOSED = 128 + signal.SIGPIPE
EXIT_TERMINATED = 128 + signal.SIGTERM

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
    id_column: Optional[str] = typer.Option(
        None, help="Column or field holding the id [default: 'id' if the input has it, else the line number]."
    ),
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
    from sensational.outputs import OutputError

    if input is not None and headlines:
        _fail("give headlines as arguments or --input, not both", EXIT_USAGE)
    try:
        with _terminate_cleanly():
            done = run_predict(
                headlines or [], input_path=input, text_column=text_column, id_column=id_column,
                keep_columns=keep_columns, output_format=format, output_path=output, model_path=model,
                threshold=parse_thresholds(threshold), top_phrases=top_phrases, raw_csv=raw_csv,
            )
    except (InputError, OutputError) as exc:
        _fail(str(exc), EXIT_USAGE)
    except ModelError as exc:
        _fail(str(exc), EXIT_MODEL)
    except BrokenPipeError:
        _silence_stdout()
        raise typer.Exit(EXIT_PIPE_CLOSED)
    except KeyboardInterrupt:
        _fail("interrupted", EXIT_INTERRUPTED)
    except OSError as exc:
        _fail(f"stopped: {exc.strerror or exc}", EXIT_IO)
    if summary:
        typer.echo(done.describe(), err=True)
    if done.failed:
        typer.echo(f"sensational: {done.failed} of {done.scored + done.failed} rows could not be scored", err=True)
        if strict:
            raise typer.Exit(EXIT_ROWS_FAILED)


@contextmanager
def _terminate_cleanly():
    """Turn SIGTERM into SystemExit in the main thread, so `finally` blocks run (the --output file's
    temporary is removed) instead of the process vanishing mid-write."""

    def stop(signum, frame):
        raise SystemExit(EXIT_TERMINATED)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush at exit does not report
    the closed pipe a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file descriptor (e.g. under a test runner)
        pass


@app.command()
def schema(
    model: Optional[Path] = typer.Option(None, help="Model artifact [default: the one `make train` wrote]."),
) -> None:
    """Print the JSON Schema of the model's records (its categories are the model's heads)."""
    from sensational.artifact import ModelError
    from sensational.record import schema_text

    try:
        typer.echo(schema_text(model), nl=False)
    except ModelError as exc:
        _fail(str(exc), EXIT_MODEL)


@app.command()
def data(config: Path = typer.Option(CONFIG_PATH, help="Training config (TOML) naming the sources.")) -> None:
    """Load and validate the corpora; print counts per corpus and split."""
    from sensational.data.summary import print_summary

    print_summary(config)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on; any but loopback needs a token."),
    port: int = typer.Option(8000, min=0, max=65535, help="Port to listen on."),
    model: Optional[Path] = typer.Option(None, help="Model artifact [default: the one `make train` wrote]."),
    workers: int = typer.Option(1, min=1, max=64, help="Scoring processes (each holds a copy of the model)."),
    token_file: Optional[Path] = typer.Option(
        None, help="File holding the bearer token requests must send [default: $SENSATIONAL_TOKEN if set]."
    ),
    max_connections: int = typer.Option(256, min=1, help="Open connections at most; beyond, requests get 503."),
    request_timeout: float = typer.Option(10.0, min=0.1, help="Seconds a client has to send a whole request."),
    idle_timeout: int = typer.Option(5, min=1, help="Seconds before an idle keep-alive connection is closed."),
) -> None:
    """Serve the model over HTTP: a review page at /, POST /v1/score, GET /healthz, docs at /docs."""
    from sensational.artifact import ModelError

    try:
        from sensational.service import TOKEN_ENV, is_loopback, serve as run_service
    except ModuleNotFoundError as exc:
        _fail(f"serve needs the service extra ({exc.name} is missing): pip install 'sensational[service]'", EXIT_USAGE)
    token = _service_token(token_file, TOKEN_ENV)
    if token is None and not is_loopback(host):
        _fail(
            f"listening on {host} needs a bearer token: --token-file PATH or ${TOKEN_ENV} "
            "(see the README, 'Exposing the service')",
            EXIT_USAGE,
        )
    limits = {"max_connections": max_connections, "request_timeout": request_timeout, "idle_timeout": idle_timeout}
    try:
        run_service(host, port, model, workers, token, **limits)
    except ModelError as exc:
        _fail(str(exc), EXIT_MODEL)


def _service_token(token_file: Optional[Path], variable: str) -> Optional[str]:
    """The bearer token from --token-file, else from the environment; None if neither is given."""
    from sensational.files import describe, read_small

    source = str(token_file) if token_file is not None else f"${variable}"
    if token_file is None:
        token = os.environ.get(variable, "").strip()
        if not token:
            return None
    else:
        try:
            token = read_small(token_file, 4096).decode("utf-8").strip()
        except OSError as exc:
            _fail(f"{token_file}: cannot read the token ({describe(exc)})", EXIT_USAGE)
        except ValueError as exc:  # over the size bound, or not UTF-8
            _fail(f"{token_file}: not a token file ({exc})", EXIT_USAGE)
    if not token or any(c.isspace() for c in token):
        _fail(f"{source}: the token must be one word (it was empty or held spaces)", EXIT_USAGE)
    return token


if __name__ == "__main__":
    sys.exit(app())
