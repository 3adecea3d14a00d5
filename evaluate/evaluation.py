"""Score every corpus's test split with a trained model and write the report and metrics."""

from __future__ import annotations

import json
from pathlib import Path

from sensational.artifact import write_atomically
from sensational.data.loader import load_corpora
from sensational.evaluate.metrics import binary_metrics
from sensational.paths import REPORT_DIR, ROOT
from sensational.predictor import Sensational


def evaluate_model(model_path: Path | None = None, out_dir: Path = REPORT_DIR, root: Path = ROOT) -> dict:
    model = Sensational.load(model_path)
    config = model.metadata["config"]
    table, _ = load_corpora(config["sources"], root)
    test = table[(table["split"] == "test") & table["label"].notna()].reset_index(drop=True)
    scores = model.scores(test["text"].tolist())
    test["model_score"] = scores
    metrics = {
        "model": {**model.model_info, "path": str(model.path), "threshold": model.threshold},
        "config_path": model.metadata.get("config_path"),
        "per_corpus": {
            corpus: binary_metrics(group["label"].astype(int), group["model_score"], model.threshold)
            for corpus, group in test.groupby("corpus")
        },
    }
    metrics["per_corpus"]["pooled"] = binary_metrics(test["label"].astype(int), test["model_score"], model.threshold)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(out_dir / "metrics.json", lambda tmp: tmp.write_text(json.dumps(metrics, indent=2) + "\n"))
    write_atomically(out_dir / "report.md", lambda tmp: tmp.write_text(render_report(metrics)))
    return metrics


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def render_report(metrics: dict) -> str:
    lines = [
        "# Evaluation report",
        "",
        f"Model `{metrics['model']['name']}` fingerprint `{metrics['model']['fingerprint']}`, "
        f"threshold {metrics['model']['threshold']}, trained with config `{metrics['config_path']}`.",
        "All numbers are on each corpus's **test** split, which the model never trained on.",
        "",
        "| corpus | n | accuracy | precision | recall | F1 | ROC-AUC |",
        "|---|---|---|---|---|---|---|",
    ]
    for corpus, m in metrics["per_corpus"].items():
        lines.append(
            f"| {corpus} | {m['n']} | {_fmt(m['accuracy'])} | {_fmt(m['precision'])} | {_fmt(m['recall'])} "
            f"| {_fmt(m['f1'])} | {_fmt(m['roc_auc'])} |"
        )
    return "\n".join(lines) + "\n"
