"""The HTTP service, tested over real HTTP against a uvicorn server on a free loopback port."""

import json
import socket
import subprocess
import sys

import httpx
import pytest

from sensational.predictor import Sensational
from sensational.record import SCHEMA_VERSION, record_schema
from sensational.service import MAX_BATCH, MAX_BODY_BYTES
from tests.helpers import cli_records, service_records as score, wait_for

GOOD = [
    "Trump SLAMS furious judge in shocking rant",
    "Senate passes budget bill after long debate",
    "You Won't Believe What This Dog Did Next",
]


def test_healthz_names_the_model(client, tiny_model):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["model"] == Sensational.load(tiny_model).model_info
    assert body["schema_version"] == SCHEMA_VERSION


def test_openapi_and_docs_are_served(client, tiny_model):
    spec = client.get("/openapi.json").json()
    assert {"/v1/score", "/healthz"} <= set(spec["paths"])
    response_schema = spec["paths"]["/v1/score"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    served = response_schema["properties"]["records"]["items"]
    assert served["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    # The served model's own record schema, without a dialect of its own inside the OpenAPI document.
    expected = record_schema(Sensational.load(tiny_model).heads)
    assert served == {key: value for key, value in expected.items() if key != "$schema"}
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_records_equal_the_cli_records(client, tiny_model, record_validator):
    options = {"top_phrases": 3, "threshold": 0.3}
    served = score(client, GOOD, **options)
    printed = cli_records(tiny_model, [*GOOD, "--top-phrases", "3", "--threshold", "0.3"])
    assert served == printed
    assert score(client, GOOD) == cli_records(tiny_model, GOOD)
    assert all(record_validator.is_valid(r) for r in served)


def test_objects_keep_their_ids_and_bad_items_get_error_records(client, tiny_model, record_validator):
    items = [
        {"id": "a1", "headline": GOOD[0]},
        "",
        "   ",
        42,
        None,
        "nul \x00 byte",
        {"id": "b2", "headline": ["not", "a", "string"]},
        {"id": "c3"},
        {"id": [1, 2], "headline": "a list is no id"},
        {"headline": GOOD[1]},
        "x" * 5000,
        GOOD[2],
        "lone \ud800 surrogate",
        {"id": "\udc80", "headline": "surrogate in the id"},
    ]
    records = score(client, items)
    assert [r["id"] for r in records] == ["a1", 2, 3, 4, 5, 6, "b2", "c3", 9, 10, 11, 12, 13, 14]
    assert [r.get("error") for r in records] == [
        None,
        "item 2: empty headline",
        "item 3: empty headline",
        "item 4: headline is int, expected a string",
        "item 5: missing headline",
        "item 6: headline contains a NUL byte",
        "item 7: headline is list, expected a string",
        "item 8: missing headline",
        "item 9: id is list, expected a string or an integer",
        None,
        None,
        None,
        "item 13: headline is not valid Unicode (a lone surrogate)",
        "item 14: not valid Unicode (an escaped lone surrogate)",
    ]
    assert all(r["score"] is None and r["flagged"] is None for r in records if r.get("error"))
    assert records[10]["truncated"] is True and len(records[10]["headline"]) == 1000
    alone = cli_records(tiny_model, [GOOD[0], GOOD[1], GOOD[2]])
    assert {**records[0], "id": 1} == alone[0] and {**records[9], "id": 2} == alone[1] and {**records[11], "id": 3} == alone[2]
    assert all(record_validator.is_valid(r) for r in records)


def test_an_empty_batch_gets_no_records(client):
    assert score(client, []) == []


def test_too_many_headlines_is_413(client):
    assert len(score(client, ["Senate passes bill"] * MAX_BATCH, top_phrases=0)) == MAX_BATCH
    response = client.post("/v1/score", json={"headlines": ["Senate passes bill"] * (MAX_BATCH + 1)})
    assert response.status_code == 413
    assert f"at most {MAX_BATCH}" in response.json()["detail"]


@pytest.mark.parametrize("chunked", [False, True])
def test_an_oversized_body_is_413(client, chunked):
    body = json.dumps({"headlines": ["x" * 900] * (MAX_BODY_BYTES // 900 + 1)}).encode()
    assert len(body) > MAX_BODY_BYTES
    content = iter([body[i : i + 65536] for i in range(0, len(body), 65536)]) if chunked else body
    response = client.post("/v1/score", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert f"over {MAX_BODY_BYTES} bytes" in response.json()["detail"]
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b'{"headlines": [',
        b"not json at all",
        b"[1, 2]",
        b'{"headlines": "one string, not a list"}',
        b'{"top_phrases": 3}',
        b'{"headlines": ["x"], "threshold": 2}',
        b'{"headlines": ["x"], "threshold": NaN}',
        b'{"headlines": ["x"], "top_phrases": -1}',
    ],
)
def test_a_malformed_body_is_422(client, body):
    response = client.post("/v1/score", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


def test_a_body_that_is_not_text_is_400(client):
    response = client.post("/v1/score", content=b'{"headlines": ["\xff"]}', headers={"content-type": "application/json"})
    assert response.status_code == 400 and "parsing the body" in response.json()["detail"]


def test_serve_command_runs_uvicorn_on_loopback(tiny_model):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "sensational.cli", "serve", "--port", str(port), "--model", str(tiny_model)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def healthy():
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return process.poll() is not None  # stop waiting if it died

    try:
        assert wait_for(healthy, 60) and process.poll() is None, process.stderr.read().decode()
        records = httpx.post(f"http://127.0.0.1:{port}/v1/score", json={"headlines": GOOD[:1]}, timeout=30).json()
        assert records["records"] == cli_records(tiny_model, GOOD[:1])
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def test_predict_does_not_import_the_web_stack():
    code = (
        "import sys\n"
        "import sensational.cli, sensational.batch, sensational.inputs, sensational.outputs, sensational.predictor\n"
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'pydantic') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
