"""Read the labelled corpora named in the training config into one validated table.

The table has one row per headline: `text` (normalised), `label` (0/1, or <NA> when the source is
unlabelled), `score` (graded 0-1 where the source has one, else the label), `corpus`, `split`
(train / dev / test by a hash of the text), `source_row` (where the headline came from) and
`held_out` (from an outlet kept out of train and dev: always in the test split) and `tags` (the
framing types of a source with a `tags_column`, as a sorted tuple, empty for none; None where the row
was not tagged).

Every reader raises `DataError` naming the file, the row and the problem; nothing is silently skipped
except empty texts and exact duplicates, which are dropped and counted in the `LoadReport`.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd

from sensational.text import normalise, split_of

COLUMNS = ["text", "label", "score", "corpus", "split", "source_row", "held_out", "tags"]


class DataError(ValueError):
    """A corpus file that cannot be read as declared; the message names file, row and problem."""

    def __init__(self, path: Path | str, row: int | str | None, problem: str):
        where = f"{path}" if row is None else f"{path}, row {row}"
        super().__init__(f"{where}: {problem}")


@dataclass
class CorpusCounts:
    read: int = 0
    empty: int = 0
    duplicates: int = 0
    conflicting: int = 0
    conflict_examples: list[str] = field(default_factory=list)
    kept: int = 0


@dataclass
class LoadReport:
    corpora: dict[str, CorpusCounts] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = []
        for name, c in self.corpora.items():
            out.append(
                f"{name}: read {c.read}, dropped {c.empty} empty, {c.duplicates} duplicate, "
                f"{c.conflicting} with conflicting labels; kept {c.kept}"
            )
            out.extend(f"  conflicting: {text!r}" for text in c.conflict_examples)
        return out


# --- readers: each yields (source_row, raw_text, label or None, score or None, held_out, tags) ------

Record = tuple[str, str, "int | None", "float | None", bool, "tuple[str, ...] | None"]


def _decoded_lines(path: Path) -> Iterator[tuple[int, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield number, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise DataError(path, number, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")


def read_chakraborty(path: Path, **_) -> Iterator[Record]:
    """Two one-headline-per-line files; the label is the file."""
    for filename, label in (("clickbait.txt", 1), ("non_clickbait.txt", 0)):
        file = path / filename
        if not file.exists():
            raise DataError(file, None, "file missing")
        for number, line in _decoded_lines(file):
            yield f"{filename}:{number}", line, label, float(label), False, None


def _json_objects(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) of each non-blank line of a JSONL file (gzipped or not)."""
    for number, line in _decoded_lines(path):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(path, number, f"malformed JSON ({exc.msg})")
        if not isinstance(value, dict):
            raise DataError(path, number, "expected a JSON object")
        yield number, value


def read_webis(path: Path, **_) -> Iterator[Record]:
    """Webis-Clickbait-17 posts: graded `truthMean`, binary `truthClass`."""
    for number, post in _json_objects(path):
        text = post.get("postText")
        if text is not None and not isinstance(text, str):
            raise DataError(path, number, f"postText is {type(text).__name__}, expected a string")
        truth_class = post.get("truthClass")
        if truth_class not in ("clickbait", "no-clickbait"):
            raise DataError(path, number, f"truthClass is {truth_class!r}, expected clickbait or no-clickbait")
        mean = post.get("truthMean")
        if not isinstance(mean, (int, float)) or not 0.0 <= mean <= 1.0:
            raise DataError(path, number, f"truthMean is {mean!r}, expected a number in [0, 1]")
        yield f"id {post.get('id')}", text or "", int(truth_class == "clickbait"), float(mean), False, None


def _table_rows(path: Path) -> Iterator[tuple[int, dict]]:
    if path.suffix == ".csv":
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                # Row numbers count the header as row 1, as a spreadsheet shows them.
                for number, row in enumerate(csv.DictReader(handle, strict=True), start=2):
                    if None in row or None in row.values():
                        raise DataError(path, number, "wrong number of fields")
                    yield number, row
        except UnicodeDecodeError as exc:
            raise DataError(path, None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
        except csv.Error as exc:
            raise DataError(path, None, f"malformed CSV ({exc})")
    elif path.suffix == ".jsonl":
        yield from _json_objects(path)
    else:
        raise DataError(path, None, "unsupported file type (expected .csv or .jsonl)")


def _parse_label(path: Path, number: int, value) -> int | None:
    if value is None or value == "":
        return None
    if str(value).strip() in ("0", "1", "0.0", "1.0", "True", "False", "true", "false"):
        return int(str(value).strip() in ("1", "1.0", "True", "true"))
    raise DataError(path, number, f"label is {value!r}, expected 0 or 1")


def _parse_score(path: Path, number: int, value) -> float | None:
    if value is None or value == "":
        return None
    try:
        score = float(value)
    except (TypeError, ValueError):
        raise DataError(path, number, f"score is {value!r}, expected a number in [0, 1]")
    if not 0.0 <= score <= 1.0 or math.isnan(score):
        raise DataError(path, number, f"score is {value!r}, expected a number in [0, 1]")
    return score


def _parse_tags(path: Path, number: int, value) -> tuple[str, ...] | None:
    """Comma-separated framing types; `-` means none. Empty means the row was not tagged: unknown,
    which is not the same as none (GoodNewsEveryone's rows outside the re-adjudication)."""
    if value is None or str(value).strip() == "":
        return None
    if str(value).strip() == "-":
        return ()
    tags = [tag.strip().lower() for tag in str(value).split(",")]
    if not all(tag.isalpha() for tag in tags):
        raise DataError(path, number, f"tags is {value!r}, expected comma-separated words or '-'")
    return tuple(sorted(set(tags)))


def read_table(
    path: Path,
    text_column: str = "headline",
    label_column: str | None = "label",
    score_column: str | None = None,
    where: dict | None = None,
    held_out: str | None = None,
    tags_column: str | None = None,
    **_,
) -> Iterator[Record]:
    """A CSV or JSONL file of headlines, optionally labelled (a moderation team's own decisions);
    `where` = {column: value} keeps only the rows that match; a row whose `held_out` column is 1
    comes from an outlet kept out of train and dev; `tags_column` holds its framing types."""
    for number, row in _table_rows(path):
        if where and any(str(row.get(column)) != str(value) for column, value in where.items()):
            continue
        if text_column not in row:
            raise DataError(path, number, f"no column {text_column!r}")
        text = row[text_column]
        if text is not None and not isinstance(text, str):
            raise DataError(path, number, f"{text_column} is {type(text).__name__}, expected a string")
        label = _parse_label(path, number, row.get(label_column)) if label_column else None
        score = _parse_score(path, number, row.get(score_column)) if score_column else None
        if score is not None and label is None:
            label = int(score >= 0.5)
        tags = _parse_tags(path, number, row.get(tags_column)) if tags_column else None
        yield f"row {number}", text or "", label, score, bool(held_out) and str(row.get(held_out)) == "1", tags


READERS = {"chakraborty": read_chakraborty, "webis": read_webis, "table": read_table}


# --- assembling the table -------------------------------------------------------------------------


def load_source(name: str, spec: dict, report: LoadReport) -> pd.DataFrame:
    """Read one source declared in the config, normalise, deduplicate and split it."""
    reader = READERS.get(spec.get("format", ""))
    if reader is None:
        raise DataError(name, None, f"unknown format {spec.get('format')!r}; expected one of {sorted(READERS)}")
    path = Path(spec["path"])  # load_config made it absolute, from the config file's folder
    if not path.exists():
        raise DataError(path, None, "file or folder missing")
    options = {key: value for key, value in spec.items()
               if key not in ("format", "path", "only_label", "test_only", "annotated")}
    only_label = spec.get("only_label")

    counts = report.corpora.setdefault(name, CorpusCounts())
    rows = []
    for source_row, raw_text, label, score, held_out, tags in reader(path, **options):
        if only_label is not None and label != only_label:
            continue
        counts.read += 1
        text = normalise(raw_text)
        if not text:
            counts.empty += 1
            continue
        rows.append((text, label, label if score is None else score, source_row, held_out, tags))
    frame = pd.DataFrame(rows, columns=["text", "label", "score", "source_row", "held_out", "tags"])
    frame["label"] = frame["label"].astype("Int64")
    frame = _deduplicate(frame, counts)
    frame["corpus"] = name
    # A test-only source (kept for evaluation) and a held-out outlet never reach train or dev.
    test_only = bool(spec.get("test_only"))
    frame["split"] = ["test" if out or test_only else split_of(text) for text, out in zip(frame["text"], frame["held_out"])]
    counts.kept = len(frame)
    return frame[COLUMNS]


def _deduplicate(frame: pd.DataFrame, counts: CorpusCounts) -> pd.DataFrame:
    """Keep one row per text; drop every copy of a text whose copies disagree on the label."""
    labels_per_text = frame.groupby("text", sort=False)["label"].nunique(dropna=True)
    conflicting = set(labels_per_text[labels_per_text > 1].index)
    if conflicting:
        counts.conflicting = int(frame["text"].isin(conflicting).sum())
        counts.conflict_examples = sorted(conflicting)[:5]
        frame = frame[~frame["text"].isin(conflicting)]
    # Copies that agree on the label keep the mean of their graded scores.
    first = frame.groupby("text", sort=False).agg(
        label=("label", "first"), score=("score", "mean"), source_row=("source_row", "first"), held_out=("held_out", "max"),
        tags=("tags", "first"),
    )
    counts.duplicates = len(frame) - len(first)
    return first.reset_index()


def load_corpora(sources: dict[str, dict]) -> tuple[pd.DataFrame, LoadReport]:
    """All sources of the config as one table, with a report of what was dropped and why."""
    report = LoadReport()
    frames = [load_source(name, spec, report) for name, spec in sources.items()]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return table, report


def rows_of(table: pd.DataFrame, split: str, corpora) -> pd.DataFrame:
    """Labelled rows of one split from the given corpora, re-indexed from 0."""
    chosen = table[(table["split"] == split) & table["label"].notna() & table["corpus"].isin(list(corpora))]
    return chosen.reset_index(drop=True)
