"""Every kind of bad input, through the CLI (a file and stdin) and the service: one record per input
line, with its id and the reason; and the CLI's exit codes (0, 1 with --strict, 2 usage, 3 model).

The library readers are tested one by one in test_predict.py; this is the end-to-end battery.
"""

import json
import shutil

import pytest

from sensational.artifact import manifest_path
from sensational.cli import EXIT_MODEL, EXIT_ROWS_FAILED, EXIT_USAGE, app
from sensational.inputs import MAX_CHARS
from tests.helpers import cli_records, runner, service_records

LONG = "Shocking " * 11_112  # 100,008 characters

# A .txt file, one headline per line: (line bytes, expected error or None).
TXT_LINES = [
    (b"Trump SLAMS furious judge in shocking rant", None),
    (b"", "line 2: empty headline"),
    (b" \t  ", "line 3: empty headline"),
    (b"caf\xe9 latin-1 byte", "line 4: not valid UTF-8 (byte 3)"),
    (b"nul \x00 byte", "line 5: headline contains a NUL byte"),
    (LONG.encode(), None),  # truncated
    (b"Senate passes budget bill\r", None),  # a CRLF line ending is not part of the headline
]

# A .jsonl file: (line, expected id, expected error or None).
JSONL_LINES = [
    (b'{"headline": "Senate passes budget bill"}', 1, None),
    (b"{broken", 2, "line 2: malformed JSON (Expecting property name enclosed in double quotes)"),
    (b'{"headline": 42}', 3, "line 3: headline is int, expected a string"),
    (b'{"headline": null}', 4, "line 4: missing headline"),
    (b'{"headline": ["a", "list"]}', 5, "line 5: headline is list, expected a string"),
    (b'{"headline": {"an": "object"}}', 6, "line 6: headline is dict, expected a string"),
    (b'{"headline": true}', 7, "line 7: headline is bool, expected a string"),
    (b'"a bare string"', 8, "line 8: expected a JSON object, got str"),
    (b"17", 9, "line 9: expected a JSON object, got int"),
    (b'{"headline": "   "}', 10, "line 10: empty headline"),
    (b'{"headline": "nul \\u0000 escape"}', 11, "line 11: headline contains a NUL byte"),
    (b'{"headline": "caf\xe9"}', 12, "line 12: not valid UTF-8 (byte 17)"),
    (b'{"title": "wrong field"}', 13, "line 13: no 'headline' field"),
    (json.dumps({"headline": LONG}).encode(), 14, None),  # truncated
    (b'{"headline": "You Won\'t Believe What This Dog Did Next"}', 15, None),
]

# A .csv file (line 1 is the header): (line, expected id, expected error or None).
CSV_LINES = [
    (b"id,headline", None, None),
    (b"r1,Senate passes budget bill", "r1", None),
    (b"r2,too,many", "r2", "line 3: 3 fields, the header has 2"),  # the first column reads on its own
    (b"r3", "", "line 4: 1 fields, the header has 2"),  # "": the id cannot be told from the headline
    (b"r4,", "r4", "line 5: empty headline"),
    (b"r5,   ", "r5", "line 6: empty headline"),
    (b"r6,caf\xe9", "r6", "line 7: not valid UTF-8 (byte 6)"),
    (b"r7,nul \x00 byte", "r7", "line 8: headline contains a NUL byte"),
    (b"r8," + LONG.encode(), "r8", None),  # truncated
    (b'r9,"Quake, strong, hits coast"', "r9", None),
]


def write(tmp_path, name, lines) -> str:
    path = tmp_path / name
    path.write_bytes(b"\n".join(lines) + b"\n")
    return str(path)


def check(records, expected, record_validator):
    """One record per expected (id, error); scored records in [0, 1]; overlong lines truncated."""
    assert [(r["id"], r.get("error")) for r in records] == expected
    for record in records:
        assert record_validator.is_valid(record), record
        if record.get("error"):
            assert record["score"] is None and record["flagged"] is None and record["phrases"] == []
        else:
            assert 0 <= record["score"] <= 1
            if record["headline"].startswith("Shocking Shocking"):
                assert record["truncated"] is True and record["headline"] == LONG[:MAX_CHARS]
            else:
                assert "truncated" not in record


def test_txt_file_and_stdin_give_the_same_records(tiny_model, tmp_path, record_validator):
    lines = [line for line, _ in TXT_LINES]
    expected = [(number, error) for number, (_, error) in enumerate(TXT_LINES, start=1)]
    from_file = cli_records(tiny_model, ["--input", write(tmp_path, "in.txt", lines)])
    check(from_file, expected, record_validator)
    from_stdin = cli_records(tiny_model, ["-"], stdin=b"\n".join(lines) + b"\n")
    assert from_stdin == from_file
    assert from_file[6]["headline"] == "Senate passes budget bill"


def test_jsonl_file(tiny_model, tmp_path, record_validator):
    records = cli_records(tiny_model, ["--input", write(tmp_path, "in.jsonl", [line for line, _, _ in JSONL_LINES])])
    check(records, [(row_id, error) for _, row_id, error in JSONL_LINES], record_validator)


def test_csv_file(tiny_model, tmp_path, record_validator):
    records = cli_records(tiny_model, ["--input", write(tmp_path, "in.csv", [line for line, _, _ in CSV_LINES])])
    check(records, [(row_id, error) for _, row_id, error in CSV_LINES[1:]], record_validator)


def test_the_service_gives_the_cli_records_for_the_same_headlines(client, tiny_model, record_validator):
    # Every line that is text (a JSON string cannot carry undecodable bytes), then JSON values that are not strings.
    texts = [line.decode().rstrip("\r") for line, _ in TXT_LINES if b"\xe9" not in line]
    served = service_records(client, texts + [42, None, ["a"], {"id": "obj", "headline": True}])
    printed = cli_records(tiny_model, ["-"], stdin="\n".join(texts) + "\n")
    for line in printed:  # the same record, but an item is not a line
        if "error" in line:
            line["error"] = "item " + line["error"].removeprefix("line ")
    n = len(texts)
    assert served[:n] == printed
    assert [(r["id"], r.get("error")) for r in served[n:]] == [
        (n + 1, f"item {n + 1}: headline is int, expected a string"),
        (n + 2, f"item {n + 2}: missing headline"),
        (n + 3, f"item {n + 3}: headline is list, expected a string"),
        ("obj", f"item {n + 4}: headline is bool, expected a string"),
    ]
    check(served, [(r["id"], r.get("error")) for r in served], record_validator)
    assert sum(1 for r in served if r.get("error")) == 3 + 4


@pytest.mark.parametrize("name, lines", [("in.txt", [b"fine", b""]), ("in.jsonl", [b'{"headline": "fine"}', b"{"])])
def test_row_errors_exit_0_or_1_with_strict(tiny_model, tmp_path, name, lines):
    path = write(tmp_path, name, lines)
    assert len(cli_records(tiny_model, ["--input", path])) == 2
    assert len(cli_records(tiny_model, ["--input", path, "--strict"], exit_code=EXIT_ROWS_FAILED)) == 2
    cli_records(tiny_model, ["--input", write(tmp_path, "good.txt", [b"fine"]), "--strict"], exit_code=0)


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "nothing to score"),
        (["x", "--input", "{tmp}/in.txt"], "not both"),
        (["--input", "{tmp}/absent.txt"], "no such file"),
        (["--input", "{tmp}/in.xml"], "unsupported file type"),
        (["--input", "{tmp}/no-column.csv"], "no column 'headline'"),
        (["x", "--format", "xml"], "unknown format"),
        (["x", "--threshold", "2"], "threshold 2.0 for 'sensational' is not between 0 and 1"),
        (["x", "--threshold", "clickbait=-0.1"], "threshold -0.1 for 'clickbait' is not between 0 and 1"),
        (["x", "--threshold", "framing=0.5"], "no category 'framing' in this model; it has sensational, clickbait"),
        (["x", "--threshold", "high"], "expected a number or NAME=NUMBER"),
        (["x", "--top-phrases", "-1"], "Invalid value"),
        (["x", "--no-such-option"], "No such option"),
    ],
)
def test_usage_errors_exit_2_and_write_no_records(tiny_model, tmp_path, args, message):
    for name, text in [("in.txt", "x\n"), ("in.xml", "<x/>"), ("no-column.csv", "id,title\n1,x\n")]:
        (tmp_path / name).write_text(text)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, ["predict", *args, "--model", str(tiny_model)])
    assert result.exit_code == EXIT_USAGE, result.output
    assert message in result.stderr and result.stdout == ""


def test_serve_usage_error_exits_2(tiny_model):
    assert runner.invoke(app, ["serve", "--port", "70000", "--model", str(tiny_model)]).exit_code == EXIT_USAGE


def tamper(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda path: path.unlink(), "run `make train` first"),
        (tamper, "does not match the manifest"),
        (lambda path: path.write_bytes(path.read_bytes()[:100]), "modified, truncated or swapped"),
        (lambda path: manifest_path(path).unlink(), "manifest"),
    ],
    ids=["missing", "tampered", "truncated", "no-manifest"],
)
@pytest.mark.parametrize("command", [["predict", "Senate passes bill"], ["serve", "--port", "0"]])
def test_a_missing_or_damaged_model_exits_3_with_one_line(tiny_model, tmp_path, damage, message, command):
    model = tmp_path / "model.joblib"
    shutil.copy(tiny_model, model)
    shutil.copy(manifest_path(tiny_model), manifest_path(model))
    damage(model)
    result = runner.invoke(app, [*command, "--model", str(model)])
    assert result.exit_code == EXIT_MODEL, result.output
    assert message in result.stderr and result.stderr.strip().count("\n") == 0
    assert result.stdout == ""
