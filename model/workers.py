"""Scoring in worker processes, for the service.

Scoring is CPU-bound Python: in the server's own process it would hold the GIL and starve the event
loop, so `/healthz` and every other connection would wait on it. Each worker process loads the model
once and returns finished JSON bytes, leaving the server only sockets to handle. After
`recycle_after` requests the pool is replaced by a fresh one (the old finishes what it was given),
so memory a burst of large batches made a worker keep is given back.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

_model = None  # the model of this worker process


def _load(model_path: str) -> None:
    global _model
    from sensational.predictor import Sensational

    _model = Sensational.load(model_path)


def _ready() -> bool:
    return _model is not None


def score_json(rows: list, top_phrases: int, threshold) -> bytes:
    """The body of a /v1/score answer: {"records": [...]}, one record per row, as UTF-8 JSON."""
    from sensational.batch import records_for

    records = records_for(_model, rows, top_phrases, threshold)
    return json.dumps({"records": records}, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


class ScoringPool:
    def __init__(self, model_path: Path, workers: int = 1, recycle_after: int = 1000):
        self.model_path = str(model_path)
        self.workers = workers
        self.recycle_after = recycle_after
        self._lock = threading.Lock()
        self._executor = self._start()
        self._submitted = 0

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: forking a process that runs an event loop and threads is unsafe.
        executor = ProcessPoolExecutor(
            self.workers, mp_context=get_context("spawn"), initializer=_load, initargs=(self.model_path,)
        )
        executor.submit(_ready)  # start a worker and load the model now, not on the first request
        return executor

    def submit(self, function, *args) -> Future:
        """Run `function(*args)` in a worker (any picklable module-level function)."""
        with self._lock:
            if self._submitted >= self.recycle_after:
                self._replace()
            self._submitted += 1
            return self._executor.submit(function, *args)

    def score(self, rows: list, top_phrases: int, threshold) -> Future:
        return self.submit(score_json, rows, top_phrases, threshold)

    def restart(self) -> None:
        """Replace the pool (after a worker died); the old one's queued work fails or finishes."""
        with self._lock:
            self._replace()

    def _replace(self) -> None:
        old, self._executor, self._submitted = self._executor, self._start(), 0
        old.shutdown(wait=False)  # it finishes its queued work, then its processes exit

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
