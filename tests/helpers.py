"""Helpers shared by the test modules."""

import json

from typer.testing import CliRunner

from sensational.cli import app

runner = CliRunner()


def cli_records(model, args, stdin=None, exit_code=0) -> list[dict]:
    """The JSONL records `sensational predict ARGS --model MODEL` writes, checking its exit code."""
    result = runner.invoke(app, ["predict", *args, "--model", str(model)], input=stdin)
    assert result.exit_code == exit_code, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]
