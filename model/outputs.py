"""Writing prediction records as JSONL, CSV or a terminal table, to stdout or atomically to a file."""

from __future__ import annotations

import csv
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Mapping
from typing import Iterator, TextIO

from sensational.config import PRODUCT_HEAD
from sensational.record import FRAMING, category_fields
from sensational.files import replaced_atomically

FORMATS = ("jsonl", "csv", "table")
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """`value` with a leading ' if a spreadsheet would read it as a formula (OWASP's rule); the '
    shows that the cell was escaped. Numbers are left alone: -0.5 is a number, not a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_layout(heads: Mapping[str, object], keep: list[str] = ()) -> list[tuple[str, tuple[str, ...]]]:
    """Each CSV column of a model with these heads ({name: Head}) and where its value sits in a record
    (a path of keys): the record's fields, each category's fields flattened (`clickbait_strength`,
    `sensational_framing_alarm`, ...), then kept columns. The review page's CSV reads the same layout
    (served by /healthz)."""
    layout = [(name, (name,)) for name in ("id", "headline", "flagged", "score")]
    for name, head in heads.items():
        for field in category_fields(head):
            if field == FRAMING:
                layout += [(f"{name}_{FRAMING}_{kind}", ("categories", name, FRAMING, kind)) for kind in head.framing.types]
            else:
                layout.append((f"{name}_{field}", ("categories", name, field)))
    layout += [(name, (name,)) for name in ("phrases", "warnings", "model", "truncated", "error", "schema_version")]
    columns = {column for column, _ in layout}
    return layout + [(column, (column,)) for column in keep if column not in columns]


def _at(record: dict, path: tuple[str, ...]):
    for key in path:
        record = record.get(key) if isinstance(record, dict) else None
    return record


class JsonlWriter:
    def __init__(self, handle: TextIO, keep: list[str], heads: Mapping[str, object]):
        self.handle = handle

    def write(self, record: dict) -> None:
        self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        pass


class CsvWriter:
    """One row per record, laid out by `csv_layout`: each category's fields in their own columns;
    phrases as JSON. Cells a spreadsheet would run as formulas are escaped unless `raw`."""

    def __init__(self, handle: TextIO, keep: list[str], heads: Mapping[str, object], raw: bool = False):
        self.layout = csv_layout(heads, keep)
        self.raw = raw
        self.writer = csv.writer(handle)
        self.writer.writerow([column for column, _ in self.layout])

    def write(self, record: dict) -> None:
        record = {**record, "model": f"{record['model']['name']}@{record['model']['fingerprint']}",
                  "phrases": json.dumps(record.get("phrases") or [], ensure_ascii=False),
                  "warnings": " ".join(record.get("warnings") or [])}
        cells = [_at(record, path) for _, path in self.layout]
        self.writer.writerow(cells if self.raw else map(spreadsheet_safe, cells))

    def close(self) -> None:
        pass


class TableWriter:
    """A table for people at a terminal; rows are shown when the input ends."""

    def __init__(self, handle: TextIO, keep: list[str], heads: Mapping[str, object]):
        self.handle = handle
        self.categories = list(heads)
        self.records: list[dict] = []

    def write(self, record: dict) -> None:
        self.records.append(record)

    def close(self) -> None:
        from rich.console import Console
        from rich.table import Table

        table = Table("id", "flag", *self.categories, "headline", "phrases", "warnings")
        for r in self.records:
            if r.get("error"):
                blanks = [""] * len(self.categories)
                table.add_row(str(r["id"]), "error", *blanks, r.get("headline") or "", r["error"], "")
                continue
            scores = [
                f"{category['score']:.3f}{' FLAG' if category['flagged'] else ''}"
                for category in (r["categories"][name] for name in self.categories)
            ]
            phrases = ", ".join(_phrase_label(p) for p in r["phrases"])
            table.add_row(str(r["id"]), "FLAG" if r["flagged"] else "", *scores, r["headline"], phrases, " ".join(r["warnings"]))
        Console(file=self.handle, width=160).print(table)


def _phrase_label(phrase: dict) -> str:
    """`scared (+2.34)`; a phrase of another head than sensational names it: `Will Make You (+0.44 clickbait)`."""
    head = "" if phrase["head"] == PRODUCT_HEAD else f" {phrase['head']}"
    return f"{phrase['text']} ({phrase['weight']:+.2f}{head})"


WRITERS = {"jsonl": JsonlWriter, "csv": CsvWriter, "table": TableWriter}


def make_writer(output_format: str, handle: TextIO, keep: list[str], heads: Mapping[str, object], raw_csv: bool = False):
    """The writer for `output_format` for a model with these heads ({name: Head}); `raw_csv` turns off
    the CSV writer's formula escaping."""
    if output_format == "csv":
        return CsvWriter(handle, keep, heads, raw=raw_csv)
    return WRITERS[output_format](handle, keep, heads)


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
    # Opened inside the block, so a SIGTERM right after the file appears still removes it.
    with replaced_atomically(path, _replace) as temporary, _open_temporary(path, temporary) as handle:
        yield handle
        handle.flush()


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
