"""Scoring a stream of input rows: in order, in batches, flushing as soon as a batch is written.

A reader thread parses input into a bounded queue; the scorer takes whatever has arrived (at least
one row, at most `batch_size`), so a slow interactive stream gets an answer per line at once and a
fast file is scored in large batches. Memory stays flat whatever the input's length.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Iterable, Iterator

from sensational.inputs import InputRow

SCHEMA_VERSION = 2  # 2: the clickbait head's result as `clickbait`
_END = object()


@dataclass
class PredictSummary:
    scored: int = 0
    failed: int = 0


def _read_ahead(rows: Iterable[InputRow], size: int) -> Iterator[list[InputRow]]:
    buffer: queue.Queue = queue.Queue(maxsize=size * 4)

    def produce():
        try:
            for row in rows:
                buffer.put(row)
            buffer.put(_END)
        except BaseException as exc:  # handed to the consumer, which raises it
            buffer.put(exc)

    threading.Thread(target=produce, daemon=True).start()
    while True:
        batch, item = [], buffer.get()
        while True:
            if item is _END or isinstance(item, BaseException):
                break
            batch.append(item)
            if len(batch) >= size:
                item = None
                break
            try:
                item = buffer.get_nowait()
            except queue.Empty:
                item = None
                break
        if batch:
            yield batch
        if item is _END:
            return
        if isinstance(item, BaseException):
            raise item


def records_for(model, batch: list[InputRow], top_phrases: int, threshold: float | None) -> list[dict]:
    """One output record per input row, in order; rows with an input error get an error record."""
    valid = [row for row in batch if row.error is None]
    scored = iter(model.predict([row.headline for row in valid], top_phrases=top_phrases, threshold=threshold))
    records = []
    for row in batch:
        if row.error is None:
            record = {"id": row.id, **next(scored)}
            if row.truncated:
                record["truncated"] = True
        else:
            record = {
                "id": row.id,
                "headline": row.headline,
                "score": None,
                "flagged": None,
                "threshold": model.threshold if threshold is None else threshold,
                "model": model.model_info,
                "phrases": [],
                **{name: None for name in model.heads if model.heads[name] is not model.product},
                "error": row.error,
            }
        record["schema_version"] = SCHEMA_VERSION
        record.update({k: v for k, v in row.extra.items() if k not in record})
        records.append(record)
    return records


def score_rows(
    model,
    rows: Iterable[InputRow],
    writer,
    handle,
    top_phrases: int,
    threshold: float | None = None,
    batch_size: int = 512,
) -> PredictSummary:
    summary = PredictSummary()
    for batch in _read_ahead(rows, batch_size):
        for record in records_for(model, batch, top_phrases, threshold):
            writer.write(record)
            if record.get("error"):
                summary.failed += 1
            else:
                summary.scored += 1
        handle.flush()
    writer.close()
    handle.flush()
    return summary


def run_predict(
    headlines: list[str],
    input_path=None,
    text_column: str = "headline",
    id_column: str | None = None,
    keep_columns: list[str] | None = None,
    output_format: str = "jsonl",
    output_path=None,
    model_path=None,
    threshold: float | None = None,
    top_phrases: int = 5,
    stdin=None,
) -> PredictSummary:
    """What `sensational predict` does: read, score in order, write. Every usage problem (input,
    format, output place) raises InputError or OutputError before the model is loaded or anything
    scored; a model problem raises ModelError. `id_column` None: "id" if the input has it."""
    import sys
    from pathlib import Path

    from sensational import inputs
    from sensational.outputs import WRITERS, output_stream
    from sensational.predictor import Sensational

    keep = keep_columns or []
    if input_path is not None and headlines:
        raise inputs.InputError("give headlines as arguments or --input, not both")
    if input_path is not None:
        path = Path(input_path)
        if not path.is_file():  # a FIFO or device could block or never end; only files are inputs
            raise inputs.InputError(f"{path}: {'not a regular file' if path.exists() else 'no such file'}")
        rows = inputs.from_file(path, text_column, id_column, keep)
    elif headlines == ["-"]:
        stdin = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
        if stdin is None:  # started with standard input closed (`<&-`)
            raise inputs.InputError("standard input is closed")
        rows = inputs.from_lines(stdin)
    elif headlines:
        rows = inputs.from_arguments(headlines)
    else:
        raise inputs.InputError("nothing to score: give a headline, '-' for standard input, or --input PATH")
    if output_format not in WRITERS:
        raise inputs.InputError(f"unknown format {output_format!r}; use one of {', '.join(WRITERS)}")

    with output_stream(output_path) as handle:
        model = Sensational.load(model_path)
        if headlines == ["-"]:
            model.warm_up()  # a stream is answered line by line: no first-use pauses
        writer = WRITERS[output_format](handle, keep)
        return score_rows(model, rows, writer, handle, top_phrases, threshold)
