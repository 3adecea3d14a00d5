"""Monotone maps of a head's logit, fitted on the dev split, so explanations stay exact.

`platt`: score = expit(slope * logit + intercept). Each phrase's weight is its share of the logit
times the slope, so the weights still add up (with the calibrated intercept) to the calibrated logit.
`strength`: an increasing step function of the logit, fitted by isotonic regression to graded
judgments (Webis truthMean), for heads whose users want a graded strength beside the probability.
Fitting uses scikit-learn (training only); applying needs numpy alone.
"""

from __future__ import annotations

import numpy as np

IDENTITY = {"slope": 1.0, "intercept": 0.0}


def fit_platt(logits, labels, weights=None) -> dict:
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=1e6, max_iter=1000).fit(np.asarray(logits).reshape(-1, 1), labels, sample_weight=weights)
    return {"slope": float(fitted.coef_[0, 0]), "intercept": float(fitted.intercept_[0])}


def platt(logits, calibration: dict) -> np.ndarray:
    decision = calibration["slope"] * np.asarray(logits, dtype=np.float64) + calibration["intercept"]
    return 1.0 / (1.0 + np.exp(-decision))


def fit_strength(logits, graded) -> dict:
    from sklearn.isotonic import IsotonicRegression

    fitted = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(logits, graded)
    return {"x": fitted.X_thresholds_.tolist(), "y": fitted.y_thresholds_.tolist()}


def strength(logits, fitted: dict) -> np.ndarray:
    return np.interp(np.asarray(logits, dtype=np.float64), fitted["x"], fitted["y"])
