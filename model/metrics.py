"""Metric functions shared by training (dev split) and evaluation (test split).

Each takes plain sequences of 0/1 labels and 0-1 scores, so it can be checked by hand (tests/test_metrics.py).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score


def _arrays(labels, scores):
    return np.asarray(labels, dtype=int), np.asarray(scores, dtype=float)


def confusion(labels, scores, threshold: float) -> dict:
    labels, scores = _arrays(labels, scores)
    predicted = scores >= threshold
    return {
        "tp": int(np.sum(predicted & (labels == 1))),
        "fp": int(np.sum(predicted & (labels == 0))),
        "fn": int(np.sum(~predicted & (labels == 1))),
        "tn": int(np.sum(~predicted & (labels == 0))),
    }


def f1_score_at(labels, scores, threshold: float) -> float:
    c = confusion(labels, scores, threshold)
    return 2 * c["tp"] / (2 * c["tp"] + c["fp"] + c["fn"]) if c["tp"] else 0.0


def expected_calibration_error(labels, scores, bins: int = 10) -> float:
    """Mean |score - observed rate| over equal-width score bins, weighted by the bins' sizes."""
    labels, scores = _arrays(labels, scores)
    index = np.minimum((scores * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        members = index == b
        if members.any():
            total += members.sum() * abs(scores[members].mean() - labels[members].mean())
    return float(total / len(scores))


def calibrated_ece(scores, bins: int = 10, draws: int = 500, seed: int = 0) -> dict:
    """The ECE a perfectly calibrated model with these scores would still show on this many rows:
    over `draws` sets of labels drawn with P(1) = score, the mean and 95th percentile of the ECE.
    A measured ECE near it is sampling noise; a target below it cannot be checked on these rows."""
    scores = np.asarray(scores, dtype=float)
    rng = np.random.default_rng(seed)
    found = [expected_calibration_error(rng.random(len(scores)) < scores, scores, bins) for _ in range(draws)]
    return {"mean": float(np.mean(found)), "p95": float(np.percentile(found, 95)), "draws": draws}


def reliability_bins(labels, scores, bins: int = 10) -> list[dict]:
    labels, scores = _arrays(labels, scores)
    index = np.minimum((scores * bins).astype(int), bins - 1)
    return [
        {"bin": b, "n": int((index == b).sum()), "mean_score": float(scores[index == b].mean()),
         "observed": float(labels[index == b].mean())}
        for b in range(bins)
        if (index == b).any()
    ]


def binary_metrics(labels, scores, threshold: float) -> dict:
    """Accuracy, precision, recall, F1 (positive class) at `threshold`; ROC-AUC, PR-AUC, Brier, ECE."""
    labels, scores = _arrays(labels, scores)
    c = confusion(labels, scores, threshold)
    precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    both_classes = 0 < labels.sum() < len(labels)
    return {
        "n": int(len(labels)),
        "positives": int(labels.sum()),
        "accuracy": (c["tp"] + c["tn"]) / len(labels) if len(labels) else 0.0,
        "precision": precision,
        "recall": recall,
        "f1": f1_score_at(labels, scores, threshold),
        "roc_auc": float(roc_auc_score(labels, scores)) if both_classes else None,
        "pr_auc": float(average_precision_score(labels, scores)) if both_classes else None,
        "brier": float(np.mean((scores - labels) ** 2)) if len(labels) else None,
        "ece": expected_calibration_error(labels, scores) if len(labels) else None,
        "confusion": c,
    }


def bootstrap_ci(labels, scores, threshold: float, resamples: int = 1000, seed: int = 0) -> dict:
    """95% percentile bootstrap intervals for F1 (at `threshold`) and ROC-AUC."""
    labels, scores = _arrays(labels, scores)
    rng = np.random.default_rng(seed)
    f1s, aucs = [], []
    for _ in range(resamples):
        pick = rng.integers(0, len(labels), len(labels))
        sample_labels, sample_scores = labels[pick], scores[pick]
        f1s.append(f1_score_at(sample_labels, sample_scores, threshold))
        if 0 < sample_labels.sum() < len(sample_labels):
            aucs.append(roc_auc_score(sample_labels, sample_scores))

    def interval(values):
        return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))] if values else None

    return {"f1": interval(f1s), "roc_auc": interval(aucs), "resamples": resamples}


def graded_agreement(graded_truth, scores) -> dict:
    """Mean squared error and Spearman correlation between scores and a graded truth (0-1)."""
    truth, scores = np.asarray(graded_truth, dtype=float), np.asarray(scores, dtype=float)
    return {"mse": float(np.mean((scores - truth) ** 2)), "spearman": float(spearmanr(scores, truth).statistic)}


def threshold_table(labels, scores, thresholds=tuple(round(0.1 * i, 1) for i in range(1, 10))) -> list[dict]:
    """Precision, recall and share of headlines flagged at each threshold."""
    labels, scores = _arrays(labels, scores)
    rows = []
    for t in thresholds:
        c = confusion(labels, scores, t)
        flagged = c["tp"] + c["fp"]
        rows.append(
            {
                "threshold": t,
                "precision": c["tp"] / flagged if flagged else None,
                "recall": c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else None,
                "flag_rate": flagged / len(labels),
            }
        )
    return rows


def threshold_for_precision(labels, scores, target: float) -> float | None:
    """The lowest threshold whose precision reaches `target` (most recall at that precision), or None."""
    labels, scores = _arrays(labels, scores)
    if not labels.any():
        return None
    precision, _, thresholds = precision_recall_curve(labels, scores)
    reaching = np.flatnonzero(precision[:-1] >= target)
    return float(thresholds[reaching[0]]) if len(reaching) else None


def best_f1_threshold(labels, scores) -> float:
    """The score threshold with the highest F1, rounded down to 4 decimals (0.5 without both classes)."""
    labels, scores = _arrays(labels, scores)
    if not 0 < labels.sum() < len(labels):
        return 0.5
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)
    best = int(np.argmax(f1[:-1]))
    return float(np.floor(thresholds[best] * 10_000) / 10_000)


def framing_metrics(tag_sets, shares: dict[str, np.ndarray]) -> dict:
    """How well per-type shares match annotated framing-type tags, over the rows with at least one
    tag among the types of `shares` ({type: share per row}): per type, the one-vs-rest ROC-AUC of its
    share (positive: the type is among the row's tags) and its number of positives; their mean;
    top-1 accuracy, a hit when the type with the largest share is among the row's tags; and the mean
    largest share, to set against it."""
    types = list(shares)
    labels = np.array([[t in tags for t in types] for tags in tag_sets], dtype=bool).reshape(-1, len(types))
    matrix = np.column_stack([np.asarray(shares[t], dtype=float) for t in types]).reshape(-1, len(types))
    keep = labels.any(axis=1)
    labels, matrix = labels[keep], matrix[keep]
    per_type = {}
    for k, name in enumerate(types):
        both = 0 < labels[:, k].sum() < len(labels)
        per_type[name] = {"positives": int(labels[:, k].sum()),
                          "roc_auc": float(roc_auc_score(labels[:, k], matrix[:, k])) if both else None}
    aucs = [entry["roc_auc"] for entry in per_type.values() if entry["roc_auc"] is not None]
    top = matrix.argmax(axis=1) if len(matrix) else np.zeros(0, int)
    return {
        "n": int(len(labels)),
        "top1_accuracy": float(labels[np.arange(len(labels)), top].mean()) if len(labels) else None,
        "mean_top_share": float(matrix.max(axis=1).mean()) if len(labels) else None,  # against top-1: over- or under-confident
        "mean_roc_auc": float(np.mean(aucs)) if aucs else None,
        "per_type": per_type,
    }
