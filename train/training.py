"""Fit each head described by the config, pick its threshold on dev, and write the artifact."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from sensational.artifact import library_versions, save_artifact, sha256_of
from sensational.config import PRODUCT_HEAD, head_sources, load_config, used_sources
from sensational.data.loader import LoadReport, load_corpora, rows_of
from sensational.fitting import fit_framing, fit_head


@dataclass
class TrainResult:
    model_path: Path
    config_path: Path
    heads: dict[str, dict]  # per head: rows_per_corpus, threshold, dev_metrics
    seconds: float
    load_report: LoadReport
    sha256: str


def data_fingerprint(rows: pd.DataFrame) -> str:
    """SHA-256 of the training rows (corpus, text, score, and framing tags where a row has them),
    independent of their order. Rows without tags hash as before tags were read."""
    digest = hashlib.sha256()
    tags = rows["tags"] if "tags" in rows else [None] * len(rows)
    written = ["" if t is None else ",".join(t) or "-" for t in tags]  # "-": tagged none, as the annotation writes it
    for corpus, text, score, tagged in sorted(zip(rows["corpus"], rows["text"], rows["score"].round(6), written)):
        line = f"{corpus}\t{text}\t{score}" + (f"\t{tagged}" if tagged else "")
        digest.update(f"{line}\n".encode("utf-8"))
    return digest.hexdigest()


def train_model(config_path: Path, output_path: Path, log=print) -> TrainResult:
    started = time.perf_counter()
    config = load_config(config_path)
    log(f"config: {config_path}")
    table, report = load_corpora(used_sources(config))
    for line in report.lines():
        log(f"data: {line}")

    pipelines, heads = {}, {}
    for head in config["heads"]:
        pipelines[head], heads[head] = fit_head(config, head, table, log)
        log(f"{head}: threshold {heads[head]['threshold']} (best F1 on dev)")
    framing, framing_summary = fit_framing(config, pipelines[PRODUCT_HEAD], table, log)
    if framing_summary is not None:
        dev = framing_summary["dev_metrics"]
        log(f"framing: dev top-1 {dev['top1_accuracy']:.4f}, mean ROC-AUC {dev['mean_roc_auc']:.4f} over {dev['n']} tagged headlines")
    train_rows = rows_of(table, "train", {c for head in config["heads"] for c in head_sources(config, head)})

    metadata = {
        "name": "sensational",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": config,
        "config_path": str(config_path),
        "data_fingerprint": data_fingerprint(train_rows),
        "heads": heads,
        "libraries": library_versions(),
    }
    if framing_summary is not None:
        metadata["framing"] = framing_summary
    vectors = config.get("semantic", {}).get("path")
    if vectors:  # which vectors the semantic block was built from, to the byte
        metadata["semantic"] = {"path": vectors, "sha256": sha256_of(vectors)}
    manifest = save_artifact(output_path, pipelines, metadata, framing)
    return TrainResult(
        model_path=output_path,
        config_path=config_path,
        heads=heads,
        seconds=time.perf_counter() - started,
        load_report=report,
        sha256=manifest["sha256"],
    )
