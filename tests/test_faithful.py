"""One test per reproduction of issue 12 ("nothing lost, nothing mangled"): every input unit gives
exactly one record, in order, with its own id or an error; clean exits for what cannot be done."""

import json
import os
import signal
import subprocess
import sys

import pytest

from sensational.cli import EXIT_INTERRUPTED, EXIT_MODEL, EXIT_PIPE_CLOSED, EXIT_TERMINATED, EXIT_USAGE
from sensational.inputs import MAX_CHARS
from sensational.lines import MAX_LINE_BYTES, read_lines
from tests.helpers import cli_records, runner
from sensational.cli import app


def predict(model, path, *args, exit_code=0):
    return cli_records(model, ["--input", str(path), "--top-phrases", "0", *args], exit_code=exit_code)


def ids_and_errors(records):
    return [(r["id"], r.get("error")) for r in records]


# Rows lost or merged ------------------------------------------------------------------------------


def test_an_unclosed_csv_quote_is_an_error_on_its_line_and_later_rows_are_scored(tiny_model, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text('id,headline\n1,ok\n2,"open\n3,three\n4,four\n')
    assert ids_and_errors(predict(tiny_model, path)) == [
        ("1", None),
        ("2", "line 3: a quote is not closed on this line"),
        ("3", None),
        ("4", None),
    ]


def test_a_tsv_headline_keeps_its_quotes(tiny_model, tmp_path):
    path = tmp_path / "q.tsv"
    headline = '"Quoted" words SLAM the judge'
    path.write_text(f"id\theadline\na\t{headline}\n")
    (record,) = predict(tiny_model, path)
    (alone,) = cli_records(tiny_model, [headline, "--top-phrases", "0"])
    assert record["headline"] == headline and record["score"] == alone["score"]


@pytest.mark.parametrize(
    "bad, error",
    [
        ('{"id": ' + "9" * 5000 + ', "headline": "x"}', "line 2: a number too long to read"),
        ('{"id": 2, "headline": ' + "[" * 1000 + "]" * 1000 + "}", "line 2: JSON nested too deeply"),
        ('{"id": 2, "headline": "x", "deep": ' + "[" * 900 + "]" * 900 + "}", None),  # not kept: harmless
    ],
    ids=["5000-digit-id", "nested-1000", "nested-900-unused"],
)
def test_one_hostile_json_line_is_one_error_and_the_rest_are_scored(tiny_model, tmp_path, bad, error):
    path = tmp_path / "h.jsonl"
    path.write_text('{"id": 1, "headline": "first"}\n' + bad + '\n{"id": 3, "headline": "after"}\n')
    records = predict(tiny_model, path)
    assert [r.get("error") for r in records] == [None, error, None]
    assert records[2]["id"] == 3 and records[2]["score"] is not None


@pytest.fixture
def parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    def write(columns: dict, name="in.parquet", **options):
        path = tmp_path / name
        pq.write_table(pa.table(columns), path, **options)
        return path

    return write


def test_parquet_integer_ids_with_a_null_stay_integers(tiny_model, parquet):
    import pyarrow as pa

    path = parquet({"id": pa.array([1, None, 3], pa.int64()), "headline": ["one", "two", "three"]})
    assert ids_and_errors(predict(tiny_model, path)) == [(1, None), ("", "row 2: empty id"), (3, None)]


@pytest.mark.parametrize(
    "ids, error",
    [([1.0, 2.0], "id is float, expected a string or an integer"), ([[1], [2]], "id is list, expected a string or an integer")],
)
def test_parquet_ids_that_are_not_strings_or_integers_are_row_errors(tiny_model, parquet, ids, error):
    path = parquet({"id": ids, "headline": ["one", "two"]})
    assert ids_and_errors(predict(tiny_model, path)) == [("", f"row 1: {error}"), ("", f"row 2: {error}")]


def test_parquet_kept_timestamps_lists_and_nan_are_valid_json(tiny_model, parquet):
    import datetime

    import pyarrow as pa

    path = parquet(
        {
            "id": ["a", "b"],
            "headline": ["one", "two"],
            "at": pa.array([datetime.datetime(2024, 5, 1, 12, 30), None], pa.timestamp("ns")),
            "tags": [["x", "y"], []],
            "weight": [float("nan"), float("inf")],
        }
    )
    records = predict(tiny_model, path, "--keep-column", "at", "--keep-column", "tags", "--keep-column", "weight")
    assert [(r["at"], r["tags"], r["weight"]) for r in records] == [("2024-05-01 12:30:00.000000000", ["x", "y"], None), (None, [], None)]


def test_a_corrupt_parquet_file_exits_2(tiny_model, tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 this is not parquet PAR1")
    result = runner.invoke(app, ["predict", "--input", str(path), "--model", str(tiny_model)])
    assert result.exit_code == EXIT_USAGE and "not a readable Parquet file" in result.stderr and result.stdout == ""


def test_a_damaged_parquet_row_group_gives_error_rows_and_the_other_groups_are_scored(tiny_model, parquet):
    path = parquet({"id": list(range(1, 7)), "headline": [f"headline {i}" for i in range(1, 7)]}, row_group_size=2,
                   compression="NONE", use_dictionary=False)
    data = bytearray(path.read_bytes())
    at = data.index(b"headline 3")  # inside the second row group's data page
    data[at - 12 : at + 4] = b"\xff" * 16
    path.write_bytes(bytes(data))
    records = predict(tiny_model, path)
    assert len(records) == 6 and [r["id"] for r in records][:2] == [1, 2] and [r["id"] for r in records][4:] == [5, 6]
    assert all(r["score"] is not None for r in records[:2] + records[4:])
    assert [r["error"].split(" (")[0] for r in records[2:4]] == ["row 3: row group 1 cannot be read", "row 4: row group 1 cannot be read"]


# Ids replaced or duplicated -----------------------------------------------------------------------

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    "name, content",
    [
        ("a.csv", b"id,headline\n7,Senate passes budget bill\n"),
        ("b.csv", b"headline,id\nSenate passes budget bill,7\n"),
        ("c.jsonl", b'{"id": "7", "headline": "Senate passes budget bill"}\n'),
        ("d.txt", b"Senate passes budget bill\n"),
    ],
)
def test_a_byte_order_mark_changes_nothing(tiny_model, tmp_path, name, content):
    plain, marked = tmp_path / f"plain-{name}", tmp_path / f"bom-{name}"
    plain.write_bytes(content)
    marked.write_bytes(BOM + content)
    assert predict(tiny_model, marked) == predict(tiny_model, plain)
    assert predict(tiny_model, marked)[0]["headline"] == "Senate passes budget bill"


def test_a_wrong_id_column_exits_2(tiny_model, tmp_path, parquet):
    paths = [tmp_path / "a.csv", tmp_path / "a.jsonl", parquet({"id": [1], "headline": ["x"]})]
    paths[0].write_text("id,headline\n1,x\n")
    paths[1].write_text('{"id": 1, "headline": "x"}\n')
    for path in paths:
        result = runner.invoke(app, ["predict", "-i", str(path), "--id-column", "ident", "--model", str(tiny_model)])
        assert result.exit_code == EXIT_USAGE and "'ident'" in result.stderr and result.stdout == ""


def test_empty_ids_and_error_rows_never_take_a_real_id(tiny_model, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text('id,headline\n3,real three\n,no id here\n  ,blank id\n"unclosed,x\n5,fine\n')
    records = predict(tiny_model, path)
    assert ids_and_errors(records) == [
        ("3", None),
        ("", "line 3: empty id"),
        ("", "line 4: empty id"),
        ("", "line 5: a quote is not closed on this line"),
        ("5", None),
    ]
    out = tmp_path / "out.csv"
    cli_records(tiny_model, ["-i", str(path), "-f", "csv", "-o", str(out)])
    scored_ids = [line.split(",")[0] for line in out.read_text().splitlines()[1:] if line.split(",")[2]]
    assert scored_ids == ["3", "5"]


def test_jsonl_ids_follow_one_rule_for_the_whole_file(tiny_model, tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text('{"headline": "no id"}\n{"id": 1, "headline": "has one"}\n{"id": null, "headline": "null id"}\n')
    assert ids_and_errors(predict(tiny_model, path)) == [
        ("", "line 1: no 'id' field"),
        (1, None),
        ("", "line 3: empty id"),
    ]


# Failures that are not clean ----------------------------------------------------------------------


@pytest.mark.parametrize("target", ["{tmp}/missing/out.jsonl", "/proc/out.jsonl", "{tmp}"], ids=["missing-dir", "read-only", "a-directory"])
def test_an_output_that_cannot_be_written_exits_2_before_the_model_is_loaded(tmp_path, target):
    target = target.replace("{tmp}", str(tmp_path))
    result = runner.invoke(app, ["predict", "x", "-o", target, "--model", str(tmp_path / "absent.joblib")])
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr.startswith(f"sensational: {target}") and "Traceback" not in result.output


def test_closed_stdin_or_a_fifo_input_exits_2(tiny_model, tmp_path):
    fifo = tmp_path / "in.txt"
    os.mkfifo(fifo)
    result = subprocess.run(command("predict", "-i", str(fifo), "--model", str(tiny_model)), capture_output=True, text=True, timeout=120)
    assert result.returncode == EXIT_USAGE and "not a regular file" in result.stderr
    closed = subprocess.run(command("predict", "-", "--model", str(tiny_model)), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert closed.returncode == 0 and closed.stdout == ""  # an empty stream: no records
    shut = subprocess.run(
        ["sh", "-c", 'exec "$0" -m sensational.cli predict - --model "$1" <&-', sys.executable, str(tiny_model)],
        capture_output=True, text=True, timeout=120,
    )
    assert shut.returncode == EXIT_USAGE and "standard input is closed" in shut.stderr


def command(*args):
    return [sys.executable, "-m", "sensational.cli", *args]


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, EXIT_TERMINATED), (signal.SIGINT, EXIT_INTERRUPTED)])
def test_a_signal_removes_the_temporary_output_and_keeps_the_old_file(tiny_model, tmp_path, signum, code):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    process = subprocess.Popen(
        command("predict", "-", "-o", str(out), "--model", str(tiny_model)),
        stdin=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    process.stdin.write(b"first headline\n")
    process.stdin.flush()
    from tests.helpers import wait_for

    assert wait_for(lambda: any(p.name.endswith(".tmp") for p in tmp_path.iterdir()), 60)
    process.send_signal(signum)
    assert process.wait(timeout=60) == code
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"] and out.read_text() == "old\n"
    assert b"Traceback" not in process.stderr.read()


def test_a_closed_pipe_exits_141_quietly(tiny_model, tmp_path):
    path = tmp_path / "many.txt"
    path.write_text("".join(f"Headline number {i}\n" for i in range(20000)))
    process = subprocess.Popen(
        command("predict", "-i", str(path), "--model", str(tiny_model)), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert json.loads(process.stdout.readline())["id"] == 1
    process.stdout.close()  # what `| head -1` does
    assert process.wait(timeout=120) == EXIT_PIPE_CLOSED
    assert process.stderr.read() == b""


@pytest.fixture
def model_copy(tiny_model, tmp_path):
    import shutil

    from sensational.artifact import manifest_path, scoring_path

    path = tmp_path / "copy.joblib"
    for source, target in [(tiny_model, path), (manifest_path(tiny_model), manifest_path(path))]:
        shutil.copy(source, target)
    for head in ("sensational", "clickbait"):
        shutil.copy(scoring_path(tiny_model, head), scoring_path(path, head))
    return path


def _manifest_as(text):
    return lambda path: path.with_name(path.name + ".manifest.json").write_text(text)


def _replace_with(make):
    def damage(path):
        path.unlink()
        make(path)

    return damage


@pytest.mark.parametrize(
    "damage, message",
    [
        (_manifest_as('{"sha256": 5}'), "manifest copy.joblib.manifest.json is unreadable"),
        (_manifest_as('{"sha256": "' + "a" * 64 + '", "libraries": [1]}'), "is unreadable"),
        (_manifest_as("[1, 2]"), "is unreadable"),
        (lambda p: (p.with_name(p.name + ".manifest.json").unlink(), p.with_name(p.name + ".manifest.json").mkdir()), "not a regular file"),
        (lambda p: (p.with_name(p.name + ".manifest.json").unlink(), os.mkfifo(p.with_name(p.name + ".manifest.json"))), "not a regular file"),
        (_replace_with(lambda p: os.symlink("/dev/zero", p)), "not a regular file"),
        (_replace_with(os.mkfifo), "not a regular file"),
        (_replace_with(lambda p: p.mkdir()), "not a regular file"),
    ],
    ids=["sha-int", "libraries-list", "manifest-list", "manifest-dir", "manifest-fifo", "dev-zero", "model-fifo", "model-dir"],
)
def test_a_bad_model_or_manifest_exits_3_without_hanging(model_copy, damage, message):
    damage(model_copy)
    result = subprocess.run(command("predict", "x", "--model", str(model_copy)), capture_output=True, text=True, timeout=120)
    assert result.returncode == EXIT_MODEL, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_jsonl_nan_and_infinity_are_written_as_null(tiny_model, tmp_path):
    path = tmp_path / "n.jsonl"
    path.write_text('{"headline": "a", "w": NaN}\n{"headline": "b", "w": -Infinity}\n{"headline": "c", "w": 1e999}\n')
    result = runner.invoke(app, ["predict", "-i", str(path), "--keep-column", "w", "--model", str(tiny_model)])
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    assert [json.loads(line)["w"] for line in result.stdout.splitlines()] == [None, None, None]


def test_a_long_csv_field_is_truncated_and_scored_like_a_long_line(tiny_model, tmp_path):
    path = tmp_path / "long.csv"
    long = "Shocking " * 20_000  # 180,000 characters, over the csv module's default field limit
    path.write_text(f"id,headline\na,{long}\n")
    (record,) = predict(tiny_model, path)
    assert record.get("error") is None and record["truncated"] is True and record["headline"] == long[:MAX_CHARS]


@pytest.mark.parametrize("suffix, header", [(".txt", ""), (".csv", "id,headline\n")])
def test_utf16_gives_one_record_per_line(tiny_model, tmp_path, suffix, header):
    lines = ["a1,Senate passes budget bill", "a2,Café owner SLAMS council"] if header else ["Senate passes budget bill", "Café owner SLAMS council"]
    text = header + "\r\n".join(lines) + "\r\n"
    utf16, utf8 = tmp_path / f"w16{suffix}", tmp_path / f"w8{suffix}"
    utf16.write_bytes(text.encode("utf-16"))  # with its byte-order mark, as Windows writes it
    utf8.write_text(text)
    assert predict(tiny_model, utf16) == predict(tiny_model, utf8)
    assert len(predict(tiny_model, utf16)) == 2


def test_cr_only_line_endings_are_line_ends(tiny_model, tmp_path):
    path = tmp_path / "mac.txt"
    path.write_bytes(b"one headline\rtwo headline\r\rfour headline")
    assert ids_and_errors(predict(tiny_model, path)) == [(1, None), (2, None), (3, "line 3: empty headline"), (4, None)]


# Memory -------------------------------------------------------------------------------------------


class Endless:
    """A stream of one huge line made on the fly, so the test itself holds no more than a chunk."""

    def __init__(self, size: int):
        self.left = size

    def read1(self, n: int) -> bytes:
        if self.left <= 0:
            return b""
        piece = min(n, self.left)
        self.left -= piece
        return b"x" * piece if self.left else b"x" * (piece - 1) + b"\n"

    read = read1


def test_a_100_mb_line_is_kept_to_the_line_cap():
    (line,) = read_lines(Endless(100 << 20))
    assert line.overlong and len(line.raw) == MAX_LINE_BYTES


def test_a_100_mb_line_on_stdin_is_scored_truncated(tiny_model):
    records = cli_records(tiny_model, ["-", "--top-phrases", "0"], stdin=b"y" * (3 * MAX_LINE_BYTES) + b"\nnext\n")
    assert [(r["id"], r.get("truncated"), len(r["headline"])) for r in records] == [(1, True, MAX_CHARS), (2, None, 4)]


def test_an_output_that_is_a_stream_is_written_in_place_not_replaced(tiny_model, tmp_path):
    import threading

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    cli_records(tiny_model, ["Senate passes budget bill", "-o", str(fifo)])
    reader.join(timeout=60)
    assert json.loads(received[0])["headline"] == "Senate passes budget bill"
    assert fifo.is_fifo() and sorted(p.name for p in tmp_path.iterdir()) == ["out.fifo"]
