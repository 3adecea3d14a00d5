"""Reading headlines to score, from arguments, a stream or a file, one `InputRow` per item.

The rule: every input unit (argument, line, JSON line, CSV/TSV line, Parquet row) gives exactly one
row, in order. A bad unit (empty, not text, NUL byte, malformed JSON or CSV, a value of the wrong
type, an unreadable id) becomes a row with an `error` naming its line and the problem; it never stops
the batch. A file that cannot be read at all, or lacks a column it was asked for, raises `InputError`
before any row is read.

Ids: when the input has the id column (CSV/TSV header, Parquet schema, or any JSON line with the
field), every row must carry its own id; a row whose id is missing, empty or of the wrong type is an
error, and its record's id is "" (never a line number that could equal another row's id). Only
inputs without the id column are numbered by line.
"""

from __future__ import annotations

import csv
import datetime
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from sensational.lines import MAX_LINE_BYTES, Line, read_lines

# Headlines are short; anything longer is scored on its first MAX_CHARS characters and marked.
MAX_CHARS = 1000
# The --keep-column values of one row, as JSON; more would let queued rows hold unbounded memory.
MAX_KEPT_CHARS = 1 << 16
# Kept values nested deeper than this are refused: writing them could exhaust the stack.
MAX_KEPT_DEPTH = 64
UNREAD_ID = ""  # the id of a row whose own id could not be read

csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))


class InputError(ValueError):
    """The input as a whole cannot be read (usage error)."""


class RowProblem(ValueError):
    """One unit of the input cannot be used; the message says why (without its place)."""


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
    """One headline per line of a byte stream; the id is the line number. An overlong line is
    scored on its start, like any long headline."""
    for line in read_lines(stream):
        where = f"line {line.number}"
        text, problem = line.text()
        if problem:
            yield InputRow(line.number, None, f"{where}: {problem}")
            continue
        # An overlong line keeps far more than MAX_CHARS characters, so it is truncated here too.
        yield checked_row(line.number, text, where)


def row_id(record: dict, id_column: str, fallback):
    """The record's own id, or `fallback` (its position) when it has none (the service's items)."""
    value = record.get(id_column)
    return fallback if value in (None, "") else value


def id_problem(value) -> str | None:
    """Ids are strings or integers (the output schema's promise); anything else is a row error."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return f"id is {type(value).__name__}, expected a string or an integer"
    return None


@dataclass
class Ids:
    """Where the ids of one input come from: its `column`, or its line numbers when it has none."""

    column: str | None

    def unread(self, number: int):
        """The id of a unit whose id could not be read."""
        return number if self.column is None else UNREAD_ID

    def of(self, record: dict, number: int):
        """The unit's id; RowProblem if it has the id column but no usable id there."""
        if self.column is None:
            return number
        if self.column not in record:
            raise RowProblem(f"no {self.column!r} field")
        value = record[self.column]
        if value is None or (isinstance(value, str) and not value.strip()):
            raise RowProblem("empty id")
        if id_problem(value):
            raise RowProblem(id_problem(value))
        if not is_unicode(value):
            raise RowProblem("id is not valid Unicode (a lone surrogate)")
        return value


def json_safe(value, depth: int = 0):
    """A kept value in a form JSON can carry faithfully: NaN and infinities (which JSON lacks) as
    null, dates and times as ISO text, other objects (Decimal, bytes) as their text."""
    if depth > MAX_KEPT_DEPTH:
        raise RowProblem(f"a kept value is nested more than {MAX_KEPT_DEPTH} deep")
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, dict):
        return {str(key): json_safe(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item, depth + 1) for item in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return str(value)


def kept(record: dict, keep: list[str]) -> dict:
    """The --keep-column values of one unit (null where it has none); RowProblem if too large."""
    values = {column: json_safe(record.get(column)) for column in keep}
    if keep and len(json.dumps(values, ensure_ascii=False)) > MAX_KEPT_CHARS:
        raise RowProblem(f"kept columns over {MAX_KEPT_CHARS} characters")
    if not is_unicode(values):
        raise RowProblem("a kept value is not valid Unicode (a lone surrogate)")
    return values


def record_row(record: dict, number: int, where: str, ids: Ids, text_column: str, keep: list[str]) -> InputRow:
    """The row of one parsed unit (a JSON object, a CSV line as a dict, a Parquet row)."""
    try:
        identifier = ids.of(record, number)
    except RowProblem as exc:
        return InputRow(ids.unread(number), None, f"{where}: {exc}")
    try:
        extra = kept(record, keep)
    except RowProblem as exc:
        return InputRow(identifier, None, f"{where}: {exc}")
    if text_column not in record:
        return InputRow(identifier, None, f"{where}: no {text_column!r} field", extra=extra)
    return checked_row(identifier, record[text_column], where, extra)


# JSON Lines ---------------------------------------------------------------------------------------


def parse_json_line(line: Line) -> object:
    """The JSON value of one line; RowProblem saying why it has none."""
    if line.overlong:
        raise RowProblem(f"longer than {MAX_LINE_BYTES} bytes")
    text, problem = line.text()
    if problem:
        raise RowProblem(problem)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RowProblem(f"malformed JSON ({exc.msg})")
    except ValueError:  # Python refuses to convert integers of thousands of digits
        raise RowProblem("a number too long to read")
    except RecursionError:
        raise RowProblem("JSON nested too deeply")


def jsonl_row(line: Line, ids: Ids, text_column: str, keep: list[str]) -> InputRow:
    where = f"line {line.number}"
    try:
        record = parse_json_line(line)
        if not isinstance(record, dict):
            raise RowProblem(f"expected a JSON object, got {type(record).__name__}")
    except RowProblem as exc:
        return InputRow(ids.unread(line.number), None, f"{where}: {exc}")
    return record_row(record, line.number, where, ids, text_column, keep)


def jsonl_has_field(path: Path, name: str) -> bool:
    """Whether any line of a JSON Lines file is an object with field `name` (read once, in full if
    none has it, so the ids of the whole file follow one rule)."""
    with open(path, "rb") as handle:
        for line in read_lines(handle):
            try:
                record = parse_json_line(line)
            except RowProblem:
                continue
            if isinstance(record, dict) and name in record:
                return True
    return False


def from_jsonl(path: Path, text_column: str, id_column: str | None, keep: list[str]) -> Iterator[InputRow]:
    column = id_column or "id"
    if jsonl_has_field(path, column):
        ids = Ids(column)
    elif id_column is not None:
        raise InputError(f"{path}: no line has an {id_column!r} field (--id-column)")
    else:
        ids = Ids(None)
    return _jsonl_rows(path, ids, text_column, keep)


def _jsonl_rows(path: Path, ids: Ids, text_column: str, keep: list[str]) -> Iterator[InputRow]:
    handle = open(path, "rb")
    return _closing(handle, (jsonl_row(line, ids, text_column, keep) for line in read_lines(handle)))


# CSV and TSV: one record per line ----------------------------------------------------------------


def split_fields(text: str, delimiter: str) -> list[str]:
    """The fields of one CSV or TSV line. CSV quotes must close on their line (a headline is one
    line, and a quote that never closes would otherwise swallow the rest of the file); TSV has no
    quoting, so a field is taken exactly as written."""
    if delimiter == "\t":
        return text.split("\t")
    try:
        return next(csv.reader([text], strict=True), [""])
    except csv.Error as exc:
        if str(exc) == "unexpected end of data":
            raise RowProblem("a quote is not closed on this line")
        raise RowProblem(f"malformed CSV ({exc})")


def leading_field(raw: bytes, delimiter: str) -> str | None:
    """The line's first field if it can be read even when the line as a whole cannot: it is
    followed by a delimiter, is text and holds no quote."""
    head, found, _ = raw.partition(delimiter.encode())
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if found and '"' not in text and text.strip() and "\x00" not in text else None


@dataclass
class Delimited:
    """How to read the lines after a CSV or TSV header."""

    header: list[str]
    delimiter: str
    ids: Ids
    text_column: str
    keep: list[str]

    def row(self, line: Line) -> InputRow:
        where = f"line {line.number}"
        text, problem = (None, f"longer than {MAX_LINE_BYTES} bytes") if line.overlong else line.text()
        try:
            if problem:
                raise RowProblem(problem)
            if text == "":
                raise RowProblem("empty line")
            fields = split_fields(text, self.delimiter)
            if len(fields) != len(self.header):
                raise RowProblem(f"{len(fields)} fields, the header has {len(self.header)}")
        except RowProblem as exc:
            return InputRow(self.readable_id(line), None, f"{where}: {exc}")
        return record_row(dict(zip(self.header, fields)), line.number, where, self.ids, self.text_column, self.keep)

    def readable_id(self, line: Line):
        """A broken line keeps its id if the id is its first column and can be read on its own."""
        if self.ids.column is None or self.header[0] != self.ids.column:
            return self.ids.unread(line.number)
        return leading_field(line.raw, self.delimiter) or self.ids.unread(line.number)


def delimited_header(path: Path, lines: Iterator[Line], delimiter: str) -> list[str] | None:
    """The header's column names (None for an empty file); InputError if it cannot be read."""
    first = next(lines, None)
    if first is None:
        return None
    text, problem = (None, f"longer than {MAX_LINE_BYTES} bytes") if first.overlong else first.text()
    if problem:
        raise InputError(f"{path}: header (line 1) is {problem}")
    try:
        return split_fields(text, delimiter)
    except RowProblem as exc:
        raise InputError(f"{path}: header (line 1): {exc}")


def checked_columns(path: Path, columns: list[str], text_column: str, id_column: str | None, keep: list[str]) -> Ids:
    """The ids rule for a file with these columns; InputError for a column asked for but absent or
    ambiguous. The listing uses repr, so an invisible difference (a stray space) shows."""
    listing = ", ".join(map(repr, columns))
    wanted = [text_column, *keep] + ([id_column] if id_column else [])
    for name in wanted:
        if name not in columns:
            raise InputError(f"{path}: no column {name!r} (columns: {listing})")
        if columns.count(name) > 1:
            raise InputError(f"{path}: column {name!r} appears {columns.count(name)} times")
    column = id_column or "id"
    if id_column is None and columns.count(column) > 1:
        raise InputError(f"{path}: column {column!r} appears {columns.count(column)} times")
    return Ids(column if column in columns else None)


def from_delimited(
    path: Path, text_column: str, id_column: str | None, keep: list[str], delimiter: str = ","
) -> Iterator[InputRow]:
    handle = open(path, "rb")
    try:
        lines = read_lines(handle)
        header = delimited_header(path, lines, delimiter)
        if header is None:
            handle.close()
            return iter(())
        ids = checked_columns(path, header, text_column, id_column, keep)
    except BaseException:
        handle.close()
        raise
    reader = Delimited(header, delimiter, ids, text_column, keep)
    return _closing(handle, map(reader.row, lines))


# Parquet: read by row groups, only the columns used ----------------------------------------------

PARQUET_BATCH_ROWS = 1024


def from_parquet(path: Path, text_column: str, id_column: str | None, keep: list[str]) -> Iterator[InputRow]:
    try:
        import pyarrow.parquet as pq
    except ModuleNotFoundError:
        raise InputError("reading .parquet needs pyarrow: pip install 'sensational[distributed]'")
    try:
        parquet = pq.ParquetFile(path, page_checksum_verification=True)  # catches damage where pages carry CRCs
        columns = list(parquet.schema_arrow.names)
    except Exception as exc:  # pyarrow raises several kinds for a damaged file; all mean unreadable
        raise InputError(f"{path}: not a readable Parquet file ({_first_line(exc)})")
    ids = checked_columns(path, columns, text_column, id_column, keep)
    used = list(dict.fromkeys([text_column, *keep] + ([ids.column] if ids.column else [])))
    return _parquet_rows(parquet, used, ids, text_column, keep)


def _parquet_rows(parquet, used: list[str], ids: Ids, text_column: str, keep: list[str]) -> Iterator[InputRow]:
    """The rows of each row group, as many as its metadata declares: rows a damaged group cannot
    give are error rows, and the next group is read."""
    number = 0
    for group in range(parquet.num_row_groups):
        size = parquet.metadata.row_group(group).num_rows
        done, problem = 0, None
        try:
            for batch in parquet.iter_batches(PARQUET_BATCH_ROWS, row_groups=[group], columns=used):
                for record in _batch_records(batch, set(keep))[: size - done]:
                    done += 1
                    yield record_row(record, number + done, f"row {number + done}", ids, text_column, keep)
            if done < size:
                problem = f"gave only {done} of its {size} rows"
        except Exception as exc:  # pyarrow raises several kinds for damaged data; all mean unreadable
            problem = f"cannot be read ({_first_line(exc)})"
        for row in range(number + done + 1, number + size + 1):
            yield InputRow(ids.unread(row), None, f"row {row}: row group {group} {problem}")
        number += size


def _batch_records(batch, keep: set[str]) -> list[dict]:
    """The rows of an Arrow record batch as dicts; kept timestamps and dates as text (Python's
    datetime cannot hold nanoseconds or every year Arrow can)."""
    import pyarrow as pa

    columns = {}
    for name, array in zip(batch.schema.names, batch.columns):
        if name in keep and (pa.types.is_timestamp(array.type) or pa.types.is_date(array.type)):
            array = array.cast(pa.string())
        columns[name] = array.to_pylist()
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def from_file(path: Path, text_column: str, id_column: str | None, keep: list[str]) -> Iterator[InputRow]:
    """Rows of a .txt, .csv, .tsv, .jsonl or .parquet file, chosen by its suffix. The file is opened
    and its header checked now, so a usage error comes before any row is scored. `id_column` None
    means the default ("id" if the input has it)."""
    suffix = path.suffix.lower()
    if suffix not in (".txt", ".csv", ".tsv", ".jsonl", ".parquet"):
        raise InputError(f"{path}: unsupported file type {suffix!r} (use .txt, .csv, .tsv, .jsonl or .parquet)")
    try:
        if suffix == ".parquet":
            return from_parquet(path, text_column, id_column, keep)
        if suffix == ".jsonl":
            return from_jsonl(path, text_column, id_column, keep)
        if suffix in (".csv", ".tsv"):
            return from_delimited(path, text_column, id_column, keep, "\t" if suffix == ".tsv" else ",")
        return _text_rows(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})")


def _text_rows(path: Path) -> Iterator[InputRow]:
    handle = open(path, "rb")
    return _closing(handle, from_lines(handle))


def _closing(handle: BinaryIO, rows: Iterator[InputRow]) -> Iterator[InputRow]:
    with handle:
        yield from rows
