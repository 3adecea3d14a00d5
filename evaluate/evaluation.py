"""`make eval`: score every test split and answer, with evidence, how good the model is, how far its
score can be trusted as a probability, which threshold a moderation queue should use, and where it
fails. Every number goes to metrics.json; report.md and the model card are rendered from it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sensational.artifact import write_atomically
from sensational.data.loader import load_corpora
from sensational.evaluate import metrics as m
from sensational.paths import MODEL_CARD_PATH, REPORT_DIR, ROOT
from sensational.predictor import Sensational

TARGET_PRECISIONS = (0.90, 0.95)
ERRORS_SHOWN = 20
PUBLISHED = [
    {"corpus": "chakraborty2016", "system": "Chakraborty et al. 2016 (SVM, hand-made features)", "metric": "accuracy", "value": 0.93},
    {"corpus": "chakraborty2016", "system": "Anand et al. 2017 (RNN)", "metric": "accuracy", "value": 0.98},
    {"corpus": "webis-clickbait-17", "system": "Clickbait Challenge 2017 baseline", "metric": "mse", "value": 0.043},
    {"corpus": "webis-clickbait-17", "system": "Clickbait Challenge 2017 best systems", "metric": "mse", "value": "0.024-0.033"},
    {"corpus": "webis-clickbait-17", "system": "Clickbait Challenge 2017 (F1 of clickbait class)", "metric": "f1", "value": "0.55-0.74"},
]


def _labelled(table: pd.DataFrame, split: str) -> pd.DataFrame:
    return table[(table["split"] == split) & table["label"].notna()].reset_index(drop=True)


def _groups(frame: pd.DataFrame):
    """Each corpus, then all corpora pooled."""
    yield from frame.groupby("corpus")
    yield "pooled", frame


def _is_graded(scores: pd.Series) -> bool:
    return not set(np.round(scores.unique(), 6)) <= {0.0, 1.0}


def _unigram_baseline(train: pd.DataFrame, seed: int):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    baseline = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000, random_state=seed))
    return baseline.fit(train["text"].tolist(), train["label"].astype(int))


def _fit_restricted(config: dict, train: pd.DataFrame, corpora: list[str], lexicon: bool, root: Path):
    from sensational.train.training import fit_pipeline

    variant = {**config, "sources": {c: config["sources"][c] for c in corpora}}
    if not lexicon:
        variant = {k: v for k, v in variant.items() if k != "lexicon"}
    return fit_pipeline(variant, train[train["corpus"].isin(corpora)].reset_index(drop=True), root, log=lambda _: None)


def _variant_scores(config, train, dev, test, kept: list[str], lexicon: bool, root: Path) -> dict:
    """Retrain on the `kept` corpora (with or without the lexicon); test metrics per corpus at the
    variant's own best-F1 threshold on the dev split of the corpora it was trained on."""
    variant = _fit_restricted(config, train, kept, lexicon, root)
    own_dev = dev[dev["corpus"].isin(kept)]
    t = m.best_f1_threshold(own_dev["label"].astype(int), variant.predict_proba(own_dev["text"].tolist())[:, 1])
    scores = variant.predict_proba(test["text"].tolist())[:, 1]
    return {c: _summary(g["label"].astype(int), scores[g.index], t) for c, g in test.groupby("corpus")}


def _summary(labels, scores, threshold) -> dict:
    full = m.binary_metrics(labels, scores, threshold)
    return {key: full[key] for key in ("accuracy", "f1", "roc_auc")}


def evaluate_model(
    model_path: Path | None = None, out_dir: Path = REPORT_DIR, root: Path = ROOT, card_path: Path | None = None
) -> dict:
    started = time.perf_counter()
    model = Sensational.load(model_path)
    config = model.metadata["config"]
    table, _ = load_corpora(config["sources"], root)
    train, dev, test = (_labelled(table, s) for s in ("train", "dev", "test"))
    test["model_score"] = model.scores(test["text"].tolist())
    dev["model_score"] = model.scores(dev["text"].tolist())
    threshold = model.threshold

    baseline = _unigram_baseline(train, config["seed"])
    baseline_threshold = m.best_f1_threshold(dev["label"].astype(int), baseline.predict_proba(dev["text"].tolist())[:, 1])
    test["baseline_score"] = baseline.predict_proba(test["text"].tolist())[:, 1]
    majority = float(train["label"].astype(int).mean() >= 0.5)

    corpora = {}
    for corpus, group in _groups(test):
        labels, scores = group["label"].astype(int), group["model_score"]
        entry = {
            "model": m.binary_metrics(labels, scores, threshold),
            "ci": m.bootstrap_ci(labels, scores, threshold, seed=config["seed"]),
            "baselines": {
                "majority class": m.binary_metrics(labels, np.full(len(group), majority), 0.5),
                "word-unigram TF-IDF + LR": m.binary_metrics(labels, group["baseline_score"], baseline_threshold),
            },
            "thresholds": m.threshold_table(labels, scores),
            "reliability": m.reliability_bins(labels, scores),
        }
        if corpus != "pooled":
            entry["errors"] = _errors(model, group, threshold)
            if _is_graded(group["score"]):
                entry["graded"] = m.graded_agreement(group["score"], scores)
        corpora[corpus] = entry

    target_precision = {}
    for target in TARGET_PRECISIONS:
        chosen = m.threshold_for_precision(dev["label"].astype(int), dev["model_score"], target)
        row = {"threshold_on_dev": chosen}
        if chosen is not None:
            row["test"] = m.threshold_table(test["label"].astype(int), test["model_score"], (chosen,))[0]
        target_precision[f"{target:.2f}"] = row

    names = sorted(test["corpus"].unique())
    variants = {f"{c} alone": ([c], True) for c in names}
    if "lexicon" in config:
        variants["without lexicon"] = (names, False)
    if len(names) > 1:
        variants.update({f"without {c}": ([n for n in names if n != c], True) for c in names})
    from joblib import Parallel, delayed

    # Independent retrainings: one per core.
    fitted = Parallel(n_jobs=2)(
        delayed(_variant_scores)(config, train, dev, test, kept, lexicon, root) for kept, lexicon in variants.values()
    )
    results = dict(zip(variants, fitted))
    cross = {name.removesuffix(" alone"): results[name] for name in variants if name.endswith(" alone")}
    cross["all (the model)"] = {c: _summary(g["label"].astype(int), g["model_score"], threshold) for c, g in test.groupby("corpus")}
    ablation = {name: results[name] for name in variants if not name.endswith(" alone")}

    metrics = {
        "model": {**model.model_info, "path": str(model.path), "threshold": threshold,
                  "created": model.metadata.get("created"), "data_fingerprint": model.metadata.get("data_fingerprint")},
        "config_path": model.metadata.get("config_path"),
        "rows": {"train": len(train), "dev": len(dev), "test": len(test)},
        "corpora": corpora,
        "target_precision": target_precision,
        "cross_corpus": cross,
        "ablation": ablation,
        "published": PUBLISHED,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    from sensational.evaluate.plots import write_plots
    from sensational.evaluate.report import render_model_card, render_report

    metrics["plots"] = write_plots(test, out_dir / "figures")
    metrics["seconds"] = round(time.perf_counter() - started, 1)
    write_atomically(out_dir / "metrics.json", lambda tmp: tmp.write_text(json.dumps(metrics, indent=2) + "\n"))
    write_atomically(out_dir / "report.md", lambda tmp: tmp.write_text(render_report(metrics, out_dir)))
    write_atomically(card_path or MODEL_CARD_PATH, lambda tmp: tmp.write_text(render_model_card(metrics, model.metadata)))
    return metrics


def _errors(model: Sensational, group: pd.DataFrame, threshold: float) -> dict:
    """The most confident mistakes, each with the phrases that drove its score."""
    false_positives = group[(group["label"] == 0) & (group["model_score"] >= threshold)].nlargest(ERRORS_SHOWN, "model_score")
    false_negatives = group[(group["label"] == 1) & (group["model_score"] < threshold)].nsmallest(ERRORS_SHOWN, "model_score")

    def explained(rows: pd.DataFrame) -> list[dict]:
        records = model.predict(rows["text"].tolist(), top_phrases=3)
        return [
            {"corpus": corpus, "headline": r["headline"], "score": r["score"], "phrases": [p["text"] for p in r["phrases"]]}
            for corpus, r in zip(rows["corpus"], records)
        ]

    return {"false_positives": explained(false_positives), "false_negatives": explained(false_negatives)}
