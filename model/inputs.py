"""Reading headlines to score, from arguments, a stream or a file, one `InputRow` per item.

A bad item (empty, not UTF-8, NUL byte, malformed JSON or CSV row, a value that is not a string)
becomes a row with an `error` naming its line and the problem; it never stops the batch. A file that
cannot be read at all, or lacks the text column, raises `InputError` at once.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

# Headlines are short; anything longer is scored on its first MAX_CHARS characters and marked.
MAX_CHARS = 1000


class InputError(ValueError):
    """The input as a whole cannot be read (usage error)."""


@dataclass
class InputRow:
    id: object
    headline: str | None
    error: str | None = None
    truncated: bool = False
    extra: dict = field(default_factory=dict)


def is_unicode(value) -> bool:
    """False if a string in `value` holds a lone surrogate, which has no UTF-8 form and so cannot be
    written out: a JSON escape such as "\\ud800" decodes to one, and so do undecodable argv bytes."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def checked_row(row_id, value, where: str, extra: dict | None = None) -> InputRow:
    """Validate one headline value; `where` names its place in the input ("line 3")."""
    extra = extra or {}
    if value is None:
        return InputRow(row_id, None, f"{where}: missing headline", extra=extra)
    if not isinstance(value, str):
        return InputRow(row_id, None, f"{where}: headline is {type(value).__name__}, expected a string", extra=extra)
    if "\x00" in value:
        return InputRow(row_id, None, f"{where}: headline contains a NUL byte", extra=extra)
    if not is_unicode(value):
        return InputRow(row_id, None, f"{where}: headline is not valid Unicode (a lone surrogate)", extra=extra)
    if not value.strip():
        return InputRow(row_id, value, f"{where}: empty headline", extra=extra)
    if len(value) > MAX_CHARS:
        return InputRow(row_id, value[:MAX_CHARS], truncated=True, extra=extra)
    return InputRow(row_id, value, extra=extra)


def from_arguments(headlines: Iterable[str]) -> Iterator[InputRow]:
    for number, headline in enumerate(headlines, start=1):
        yield checked_row(number, headline, f"argument {number}")


def from_lines(stream: BinaryIO) -> Iterator[InputRow]:
    """One headline per line of a byte stream; the id is the line number."""
    for number, raw in enumerate(stream, start=1):
        raw = raw.rstrip(b"\r\n")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield InputRow(number, None, f"line {number}: not valid UTF-8 (byte {exc.start})")
            continue
        yield checked_row(number, text, f"line {number}")


def row_id(record: dict, id_column: str, fallback):
    """The record's own id, or `fallback` (its position) when it has none."""
    value = record.get(id_column)
    return fallback if value in (None, "") else value


def id_problem(value) -> str | None:
    """Ids are strings or integers (the output schema's promise); anything else is a row error."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return f"id is {type(value).__name__}, expected a string or an integer"
    return None


def from_jsonl(stream: BinaryIO, text_column: str, id_column: str, keep: list[str]) -> Iterator[InputRow]:
    for number, raw in enumerate(stream, start=1):
        where = f"line {number}"
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield InputRow(number, None, f"{where}: not valid UTF-8 (byte {exc.start})")
            continue
        except json.JSONDecodeError as exc:
            yield InputRow(number, None, f"{where}: malformed JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield InputRow(number, None, f"{where}: expected a JSON object, got {type(record).__name__}")
            continue
        if not is_unicode(record):
            yield InputRow(number, None, f"{where}: not valid Unicode (an escaped lone surrogate)")
            continue
        extra = {column: record.get(column) for column in keep}
        identifier = row_id(record, id_column, number)
        if id_problem(identifier):
            yield InputRow(number, None, f"{where}: {id_problem(identifier)}", extra=extra)
            continue
        if text_column not in record:
            yield InputRow(identifier, None, f"{where}: no {text_column!r} field", extra=extra)
            continue
        yield checked_row(identifier, record[text_column], where, extra)


def _decoded(stream: BinaryIO) -> Iterator[str]:
    """Lines of a byte stream as text; an undecodable line becomes a marker the CSV reader keeps."""
    for raw in stream:
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield "\x00NOT-UTF8\x00\n"


def from_delimited(
    stream: BinaryIO, text_column: str, id_column: str, keep: list[str], delimiter: str = ","
) -> Iterator[InputRow]:
    reader = csv.reader(_decoded(stream), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(f"header: malformed ({exc})")
    if text_column not in header:
        raise InputError(f"no column {text_column!r} in the header (columns: {', '.join(header)})")
    while True:
        # Row numbers count the header as line 1, as an editor shows them.
        number = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield InputRow(number, None, f"line {number}: malformed CSV ({exc})")
            continue
        if fields == ["\x00NOT-UTF8\x00"] or any("\x00NOT-UTF8\x00" in f for f in fields):
            yield InputRow(number, None, f"line {number}: not valid UTF-8")
            continue
        if not fields:
            continue
        if len(fields) != len(header):
            yield InputRow(number, None, f"line {number}: {len(fields)} fields, the header has {len(header)}")
            continue
        record = dict(zip(header, fields))
        extra = {column: record.get(column) for column in keep}
        yield checked_row(row_id(record, id_column, number), record[text_column], f"line {number}", extra)


def from_parquet(path: Path, text_column: str, id_column: str, keep: list[str]) -> Iterator[InputRow]:
    import pandas as pd

    frame = pd.read_parquet(path)
    if text_column not in frame.columns:
        raise InputError(f"{path}: no column {text_column!r} (columns: {', '.join(map(str, frame.columns))})")
    for number, record in enumerate(frame.to_dict(orient="records"), start=1):
        extra = {column: record.get(column) for column in keep}
        yield checked_row(row_id(record, id_column, number), record[text_column], f"row {number}", extra)


def from_file(path: Path, text_column: str, id_column: str, keep: list[str]) -> Iterator[InputRow]:
    """Rows of a .txt, .csv, .tsv, .jsonl or .parquet file, chosen by its suffix."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield from from_parquet(path, text_column, id_column, keep)
        return
    if suffix not in (".txt", ".csv", ".tsv", ".jsonl"):
        raise InputError(f"{path}: unsupported file type {suffix!r} (use .txt, .csv, .tsv, .jsonl or .parquet)")
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})")
    with handle:
        if suffix == ".txt":
            yield from from_lines(handle)
        elif suffix == ".jsonl":
            yield from from_jsonl(handle, text_column, id_column, keep)
        else:
            delimiter = "\t" if suffix == ".tsv" else ","
            yield from from_delimited(handle, text_column, id_column, keep, delimiter)
