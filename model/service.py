"""The HTTP service: the model loaded once, scoring JSON batches with the same records as the CLI.

    GET  /          the review page (web/review.html): paste or upload headlines, see why each is flagged
    POST /v1/score  {"headlines": ["...", {"id": "a1", "headline": "..."}], "top_phrases": 5,
                     "threshold": {"sensational": 0.4, "clickbait": 0.7}}   (or a number: sensational's)
                 -> {"records": [...]}   one record per item, in order (`sensational schema` prints their schema)
    GET  /healthz   -> {"status": "ok", "model": {"name": ..., "fingerprint": ...}, "thresholds": {...}, ...}
    GET  /openapi.json, /docs

An item that cannot be scored (empty, not a string, NUL byte, bad id) gets an error record, as a bad
input line does in the CLI. More than MAX_BATCH items or a body over MAX_BODY_BYTES is refused with
413; a body that is not the JSON described above with 422 (one whose bytes are not UTF-8/16/32 text
at all with FastAPI's 400).

Scoring runs in worker processes (sensational.workers); `/healthz` is answered on the event loop,
never behind a batch. With a token, every path but `/healthz` needs `Authorization: Bearer TOKEN`.
A request must arrive in full within the read timeout, idle connections are closed, and past the
connection cap new requests get 503 (see `server_config`).

This is the only module that imports fastapi and uvicorn (`pip install 'sensational[service]'`).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from importlib.metadata import version
from importlib.resources import files
from typing import Annotated, Any

import h11
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from uvicorn.protocols.http.h11_impl import H11Protocol

from sensational.inputs import InputRow, checked_row, id_problem, is_unicode, row_id
from sensational.outputs import csv_layout
from sensational.paths import default_model_path
from sensational.predictor import DEFAULT_TOP_PHRASES, Sensational
from sensational.record import SCHEMA_VERSION, record_schema
from sensational.workers import ScoringPool

MAX_BATCH = 1000
MAX_BODY_BYTES = 1 << 20
TOKEN_ENV = "SENSATIONAL_TOKEN"
UNAUTHENTICATED_PATHS = {"/healthz"}  # liveness probes carry no credentials
Threshold = Annotated[float, Field(ge=0.0, le=1.0)]


class ScoreRequest(BaseModel):
    headlines: list[Any] = Field(
        description=f"At most {MAX_BATCH} items, each a headline string or an object {{\"id\", \"headline\"}}.",
        examples=[["Senate passes budget bill", {"id": "a1", "headline": "You won't believe this"}]],
    )
    top_phrases: int = Field(DEFAULT_TOP_PHRASES, ge=0, le=100, description="Phrases per record; 0 turns them off.")
    threshold: Threshold | dict[str, Threshold] | None = Field(
        None,
        description="Flag thresholds {category: value}, or a number for the sensational head [default: the model's].",
        examples=[{"sensational": 0.4, "clickbait": 0.7}],
    )


def item_row(number: int, item: Any) -> InputRow:
    """One request item as an input row; its id is its own or its 1-based position."""
    where = f"item {number}"
    if not isinstance(item, dict):
        return checked_row(number, item, where)
    if not is_unicode(item):
        return InputRow(number, None, f"{where}: not valid Unicode (an escaped lone surrogate)")
    identifier = row_id(item, "id", number)
    if id_problem(identifier):
        return InputRow(number, None, f"{where}: {id_problem(identifier)}")
    return checked_row(identifier, item.get("headline"), where)


class BodyLimit:
    """ASGI middleware: answer 413 to a request body over `limit` bytes, before anything parses it."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > self.limit
        body, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            more = message.get("more_body", False)
            too_large = too_large or size > self.limit
            if not too_large:  # past the limit the rest is read and dropped, so the client gets the answer
                body.append(chunk)
        if too_large:
            detail = f"request body over {self.limit} bytes; send fewer or shorter headlines per request"
            return await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(body), "more_body": False}

        await self.app(scope, replay, send)


class BearerToken:
    """ASGI middleware: 401 for a request without `Authorization: Bearer <token>`, but /healthz."""

    def __init__(self, app, token: str):
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] not in UNAUTHENTICATED_PATHS:
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):  # constant time: no guessing by timing
                response = JSONResponse(
                    {"detail": "missing or wrong bearer token"}, status_code=401, headers={"www-authenticate": "Bearer"}
                )
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for receiving each request in full (headers and
    body), so a client that connects and sends nothing, or half a request, cannot hold a connection
    (and a slot under the connection cap) for ever. Idle keep-alive connections are closed by
    uvicorn's own `timeout_keep_alive`."""

    read_timeout = 10.0

    def connection_made(self, transport) -> None:
        self.read_deadline = None
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._disarm()  # the request is in: scoring it may take as long as it takes
        else:
            self._arm()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self.read_deadline is None:
            self.read_deadline = self.loop.call_later(self.read_timeout, self._read_timed_out)

    def _disarm(self) -> None:
        if self.read_deadline is not None:
            self.read_deadline.cancel()
            self.read_deadline = None

    def _read_timed_out(self) -> None:
        self.read_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(read_timeout: float) -> type:
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"read_timeout": read_timeout})


async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming where and what, without echoing the input back (it may be large, or hold NaN)."""
    detail = [{"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]} for error in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


def _embedded(schema: dict) -> dict:
    """A JSON Schema inside the OpenAPI document, which names its own dialect."""
    return {key: value for key, value in schema.items() if key != "$schema"}


def review_page() -> str:
    return (files("sensational") / "web" / "review.html").read_text(encoding="utf-8")


def create_app(model_path=None, workers: int = 1, token: str | None = None, recycle_after: int = 1000) -> FastAPI:
    """The service app, with the model at `model_path` (default: the one `make train` wrote) loaded
    once here (for /healthz, and to fail at once if it is bad) and once in each of `workers`
    scoring processes; with `token`, requests need it as a bearer token."""
    model_path = model_path if model_path is not None else default_model_path()
    model = Sensational.load(model_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.pool = ScoringPool(model_path, workers, recycle_after)
        try:
            yield
        finally:
            await asyncio.to_thread(app.state.pool.shutdown)

    app = FastAPI(title="sensational", version=version("sensational"), summary=__doc__.splitlines()[0], lifespan=lifespan)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    if token:
        app.add_middleware(BearerToken, token=token)
    app.add_exception_handler(RequestValidationError, invalid_request)
    records_schema = {
        "type": "object",
        "properties": {"records": {"type": "array", "items": _embedded(record_schema(model.heads))}},
        "required": ["records"],
    }

    @app.post(
        "/v1/score",
        response_class=JSONResponse,
        responses={
            200: {"description": "One record per item, in order.", "content": {"application/json": {"schema": records_schema}}},
            413: {"description": f"More than {MAX_BATCH} headlines, or a body over {MAX_BODY_BYTES} bytes."},
        },
    )
    async def score(request: ScoreRequest) -> Response:
        """Score a batch of headlines; items that cannot be scored get an error record."""
        if len(request.headlines) > MAX_BATCH:
            raise HTTPException(
                413, f"{len(request.headlines)} headlines in one request; at most {MAX_BATCH}, split the batch"
            )
        try:
            model.thresholds(request.threshold)
        except ValueError as exc:
            raise HTTPException(422, f"threshold: {exc}")
        rows = [item_row(number, item) for number, item in enumerate(request.headlines, start=1)]
        try:
            body = await asyncio.wrap_future(app.state.pool.score(rows, request.top_phrases, request.threshold))
        except BrokenProcessPool:  # a worker died (e.g. killed for memory): start fresh, let the client retry
            app.state.pool.restart()
            raise HTTPException(503, "the scoring worker stopped; retry the request")
        return Response(body, media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> dict:
        """The service is up, which model it serves and its categories' default thresholds (answered
        without waiting for any scoring)."""
        return {
            "status": "ok", "model": model.model_info, "threshold": model.threshold,
            "thresholds": model.thresholds(), "schema_version": SCHEMA_VERSION, "csv_layout": layout,
        }

    page = review_page()
    layout = [[column, list(path)] for column, path in csv_layout(model.heads)]  # for the review page's CSV

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def review() -> HTMLResponse:
        """The review page: a person pastes or uploads headlines and sees why each one is flagged."""
        return HTMLResponse(page)

    return app


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def server_config(
    app,
    host: str = "127.0.0.1",
    port: int = 8000,
    max_connections: int = 256,
    request_timeout: float = 10.0,
    idle_timeout: int = 5,
    **uvicorn_options,
):
    """uvicorn's settings for the service: at most `max_connections` open connections (beyond, new
    requests get 503), `request_timeout` seconds to send a whole request, `idle_timeout` seconds
    before an idle keep-alive connection is closed."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=guarded_protocol(request_timeout),
        limit_concurrency=max_connections,
        timeout_keep_alive=idle_timeout,
        **uvicorn_options,
    )


def serve(host: str = "127.0.0.1", port: int = 8000, model_path=None, workers: int = 1, token: str | None = None, **limits) -> None:
    """What `sensational serve` does: load the model (ModelError if it cannot), then run uvicorn."""
    import uvicorn

    uvicorn.Server(server_config(create_app(model_path, workers, token), host, port, **limits)).run()
