"""Writing prediction records as JSONL, CSV or a terminal table, to stdout or atomically to a file."""

from __future__ import annotations

import csv
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

FORMATS = ("jsonl", "csv", "table")
CSV_COLUMNS = [
    "id", "headline", "score", "flagged", "threshold", "model", "phrases",
    "clickbait_score", "clickbait_flagged", "truncated", "error",
]


class JsonlWriter:
    def __init__(self, handle: TextIO, keep: list[str]):
        self.handle = handle

    def write(self, record: dict) -> None:
        self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        pass


class CsvWriter:
    def __init__(self, handle: TextIO, keep: list[str]):
        self.columns = CSV_COLUMNS + [c for c in keep if c not in CSV_COLUMNS]
        self.writer = csv.DictWriter(handle, fieldnames=self.columns, extrasaction="ignore")
        self.writer.writeheader()

    def write(self, record: dict) -> None:
        row = dict(record)
        row["model"] = f"{record['model']['name']}@{record['model']['fingerprint']}"
        row["phrases"] = json.dumps(record.get("phrases") or [], ensure_ascii=False)
        clickbait = record.get("clickbait") or {}
        row["clickbait_score"], row["clickbait_flagged"] = clickbait.get("score"), clickbait.get("flagged")
        self.writer.writerow(row)

    def close(self) -> None:
        pass


class TableWriter:
    """A table for people at a terminal; rows are shown when the input ends."""

    def __init__(self, handle: TextIO, keep: list[str]):
        self.handle = handle
        self.records: list[dict] = []

    def write(self, record: dict) -> None:
        self.records.append(record)

    def close(self) -> None:
        from rich.console import Console
        from rich.table import Table

        table = Table("id", "score", "flag", "headline", "phrases", "clickbait")
        for r in self.records:
            if r.get("error"):
                table.add_row(str(r["id"]), "-", "error", r.get("headline") or "", r["error"], "")
                continue
            phrases = ", ".join(f"{p['text']} ({p['weight']:+.2f})" for p in r.get("phrases") or [])
            clickbait = r.get("clickbait") or {}
            teaser = f"{clickbait['score']:.3f}{' FLAG' if clickbait['flagged'] else ''}" if clickbait else ""
            table.add_row(str(r["id"]), f"{r['score']:.3f}", "FLAG" if r["flagged"] else "", r["headline"], phrases, teaser)
        Console(file=self.handle, width=160).print(table)


WRITERS = {"jsonl": JsonlWriter, "csv": CsvWriter, "table": TableWriter}


class OutputError(ValueError):
    """The output cannot be written where it was asked for (a usage error)."""


@contextmanager
def output_stream(path: Path | None) -> Iterator[TextIO]:
    """stdout, or a temporary file renamed onto `path` only when writing completed."""
    if path is None:
        yield sys.stdout
        return
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        # /dev/null, /dev/stdout, a FIFO: a stream, written in place (renaming over it would replace it)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            yield handle
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:  # opened inside `try`, so a SIGTERM right after the file appears still removes it
        with _open_temporary(path, temporary) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _open_temporary(path: Path, temporary: Path) -> TextIO:
    """The temporary file beside `path`, opened now, so a place that cannot be written fails before
    any scoring (a directory is refused here too, since renaming onto it would fail only at the end)."""
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name")
    try:
        return open(temporary, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write there ({exc.strerror or exc})")


def _replace(temporary: Path, path: Path) -> None:
    try:
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot replace it ({exc.strerror or exc}); nothing was written")
