"""The rule of issue 12 as a property, over random corruptions of real files in every format:

every input unit (a line of .txt, stdin or .jsonl; a line after the header of .csv or .tsv; a Parquet
row) gives exactly one record, in order, with the line number in its error; a scored record's id is
its own (never a line number standing in for it); no traceback; exit 0, or 2 when the file as a
whole cannot be used. `make fuzz` runs it with many more examples (SENSATIONAL_FUZZ_EXAMPLES).
"""

import csv
import io
import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensational.cli import EXIT_USAGE, app
from sensational.paths import DATA_DIR
from tests.helpers import runner

EXAMPLES = int(os.environ.get("SENSATIONAL_FUZZ_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

END_OF_LINE = re.compile(rb"\r\n|\r|\n")
UTF8_BOM = b"\xef\xbb\xbf"
# Bytes that break formats: quotes, delimiters, line ends, NUL, invalid UTF-8, a BOM, JSON syntax.
NASTY = [b'"', b",", b"\t", b"\r", b"\n", b"\r\n", b"\x00", b"\xff", b"\xc3", UTF8_BOM, b"{", b"}", b"[", b"\\", b'""', b"NaN"]


def real_rows(count: int = 12) -> list[tuple[str, str]]:
    """(id, headline) of the first rows of a shipped corpus file."""
    with open(DATA_DIR / "goodnewseveryone" / "gne_gold.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [(row["id"], row["headline"]) for _, row in zip(range(count), reader)]


def real_file(kind: str) -> bytes:
    rows = real_rows()
    if kind in ("txt", "stdin"):
        return "".join(f"{headline}\n" for _, headline in rows).encode()
    if kind == "jsonl":
        return "".join(json.dumps({"id": i, "headline": h}) + "\n" for i, h in rows).encode()
    if kind == "tsv":
        return ("id\theadline\n" + "".join(f"{i}\t{h}\n" for i, h in rows)).encode()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([("id", "headline"), *rows])
    return out.getvalue().encode()


@st.composite
def corrupted(draw, data: bytes) -> bytes:
    """`data` with up to four edits: insert nasty or random bytes, delete or duplicate a span,
    flip a byte, truncate."""
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["insert", "delete", "duplicate", "flip", "truncate"]))
        if edit == "insert":
            piece = draw(st.sampled_from(NASTY) | st.binary(min_size=1, max_size=8))
            data = data[:at] + piece + data[at:]
        elif edit == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif edit == "duplicate":
            data = data[:at] + data[at : at + draw(st.integers(1, 80))] + data[at:]
        elif edit == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif edit == "truncate":
            data = data[:at]
    return data


def lines_of(data: bytes) -> list[bytes]:
    """The lines as the README defines them: ended by \\n, \\r\\n or \\r; a last unended line counts."""
    data = data.removeprefix(UTF8_BOM)
    pieces = END_OF_LINE.split(data)
    return pieces[:-1] if pieces[-1] == b"" else pieces


def has_id(line: bytes) -> bool:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict) and "id" in value


def run(model, tmp_path, kind: str, data: bytes):
    args = ["predict", "--top-phrases", "0", "--model", str(model)]
    if kind == "stdin":
        return runner.invoke(app, [*args, "-"], input=data)
    path = tmp_path / f"in.{kind}"
    path.write_bytes(data)
    return runner.invoke(app, [*args, "--input", str(path)])


def check_clean_exit(result, allowed):
    assert result.exit_code in allowed, (result.exit_code, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr


def check_records(records, lines: list[bytes], first_line: int, id_mode: bool):
    """Record i belongs to line first_line + i: its error names that line, and a scored record's id
    is the line number only where ids are line numbers, else a value written on that line."""
    assert len(records) == len(lines)
    for offset, (record, line) in enumerate(zip(records, lines)):
        number = first_line + offset
        if record.get("error"):
            assert record["error"].startswith(f"line {number}: "), (record["error"], number)
            assert record["score"] is None
            continue
        assert 0 <= record["score"] <= 1
        if id_mode:
            assert record["id"] != "" and str(record["id"]) in line.decode("utf-8", "replace"), (record["id"], line)
        else:
            assert record["id"] == number


def parsed(result) -> list[dict]:
    records = [json.loads(line) for line in result.stdout.splitlines()]
    for record in records:  # every record is strict JSON: no NaN or Infinity
        json.dumps(record, allow_nan=False)
    return records


@pytest.fixture(scope="module")
def model(tiny_model):
    return tiny_model


@pytest.mark.parametrize("kind", ["txt", "stdin", "jsonl"])
@SETTINGS
@given(data=st.data())
def test_line_formats_give_one_record_per_line(model, tmp_path_factory, kind, data):
    text = data.draw(corrupted(real_file(kind)))
    if text.removeprefix(UTF8_BOM)[:2] in (b"\xff\xfe", b"\xfe\xff"):  # read as UTF-16 instead: other lines
        return
    result = run(model, tmp_path_factory.mktemp(kind), kind, text)
    check_clean_exit(result, {0})
    records = parsed(result)
    lines = lines_of(text)
    check_records(records, lines, 1, id_mode=kind == "jsonl" and any(has_id(line) for line in lines))
    if kind != "jsonl":  # a scored line is scored as written
        for record, line in zip(records, lines):
            assert record.get("error") or record["headline"] == line.decode("utf-8")[:1000]


@pytest.mark.parametrize("kind", ["csv", "tsv"])
@SETTINGS
@given(data=st.data())
def test_delimited_formats_give_one_record_per_line_after_the_header(model, tmp_path_factory, kind, data):
    text = data.draw(corrupted(real_file(kind)))
    if text.removeprefix(UTF8_BOM)[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return
    result = run(model, tmp_path_factory.mktemp(kind), kind, text)
    check_clean_exit(result, {0, EXIT_USAGE})
    lines = lines_of(text)
    if result.exit_code == EXIT_USAGE:  # the header lost the text column, or cannot be read
        assert result.stdout == "" and result.stderr.startswith("sensational: ")
        return
    records = parsed(result)
    header = lines[0].decode("utf-8") if lines else ""
    columns = header.split("\t") if kind == "tsv" else next(csv.reader([header]), [])
    check_records(records, lines[1:], 2, id_mode="id" in columns)


@SETTINGS
@given(data=st.data())
def test_parquet_gives_one_record_per_row_or_exits_2(model, tmp_path_factory, data):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    folder = tmp_path_factory.mktemp("parquet")
    rows = real_rows()
    clean = folder / "clean.parquet"
    ids = [int(i, 16) for i, _ in rows]
    pq.write_table(pa.table({"id": ids, "headline": [h for _, h in rows]}), clean, row_group_size=4, write_page_checksum=True)
    text = data.draw(corrupted(clean.read_bytes()))
    result = run(model, folder, "parquet", text)
    check_clean_exit(result, {0, EXIT_USAGE})
    if result.exit_code == EXIT_USAGE:
        assert result.stdout == ""
        return
    records = parsed(result)
    assert len(records) == pq.ParquetFile(folder / "in.parquet").metadata.num_rows
    for number, record in enumerate(records, start=1):
        if record.get("error"):
            assert record["error"].startswith(f"row {number}: ") and record["id"] in ("", *ids)
        else:
            assert record["id"] in ids
