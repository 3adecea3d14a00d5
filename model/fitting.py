"""Fitting one head: its pipeline on the train rows, then on the dev rows its calibration, graded
strength and best-F1 threshold. Training, evaluation's retrained variants and the benchmark all fit
through `fit_head`; scikit-learn is used here and nowhere at inference (sensational.fast compiles
what it fitted)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sensational import calibration
from sensational.config import head_sources
from sensational.data.loader import rows_of
from sensational.lexicon import Lexicon
from sensational.metrics import best_f1_threshold, binary_metrics
from sensational.pipeline import build_pipeline
from sensational.semantic import load_vectors


def soft_target_rows(features, scores: np.ndarray, weights: np.ndarray, soft: bool):
    """Each headline as a positive row weighted by its score and a negative row weighted by 1 - score."""
    if not soft:
        return features, (scores >= 0.5).astype(int), weights
    stacked = sp.vstack([features, features]).tocsr()
    targets = np.concatenate([np.ones(len(scores), int), np.zeros(len(scores), int)])
    row_weights = np.concatenate([weights * scores, weights * (1.0 - scores)])
    keep = row_weights > 0
    return stacked[keep], targets[keep], row_weights[keep]


def fit_pipeline(config: dict, head: str, train_rows: pd.DataFrame, log=print):
    """The pipeline of one head fitted on `train_rows` (columns text, score, corpus), each row
    weighted by its source's weight in that head."""
    lexicon_path = config.get("lexicon", {}).get("path")
    vectors_path = config.get("semantic", {}).get("path")
    spec = config["heads"][head]
    pipeline = build_pipeline(
        config,
        Lexicon.from_file(lexicon_path) if lexicon_path else None,
        spec["C"],
        load_vectors(vectors_path) if vectors_path else None,
        spec.get("semantic_weight", 0.0),
    )
    union, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
    log(f"{head}: fitting features on {len(train_rows)} headlines…")
    features = union.fit_transform(train_rows["text"].tolist()).tocsr()
    log(f"{head}: fitting logistic regression on {features.shape[1]} features…")
    weights = head_sources(config, head)
    X, y, w = soft_target_rows(
        features,
        train_rows["score"].to_numpy(float),
        train_rows["corpus"].map(weights).to_numpy(float),
        config["heads"][head].get("soft_targets", False),
    )
    classifier.fit(X, y, sample_weight=w)
    return pipeline


def fit_head(config: dict, head: str, table: pd.DataFrame, log=print) -> tuple[object, dict]:
    """Fit one head on its sources' train rows, then on their dev rows: the calibration of its logit,
    its graded strength (if the config names a graded source) and its best-F1 threshold.
    Returns (pipeline, summary) where summary holds what a loaded model needs beside the pipeline."""
    sources = head_sources(config, head)
    train_rows, dev_rows = rows_of(table, "train", sources), rows_of(table, "dev", sources)
    if train_rows["label"].nunique() < 2:
        raise ValueError(f"head {head}: the training split needs labelled headlines of both classes")
    pipeline = fit_pipeline(config, head, train_rows, log)
    logits = pipeline.decision_function(dev_rows["text"].tolist())
    labels = dev_rows["label"].astype(int).to_numpy()
    summary = {"rows_per_corpus": train_rows["corpus"].value_counts().sort_index().to_dict()}
    spec = config["heads"][head]
    summary["calibration"] = (
        calibration.fit_platt(logits, labels, dev_rows["corpus"].map(sources).to_numpy(float))
        if spec.get("calibrate", False) and len(set(labels)) == 2 else calibration.IDENTITY
    )
    rows = (dev_rows["corpus"] == spec.get("strength_source")).to_numpy()
    if rows.any():  # a variant without the graded source has no strength
        summary["strength"] = calibration.fit_strength(logits[rows], dev_rows["score"].to_numpy(float)[rows])
    scores = calibration.platt(logits, summary["calibration"])
    summary["threshold"] = threshold = best_f1_threshold(labels, scores)
    metrics = {c: binary_metrics(g["label"].astype(int), scores[g.index], threshold) for c, g in dev_rows.groupby("corpus")}
    metrics["pooled"] = binary_metrics(labels, scores, threshold)
    summary["dev_metrics"] = metrics
    return pipeline, summary
