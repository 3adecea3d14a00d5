"""Scoring a stream of input rows: in order, in batches, flushing as soon as a batch is written.

A reader thread parses input into a bounded queue; the scorer takes whatever has arrived (at least
one row, at most `batch_size`), so a slow interactive stream gets an answer per line at once and a
fast file is scored in large batches. Memory stays flat whatever the input's length.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from sensational.inputs import InputError, InputRow
from sensational.record import SCHEMA_VERSION, make_record

_END = object()


@dataclass
class PredictSummary:
    categories: list[str] = field(default_factory=list)
    scored: int = 0
    failed: int = 0
    flagged: int = 0
    per_category: Counter = field(default_factory=Counter)  # flagged records per category
    warnings: Counter = field(default_factory=Counter)

    def count(self, record: dict) -> None:
        if record.get("error"):
            self.failed += 1
            return
        self.scored += 1
        self.flagged += record["flagged"]
        self.per_category.update(name for name, category in record["categories"].items() if category["flagged"])
        self.warnings.update(record["warnings"])

    def describe(self) -> str:
        """What `--summary` prints: counts per category and the flag rate."""

        def share(count: int) -> str:
            return f"{count} ({count / self.scored:.1%})" if self.scored else "0"

        lines = [f"{self.scored + self.failed} rows: {self.scored} scored, {self.failed} could not be scored"]
        lines.append(f"flagged (any category): {share(self.flagged)}")
        lines += [f"  {name}: {share(self.per_category[name])}" for name in self.categories]
        lines += [f"warning {code}: {share(count)}" for code, count in sorted(self.warnings.items())]
        return "\n".join(lines)


def parse_thresholds(values: list[str] | None) -> dict[str, float] | None:
    """`--threshold` options as {category: value}: `NAME=VALUE`, or a bare number for the sensational
    head (its meaning before categories). Raises InputError for one that is neither."""
    from sensational.config import PRODUCT_HEAD

    if not values:
        return None
    parsed = {}
    for value in values:
        name, _, number = value.rpartition("=")
        try:
            parsed[name.strip() or PRODUCT_HEAD] = float(number)
        except ValueError:
            raise InputError(f"--threshold {value!r}: expected a number or NAME=NUMBER (e.g. clickbait=0.7)")
    return parsed


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


def records_for(model, batch: list[InputRow], top_phrases: int, threshold=None) -> list[dict]:
    """One output record per input row, in order; rows with an input error get an error record.
    `threshold`: as Sensational.predict takes it."""
    valid = [row for row in batch if row.error is None]
    scored = iter(model.predict([row.headline for row in valid], top_phrases=top_phrases, threshold=threshold))
    records = []
    for row in batch:
        if row.error is None:
            record = {"id": row.id, **next(scored)}
            if row.truncated:
                record["truncated"] = True
        else:
            record = {"id": row.id, **make_record(row.headline, model.model_info, error=row.error)}
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
    threshold=None,
    batch_size: int = 512,
    progress=None,
) -> PredictSummary:
    """Score `rows` batch by batch and write their records; `progress`, if given, is called with the
    number of rows done after each batch."""
    summary = PredictSummary(categories=list(model.heads))
    for batch in _read_ahead(rows, batch_size):
        for record in records_for(model, batch, top_phrases, threshold):
            writer.write(record)
            summary.count(record)
        handle.flush()
        if progress is not None:
            progress(len(batch))
    writer.close()
    handle.flush()
    return summary


def run_predict(
    headlines: list[str],
    *,
    input_path=None,
    text_column: str = "headline",
    id_column: str | None = None,
    keep_columns: list[str] | None = None,
    output_format: str = "jsonl",
    output_path=None,
    model_path=None,
    threshold=None,
    top_phrases: int = 5,
    stdin=None,
    raw_csv: bool = False,
) -> PredictSummary:
    """What `sensational predict` does: read, score in order, write. Every usage problem (input,
    format, output place) raises InputError or OutputError before anything is scored; a model
    problem raises ModelError. `id_column` None: "id" if the input has it. `threshold`: as
    Sensational.predict takes it."""
    import sys
    from pathlib import Path

    from sensational import inputs
    from sensational.outputs import WRITERS, make_writer, output_stream
    from sensational.predictor import Sensational
    from sensational.progress import file_progress

    keep = keep_columns or []
    if input_path is not None and headlines:
        raise inputs.InputError("headlines and an input file: read one source at a time")
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
        try:
            model.thresholds(threshold)
        except ValueError as exc:
            raise inputs.InputError(f"--threshold: {exc}")
        if headlines == ["-"]:
            model.warm_up()  # a stream is answered line by line: no first-use pauses
        writer = make_writer(output_format, handle, keep, model.heads, raw_csv)
        with file_progress(input_path) as progress:
            return score_rows(model, rows, writer, handle, top_phrases, threshold, progress=progress)
