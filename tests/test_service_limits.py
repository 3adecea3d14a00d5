"""The service's protection: request deadline, connection cap, /healthz beside busy workers,
worker recycling, bearer token, and `serve` refusing an unprotected non-loopback bind."""

import os
import socket

import httpx
import pytest

from sensational.cli import EXIT_USAGE, app
from sensational.service import create_app
from sensational.workers import ScoringPool
from tests.helpers import runner, running_server, wait_for, wait_for_file


def host_port(url):
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


@pytest.fixture(scope="module")
def guarded(tiny_model):
    """A server with a short request deadline and a small connection cap."""
    with running_server(create_app(tiny_model), request_timeout=0.5, max_connections=3) as url:
        yield url


def test_a_half_sent_request_is_closed_and_healthz_still_answers(guarded):
    with socket.create_connection(host_port(guarded)) as half:
        half.sendall(b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"head")
        half.settimeout(30)
        assert half.recv(100) == b""  # closed by the server, not by us
    assert httpx.get(f"{guarded}/healthz", timeout=30).status_code == 200


def test_connections_beyond_the_cap_get_503(guarded):
    idle = [socket.create_connection(host_port(guarded)) for _ in range(3)]
    try:
        assert httpx.get(f"{guarded}/healthz", timeout=30).status_code == 503
    finally:
        for connection in idle:
            connection.close()
    assert wait_for(lambda: httpx.get(f"{guarded}/healthz", timeout=30).status_code == 200)


def test_healthz_is_answered_while_the_only_worker_is_busy(tiny_model, tmp_path):
    application = create_app(tiny_model, workers=1)
    release = tmp_path / "release"
    with running_server(application) as url:
        busy = application.state.pool.submit(wait_for_file, str(release))
        try:
            response = httpx.get(f"{url}/healthz", timeout=30)
            assert response.status_code == 200 and not busy.done()
        finally:
            release.touch()
        assert busy.result(timeout=60) == str(release)


def test_the_pool_replaces_its_workers_after_a_number_of_requests(tiny_model):
    pool = ScoringPool(tiny_model, workers=1, recycle_after=2)
    try:
        pids = [pool.submit(os.getpid).result(timeout=120) for _ in range(3)]
    finally:
        pool.shutdown()
    assert pids[0] == pids[1] != pids[2]


def test_a_token_is_required_on_every_path_but_healthz(tiny_model):
    with running_server(create_app(tiny_model, token="s3cret-token")) as url:
        body = {"headlines": ["Senate passes budget bill"]}
        assert httpx.post(f"{url}/v1/score", json=body, timeout=30).status_code == 401
        wrong = {"authorization": "Bearer nope"}
        assert httpx.post(f"{url}/v1/score", json=body, headers=wrong, timeout=30).status_code == 401
        assert httpx.get(f"{url}/openapi.json", timeout=30).status_code == 401
        right = {"authorization": "Bearer s3cret-token"}
        assert httpx.post(f"{url}/v1/score", json=body, headers=right, timeout=30).status_code == 200
        assert httpx.get(f"{url}/healthz", timeout=30).status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "example.org"])
def test_serve_refuses_a_non_loopback_bind_without_a_token(tiny_model, host, monkeypatch):
    monkeypatch.delenv("SENSATIONAL_TOKEN", raising=False)
    result = runner.invoke(app, ["serve", "--host", host, "--model", str(tiny_model)])
    assert result.exit_code == EXIT_USAGE and "needs a bearer token" in result.stderr


@pytest.mark.parametrize("make", [lambda p: p.write_text(""), lambda p: p.write_text("two words"), os.mkfifo, lambda p: p.mkdir()])
def test_a_bad_token_file_exits_2_without_hanging(tiny_model, tmp_path, make):
    path = tmp_path / "token"
    make(path)
    result = runner.invoke(app, ["serve", "--token-file", str(path), "--model", str(tiny_model)])
    assert result.exit_code == EXIT_USAGE and str(path) in result.stderr
