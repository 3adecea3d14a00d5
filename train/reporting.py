"""`make train` as a person sees it: progress while fitting, a summary table at the end."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sensational.train.training import TrainResult, train_model


def train_with_progress(config_path: Path, output_path: Path) -> TrainResult:
    console = Console(stderr=True, width=120)
    started = time.perf_counter()
    with console.status("training…") as status:

        def log(message: str) -> None:
            console.print(f"[{time.perf_counter() - started:6.1f}s] {message}", highlight=False, markup=False)
            status.update(message)

        result = train_model(config_path, output_path, log=log)

    table = Table(title=f"trained in {result.seconds:.1f} s — config {result.config_path}")
    for column in ("head", "dev split", "n", "accuracy", "precision", "recall", "F1", "ROC-AUC"):
        table.add_column(column)
    for head, summary in result.heads.items():
        for corpus, m in summary["dev_metrics"].items():
            auc = "n/a" if m["roc_auc"] is None else f"{m['roc_auc']:.4f}"
            table.add_row(
                head, corpus, str(m["n"]), f"{m['accuracy']:.4f}", f"{m['precision']:.4f}", f"{m['recall']:.4f}",
                f"{m['f1']:.4f}", auc,
            )
    console.print(table)
    for head, summary in result.heads.items():
        rows = ", ".join(f"{corpus} {n}" for corpus, n in summary["rows_per_corpus"].items())
        console.print(f"{head}: train rows {rows}; threshold (best F1 on dev) {summary['threshold']}")
    console.print(f"model: {result.model_path} (sha256 {result.sha256[:16]}…)")
    return result
