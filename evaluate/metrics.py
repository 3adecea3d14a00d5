"""Metric functions shared by training (dev split) and evaluation (test split)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve, roc_auc_score


def binary_metrics(labels, scores, threshold: float) -> dict:
    """Accuracy, precision, recall, F1 (of the positive class) and ROC-AUC at `threshold`."""
    labels = np.asarray(labels, dtype=int)
    scores = np.asarray(scores, dtype=float)
    predicted = scores >= threshold
    tp = int(np.sum(predicted & (labels == 1)))
    fp = int(np.sum(predicted & (labels == 0)))
    fn = int(np.sum(~predicted & (labels == 1)))
    tn = int(np.sum(~predicted & (labels == 0)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    both_classes = 0 < labels.sum() < len(labels)
    return {
        "n": int(len(labels)),
        "positives": int(labels.sum()),
        "accuracy": (tp + tn) / len(labels) if len(labels) else 0.0,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "roc_auc": float(roc_auc_score(labels, scores)) if both_classes else None,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }


def best_f1_threshold(labels, scores) -> float:
    """The score threshold with the highest F1, rounded down to 4 decimals."""
    precision, recall, thresholds = precision_recall_curve(np.asarray(labels, dtype=int), scores)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)
    best = int(np.argmax(f1[:-1]))
    return float(np.floor(thresholds[best] * 10_000) / 10_000)
