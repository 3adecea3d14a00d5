"""`make data`: load every source of the config and show what is there."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from sensational.config import load_config
from sensational.data.loader import load_corpora


def print_summary(config_path: Path) -> None:
    console = Console()
    table, report = load_corpora(load_config(config_path)["sources"])
    for line in report.lines():
        console.print(line)
    counts = Table(title=f"headlines per corpus and split (config {config_path})")
    for column in ("corpus", "train", "dev", "test", "labelled", "share positive"):
        counts.add_column(column)
    for corpus, group in table.groupby("corpus"):
        splits = group["split"].value_counts()
        labelled = group["label"].notna()
        share = f"{group.loc[labelled, 'label'].mean():.3f}" if labelled.any() else "-"
        counts.add_row(corpus, *(str(splits.get(s, 0)) for s in ("train", "dev", "test")), str(int(labelled.sum())), share)
    console.print(counts)
