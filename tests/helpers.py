"""Helpers shared by the test modules."""

import json
import os
import socket
import threading
import time
from contextlib import contextmanager

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


@contextmanager
def running_server(app, **limits):
    """The URL of a real uvicorn server for `app`, set up as `sensational serve` sets it up, on a
    free loopback port; stopped on exit."""
    import uvicorn

    from sensational.service import server_config

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    server = uvicorn.Server(server_config(app, log_level="warning", **limits))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: server.started), "the server did not start"
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        sock.close()
    assert not thread.is_alive(), "the server did not stop"


def wait_for_file(path: str) -> str:
    """A task for a scoring worker that keeps it busy until `path` exists (at most a minute)."""
    wait_for(lambda: os.path.exists(path), 60)
    return path
