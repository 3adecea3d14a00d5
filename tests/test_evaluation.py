"""The evaluation report: every section present, and its numbers are the ones in metrics.json."""

import json

import pytest

from sensational.evaluate.evaluation import evaluate_model
from sensational.evaluate.report import f


@pytest.fixture(scope="module")
def evaluated(tiny_model, tmp_path_factory):
    out = tmp_path_factory.mktemp("eval")
    evaluate_model(tiny_model, out, card_path=out / "MODEL_CARD.md")
    return out, json.loads((out / "metrics.json").read_text())


def test_every_section_is_written(evaluated):
    out, metrics = evaluated
    report = (out / "report.md").read_text()
    for heading in (
        "## Headline results", "## Against baselines", "## Graded agreement", "## Confusion matrices",
        "## Choosing a threshold", "## Cross-corpus", "## Ablation", "## Figures", "## Where it fails",
        "## Published numbers",
    ):
        assert heading in report
    for name in ("roc_pr", "reliability", "histograms"):
        assert (out / metrics["plots"][name]).stat().st_size > 1000
    card = (out / "MODEL_CARD.md").read_text()
    for heading in ("## Intended use", "## Training data", "## Headline metrics", "## Recommended thresholds",
                    "## Known failure modes"):
        assert heading in card
    assert metrics["model"]["fingerprint"] in card


def test_report_numbers_are_the_metrics_json_numbers(evaluated):
    out, metrics = evaluated
    report = (out / "report.md").read_text()
    for corpus, entry in metrics["corpora"].items():
        row = next(line for line in report.splitlines() if line.startswith(f"| {corpus} | {entry['model']['n']} |"))
        for key in ("accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "brier", "ece"):
            assert f(entry["model"][key]) in row
    assert "graded" in metrics["corpora"]["webis"]  # truthMean-style scores are graded
    assert "graded" not in metrics["corpora"]["chak"]  # 0/1 scores are not


def test_baselines_cross_corpus_and_ablation_cover_every_corpus(evaluated):
    _, metrics = evaluated
    corpora = {"chak", "webis", "own"}
    assert set(metrics["corpora"]["pooled"]["baselines"]) == {"majority class", "word-unigram TF-IDF + LR"}
    assert set(metrics["cross_corpus"]) == corpora | {"all (the model)"}
    assert set(metrics["ablation"]) == {"without lexicon", "without chak", "without webis", "without own"}
    assert all(set(row) == corpora for row in metrics["cross_corpus"].values())
