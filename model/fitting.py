"""Fitting one head: its pipeline on the train rows, then on the dev rows its calibration, graded
strength and best-F1 threshold. Training, evaluation's retrained variants and the benchmark all fit
through `fit_head`; scikit-learn is used here and nowhere at inference (sensational.fast compiles
what it fitted)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sensational import calibration
from sensational.config import PRODUCT_HEAD, head_sources
from sensational.data.loader import rows_of
from sensational.lexicon import Lexicon
from sensational.metrics import best_f1_threshold, binary_metrics, framing_metrics
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


def tagged(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows that carry at least one framing-type tag, re-indexed from 0 (rows tagged none, and
    rows never tagged, are left out)."""
    return rows[rows["tags"].map(bool)].reset_index(drop=True)


def framing_targets(rows: pd.DataFrame, types: list[str], weights: np.ndarray):
    """(row index, type, weight): one training row per tag of a headline among `types`, weighted by its
    source's weight over its number of such tags, so a headline with two types counts once in all."""
    index, targets, row_weights = [], [], []
    for i, (tags, weight) in enumerate(zip(rows["tags"], weights)):
        kept = [tag for tag in tags if tag in types]
        if kept:
            index += [i] * len(kept)
            targets += kept
            row_weights += [weight / len(kept)] * len(kept)
    return np.array(index, dtype=np.int64), np.array(targets, dtype=object), np.array(row_weights, dtype=np.float64)


def framing_shares(framing, texts: list[str]) -> dict[str, np.ndarray]:
    """{type: share per headline} from the fitted framing pipeline (scikit-learn's predict_proba)."""
    shares = framing.predict_proba(texts) if texts else np.zeros((0, len(framing.classes_)))
    return {str(t): shares[:, k] for k, t in enumerate(framing.classes_)}


def fit_framing(config: dict, pipeline, table: pd.DataFrame, log=print) -> tuple[object | None, dict | None]:
    """The framing-type model of the product head (config [framing]): a multinomial logistic regression
    over the head's fitted features (`pipeline`'s FeatureUnion, shared, not refitted), on the head's
    train rows that carry tags; measured on its dev rows that carry tags. (None, None) without a
    [framing] section or with fewer than two types among the training tags."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    spec = config.get("framing")
    if not spec:
        return None, None
    sources = head_sources(config, PRODUCT_HEAD)
    train = tagged(rows_of(table, "train", sources))
    index, targets, weights = framing_targets(train, spec["types"], train["corpus"].map(sources).to_numpy(float))
    if len(set(targets)) < 2:
        log(f"framing: {len(set(targets))} framing type(s) among the training tags; no framing model")
        return None, None
    union = pipeline.named_steps["features"]
    log(f"framing: fitting {len(set(targets))} types on {len(train)} tagged headlines…")
    features = union.transform(train["text"].tolist()).tocsr()
    if spec.get("min_df", 1) > 1:
        # A column left out is one no training row has: its coefficients stay exactly 0 under L2, so
        # the compiled form stores none of them (and the columns are still the head's).
        seen = np.asarray((features != 0).sum(axis=0)).ravel()
        features = (features @ sp.diags((seen >= spec["min_df"]).astype(float))).tocsr()
        features.eliminate_zeros()
    classifier = LogisticRegression(C=spec["C"], max_iter=config["classifier"]["max_iter"], random_state=config["seed"])
    classifier.fit(features[index], targets, sample_weight=weights)
    framing = Pipeline([("features", union), ("classifier", classifier)])
    summary = {
        "head": PRODUCT_HEAD,
        "types": [str(t) for t in classifier.classes_],
        "rows": len(train),
        "rows_per_type": dict(sorted(Counter(targets.tolist()).items())),
    }
    dev = tagged(rows_of(table, "dev", sources))
    summary["dev_metrics"] = framing_metrics(dev["tags"], framing_shares(framing, dev["text"].tolist()))
    return framing, summary

