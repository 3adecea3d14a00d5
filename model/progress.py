"""A progress bar on stderr while a file is scored: rows done, rate and time left when stderr is a
terminal; nothing at all otherwise, so logs and pipes stay clean."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


def estimated_rows(path: Path) -> int | None:
    """Rows in an input file, counted cheaply: its lines (less a CSV/TSV header), or a Parquet file's
    row count. An estimate only: a quoted CSV field can span lines."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            import pyarrow.parquet

            return pyarrow.parquet.ParquetFile(path).metadata.num_rows
        except Exception:  # an unreadable file is reported by the reader, not here
            return None
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    lines += last != b"\n"  # a last line without a newline
    return max(lines - (suffix in (".csv", ".tsv")), 0)


@contextmanager
def file_progress(path: Path | str | None, console=None) -> Iterator[Callable[[int], None]]:
    """Yields `advance(rows)`. Shows a bar for a file input (`path`) when the console (default:
    stderr) is a terminal; otherwise `advance` does nothing."""
    if path is None or (console is None and not sys.stderr.isatty()):  # rich is not even imported
        yield lambda rows: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} headlines/s" if speed else "", style="progress.data.speed")

    console = console or Console(stderr=True)
    path = Path(path)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(), TimeRemainingColumn())
    # Records written to stdout must stay on stdout: rich would otherwise route them above the bar.
    with Progress(*columns, console=console, redirect_stdout=False, redirect_stderr=False) as bar:
        task = bar.add_task(f"scoring {path.name}", total=estimated_rows(path))
        yield lambda rows: bar.advance(task, rows)
        done = bar.tasks[0].completed
        bar.update(task, total=done, completed=done)  # the estimate may have been off; end full
