"""Helpers shared by the test modules."""

import json
import time

from typer.testing import CliRunner

from sensational.cli import app

runner = CliRunner()


def cli_records(model, args, stdin=None, exit_code=0) -> list[dict]:
    """The JSONL records `sensational predict ARGS --model MODEL` writes, checking its exit code."""
    result = runner.invoke(app, ["predict", *args, "--model", str(model)], input=stdin)
    assert result.exit_code == exit_code, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def service_records(client, headlines, **options) -> list[dict]:
    """The records POST /v1/score returns, checking it answered 200."""
    body = json.dumps({"headlines": headlines, **options})  # ASCII, so lone surrogates travel as \u escapes
    response = client.post("/v1/score", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()["records"]


def wait_for(condition, seconds: float = 30.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass (a bound, not an assertion on speed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
