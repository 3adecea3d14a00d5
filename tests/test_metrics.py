"""Metric code against cases small enough to compute by hand."""

import numpy as np
import pytest

from sensational.metrics import (
    best_f1_threshold,
    binary_metrics,
    bootstrap_ci,
    calibrated_ece,
    expected_calibration_error,
    graded_agreement,
    threshold_for_precision,
    threshold_table,
)

LABELS = [1, 1, 1, 0, 0, 0, 0, 1]
SCORES = [0.9, 0.8, 0.3, 0.6, 0.2, 0.1, 0.4, 0.7]


def test_binary_metrics_by_hand():
    m = binary_metrics(LABELS, SCORES, 0.5)
    # flagged: 0.9, 0.8, 0.6, 0.7 -> tp 3 (0.9, 0.8, 0.7), fp 1 (0.6); missed: 0.3 -> fn 1; tn 3
    assert m["confusion"] == {"tp": 3, "fp": 1, "fn": 1, "tn": 3}
    assert m["accuracy"] == pytest.approx(6 / 8)
    assert m["precision"] == pytest.approx(3 / 4) and m["recall"] == pytest.approx(3 / 4)
    assert m["f1"] == pytest.approx(3 / 4)
    # ROC-AUC: of 16 positive/negative pairs, the positive 0.3 loses to 0.6 and 0.4 -> 14/16
    assert m["roc_auc"] == pytest.approx(14 / 16)
    brier = sum((s - y) ** 2 for s, y in zip(SCORES, LABELS)) / 8
    assert m["brier"] == pytest.approx(brier)


def test_a_calibrated_model_still_shows_an_ece_that_shrinks_with_the_rows():
    scores = np.random.default_rng(3).random(4000)
    small, large = calibrated_ece(scores[:50]), calibrated_ece(scores)
    assert small["mean"] > 0.05 > 0.02 > large["mean"]  # 50 rows are noise; 4,000 are not
    assert small["mean"] <= small["p95"] and calibrated_ece(scores[:50]) == small  # seeded
    assert calibrated_ece(np.ones(100))["p95"] == 0.0  # certain scores: every drawn label agrees


def test_ece_by_hand():
    # bin [0.2, 0.3): score 0.2, label 0 -> gap 0.2; bin [0.8, 0.9): 0.8 and 0.8, labels 1 and 0 -> gap 0.3
    assert expected_calibration_error([0, 1, 0], [0.2, 0.8, 0.8]) == pytest.approx((0.2 + 2 * 0.3) / 3)
    assert expected_calibration_error([1, 0], [1.0, 0.0]) == pytest.approx(0.0)


def test_graded_agreement_by_hand():
    g = graded_agreement([0.0, 0.5, 1.0], [0.1, 0.5, 0.7])
    assert g["mse"] == pytest.approx((0.01 + 0 + 0.09) / 3)
    assert g["spearman"] == pytest.approx(1.0)


def test_threshold_table_and_target_precision():
    rows = {r["threshold"]: r for r in threshold_table(LABELS, SCORES)}
    assert rows[0.5]["precision"] == pytest.approx(3 / 4) and rows[0.5]["flag_rate"] == pytest.approx(4 / 8)
    assert rows[0.9]["precision"] == pytest.approx(1.0) and rows[0.9]["recall"] == pytest.approx(1 / 4)
    # precision 1.0 first holds when only 0.9, 0.8, 0.7 are flagged
    assert threshold_for_precision(LABELS, SCORES, 1.0) == pytest.approx(0.7)
    assert threshold_for_precision([0, 0, 1], [0.9, 0.8, 0.1], 0.9) is None


def test_best_f1_threshold_by_hand():
    # flagging 0.7 and above gives tp 3, fp 0, fn 1 -> F1 6/7, better than any other cut
    assert best_f1_threshold(LABELS, SCORES) == pytest.approx(0.7)


def test_bootstrap_interval_contains_the_point_estimate_and_is_seeded():
    labels = LABELS * 20
    scores = SCORES * 20
    ci = bootstrap_ci(labels, scores, 0.5, resamples=200, seed=1)
    assert ci["f1"][0] <= 0.75 <= ci["f1"][1] and ci["roc_auc"][0] <= 14 / 16 <= ci["roc_auc"][1]
    assert ci == bootstrap_ci(labels, scores, 0.5, resamples=200, seed=1)


def test_framing_metrics_by_hand():
    from sensational.metrics import framing_metrics

    tags = [("alarm",), ("alarm", "shock"), ("shock",), ("other",), ()]
    shares = {"alarm": [0.7, 0.2, 0.4, 0.5, 0.5], "shock": [0.3, 0.8, 0.6, 0.5, 0.5]}
    result = framing_metrics(tags, shares)
    assert result["n"] == 3  # rows without a tag among the types are left out
    assert result["top1_accuracy"] == 1.0  # alarm, shock (among alarm+shock), shock
    assert result["per_type"]["alarm"] == {"positives": 2, "roc_auc": 0.5}  # 0.7 and 0.2 against 0.4
    assert result["per_type"]["shock"] == {"positives": 2, "roc_auc": 1.0}  # 0.8 and 0.6 against 0.3
    assert result["mean_roc_auc"] == 0.75 and abs(result["mean_top_share"] - 0.7) < 1e-12
