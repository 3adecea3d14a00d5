"""Fit the model described by the config, pick its threshold on dev, and write the artifact."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sensational.artifact import library_versions, save_artifact
from sensational.config import load_config
from sensational.data.loader import LoadReport, load_corpora
from sensational.evaluate.metrics import best_f1_threshold, binary_metrics
from sensational.lexicon import Lexicon
from sensational.paths import ROOT
from sensational.pipeline import build_pipeline


@dataclass
class TrainResult:
    model_path: Path
    config_path: Path
    rows_per_corpus: dict[str, int]
    threshold: float
    dev_metrics: dict[str, dict]
    seconds: float
    load_report: LoadReport
    sha256: str


def data_fingerprint(rows: pd.DataFrame) -> str:
    """SHA-256 of the training rows (corpus, text, score), independent of their order."""
    digest = hashlib.sha256()
    for corpus, text, score in sorted(zip(rows["corpus"], rows["text"], rows["score"].round(6))):
        digest.update(f"{corpus}\t{text}\t{score}\n".encode("utf-8"))
    return digest.hexdigest()


def soft_target_rows(features, scores: np.ndarray, weights: np.ndarray, soft: bool):
    """Each headline as a positive row weighted by its score and a negative row weighted by 1 - score."""
    if not soft:
        return features, (scores >= 0.5).astype(int), weights
    stacked = sp.vstack([features, features]).tocsr()
    targets = np.concatenate([np.ones(len(scores), int), np.zeros(len(scores), int)])
    row_weights = np.concatenate([weights * scores, weights * (1.0 - scores)])
    keep = row_weights > 0
    return stacked[keep], targets[keep], row_weights[keep]


def fit_pipeline(config: dict, train_rows: pd.DataFrame, root: Path = ROOT, log=print):
    """The pipeline of `config` fitted on `train_rows` (columns text, score, corpus)."""
    lexicon_path = config.get("lexicon", {}).get("path")
    lexicon = Lexicon.from_file(root / lexicon_path) if lexicon_path else None
    pipeline = build_pipeline(config, lexicon)
    union, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
    log("fitting features…")
    features = union.fit_transform(train_rows["text"].tolist()).tocsr()
    log(f"fitting logistic regression on {features.shape[1]} features…")
    source_weight = train_rows["corpus"].map(lambda c: float(config["sources"][c].get("weight", 1.0))).to_numpy()
    X, y, w = soft_target_rows(
        features, train_rows["score"].to_numpy(float), source_weight, config["classifier"].get("soft_targets", False)
    )
    classifier.fit(X, y, sample_weight=w)
    return pipeline


def train_model(config_path: Path, output_path: Path, log=print, root: Path = ROOT) -> TrainResult:
    started = time.perf_counter()
    config = load_config(config_path)
    log(f"config: {config_path}")
    table, report = load_corpora(config["sources"], root)
    for line in report.lines():
        log(f"data: {line}")
    labelled = table[table["label"].notna()]
    train_rows = labelled[labelled["split"] == "train"].reset_index(drop=True)
    dev_rows = labelled[labelled["split"] == "dev"].reset_index(drop=True)
    if train_rows.empty or train_rows["label"].nunique() < 2:
        raise ValueError("the training split needs labelled headlines of both classes")
    rows_per_corpus = train_rows["corpus"].value_counts().sort_index().to_dict()
    log(f"train: {len(train_rows)} headlines ({', '.join(f'{k} {v}' for k, v in rows_per_corpus.items())})")

    pipeline = fit_pipeline(config, train_rows, root, log)

    dev_scores = pipeline.predict_proba(dev_rows["text"].tolist())[:, 1]
    threshold = best_f1_threshold(dev_rows["label"].astype(int), dev_scores)
    dev_metrics = {
        corpus: binary_metrics(group["label"].astype(int), dev_scores[group.index], threshold)
        for corpus, group in dev_rows.groupby("corpus")
    }
    dev_metrics["pooled"] = binary_metrics(dev_rows["label"].astype(int), dev_scores, threshold)

    metadata = {
        "name": "sensational",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": config,
        "config_path": str(config_path),
        "data_fingerprint": data_fingerprint(train_rows),
        "rows_per_corpus": rows_per_corpus,
        "threshold": threshold,
        "dev_metrics": dev_metrics,
        "libraries": library_versions(),
    }
    manifest = save_artifact(output_path, pipeline, metadata)
    return TrainResult(
        model_path=output_path,
        config_path=config_path,
        rows_per_corpus=rows_per_corpus,
        threshold=threshold,
        dev_metrics=dev_metrics,
        seconds=time.perf_counter() - started,
        load_report=report,
        sha256=manifest["sha256"],
    )
