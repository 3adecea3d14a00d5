"""`make eval`: score every test split and answer, with evidence, how good each head is, how far its
score can be trusted as a probability, which threshold a moderation queue should use, and where it
fails. Every number goes to metrics.json; report.md and the model card are rendered from it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sensational import calibration
from sensational.artifact import write_atomically
from sensational.config import head_sources, variant
from sensational.coverage import warning_rates
from sensational import metrics as m
from sensational.data.loader import load_corpora, rows_of
from sensational.fitting import fit_head, framing_targets, tagged
from sensational.paths import DATA_DIR, MODEL_CARD_PATH, REPORT_DIR
from sensational.predictor import Sensational

TARGET_PRECISIONS = (0.90, 0.95)
ERRORS_SHOWN = 20
ADDED_SOURCE_WEIGHT = 0.1  # the ablation's weight for a listed source the head leaves out
PUBLISHED = [
    {"corpus": "chakraborty2016", "system": "Chakraborty et al. 2016 (SVM, hand-made features)", "metric": "accuracy", "value": 0.93},
    {"corpus": "chakraborty2016", "system": "Anand et al. 2017 (RNN)", "metric": "accuracy", "value": 0.98},
    {"corpus": "webis-clickbait-17", "system": "Clickbait Challenge 2017 baseline", "metric": "mse", "value": 0.043},
    {"corpus": "webis-clickbait-17", "system": "Clickbait Challenge 2017 best systems", "metric": "mse", "value": "0.024-0.033"},
    {"corpus": "webis-clickbait-17", "system": "Clickbait Challenge 2017 (F1 of clickbait class)", "metric": "f1", "value": "0.55-0.74"},
]


# The sensational head as it was before the v2 data and the semantic block (issue 9/10), retrained on
# today's labels, so `make eval` shows v1 and v2 on the same test rows.
V1_SENSATIONAL = {"C": 4.0, "soft_targets": False, "semantic_weight": 0.0, "calibrate": False,
                  "sources": {"goodnewseveryone": 1.0, "chakraborty2016-news": 0.1}}
CALM_CORPUS = "bbc-nyt"  # the calm broadcaster register: its flag rate is a false-alarm rate
# The rule-based baseline for framing types: the lexicon's categories (and its teaser-tag marker) that
# name a framing type of the guideline. `tabloid`, ALL-CAPS and exclamation marks name none.
LEXICON_TYPES = {"lexicon:alarm": "alarm", "lexicon:gloating": "gloating", "lexicon:conflict": "conflict",
                 "lexicon:shock": "shock", "lexicon:hyperbole": "hyperbole", "lexicon:curiosity": "teaser",
                 "style:teaser": "teaser"}
LEXICON_TIE_BREAK = 1e-3  # the training prior's weight in the lexicon baseline: breaks ties, fills rows without a match
EMOTIONS = ["anger", "disgust", "fear", "joy", "sadness", "surprise"]
SEMEVAL_LABELS = DATA_DIR / "pools" / "semeval2007_affective_emobank" / "labels_wide.csv"


def _is_graded(scores: pd.Series) -> bool:
    return not set(np.round(scores.unique(), 6)) <= {0.0, 1.0}


def _unigram_baseline(train: pd.DataFrame, dev: pd.DataFrame, seed: int):
    """Plain word-unigram TF-IDF + logistic regression on the same rows; threshold best F1 on dev."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    baseline = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000, random_state=seed))
    baseline.fit(train["text"].tolist(), train["label"].astype(int))
    threshold = m.best_f1_threshold(dev["label"].astype(int), baseline.predict_proba(dev["text"].tolist())[:, 1])
    return baseline, threshold


def _summary(labels, scores, threshold) -> dict:
    full = m.binary_metrics(labels, scores, threshold)
    return {key: full[key] for key in ("accuracy", "f1", "roc_auc")}


def _variant_scores(config: dict, head: str, table: pd.DataFrame, test: pd.DataFrame) -> dict | None:
    """Retrain one head as `config` says; test metrics on every corpus at the variant's own dev
    calibration and threshold. None if its training rows have one class."""
    try:
        pipeline, summary = fit_head(config, head, table, log=lambda _: None)
    except ValueError:
        return None
    scores = calibration.platt(pipeline.decision_function(test["text"].tolist()), summary["calibration"])
    groups = [*test.groupby("corpus"), *_pooled_groups(config, test, with_all=False)]
    return {c: _summary(g["label"].astype(int), scores[g.index], summary["threshold"]) for c, g in groups}


def _variants(config: dict) -> dict[str, tuple[dict, str]]:
    """Name -> (config, head) for the cross-corpus and ablation retrainings."""
    variants = {}
    for head in config["heads"]:
        for corpus in head_sources(config, head):
            if f"{corpus} alone" not in variants:  # a corpus two heads share is retrained once
                variants[f"{corpus} alone"] = (variant(config, head, sources={corpus: 1.0}), head)
    if "sensational" in config["heads"] and all(c in config["sources"] for c in V1_SENSATIONAL["sources"]):
        v1 = variant(config, "sensational", **{"heads.sensational": V1_SENSATIONAL})
        variants["sensational v1 (before data v2 and the semantic block)"] = (v1, "sensational")
    for head, spec in config["heads"].items():
        if spec.get("semantic_weight", 0) > 0:
            variants[f"{head} without semantic block"] = (variant(config, head, semantic_weight=0.0), head)
        if "lexicon" in config:
            variants[f"{head} without lexicon"] = (variant(config, head, lexicon=None), head)
        kept = head_sources(config, head)
        for corpus in kept if len(kept) > 1 else []:
            variants[f"{head} without {corpus}"] = (variant(config, head, **{f"sources.{corpus}": 0.0}), head)
        for corpus in (c for c, w in spec["sources"].items() if w == 0):
            added = variant(config, head, **{f"sources.{corpus}": ADDED_SOURCE_WEIGHT})
            variants[f"{head} with {corpus} at {ADDED_SOURCE_WEIGHT}"] = (added, head)
    return variants


def evaluate_model(
    model_path: Path | None = None, out_dir: Path = REPORT_DIR, card_path: Path | None = None
) -> dict:
    started = time.perf_counter()
    model = Sensational.load(model_path)
    config = model.metadata["config"]
    # Every declared source, so ablations can add one the heads leave out.
    table, _ = load_corpora(config["sources"])
    all_test = rows_of(table, "test", table["corpus"].unique())

    heads, scored_tests = {}, {}
    for name, head in model.heads.items():
        sources = head_sources(config, name)
        train, dev, test = (rows_of(table, split, sources) for split in ("train", "dev", "test"))
        test["model_score"] = head.scores(test["text"].tolist())
        dev_scores = head.scores(dev["text"].tolist())
        baseline, baseline_threshold = _unigram_baseline(train, dev, config["seed"])
        test["baseline_score"] = baseline.predict_proba(test["text"].tolist())[:, 1]
        majority = float(train["label"].astype(int).mean() >= 0.5)
        if head.strength is not None:
            test["model_strength"] = head.strengths(test["text"].tolist())
        groups = [*test.groupby("corpus"), *_pooled_groups(config, test)]
        corpora = {}
        for corpus, group in groups:
            labels, scores = group["label"].astype(int), group["model_score"]
            entry = {
                "model": m.binary_metrics(labels, scores, head.threshold),
                "ci": m.bootstrap_ci(labels, scores, head.threshold, seed=config["seed"]),
                "baselines": {
                    "majority class": m.binary_metrics(labels, np.full(len(group), majority), 0.5),
                    "word-unigram TF-IDF + LR": m.binary_metrics(labels, group["baseline_score"], baseline_threshold),
                },
                "thresholds": m.threshold_table(labels, scores),
                "reliability": m.reliability_bins(labels, scores),
                "ece_if_calibrated": m.calibrated_ece(scores, seed=config["seed"]),
            }
            if corpus != "pooled":
                entry["errors"] = _errors(model, name, group, head.threshold)
                if _is_graded(group["score"]):
                    entry["graded"] = m.graded_agreement(group["score"], group.get("model_strength", scores))
            corpora[corpus] = entry
        target_precision = {}
        for target in TARGET_PRECISIONS:
            chosen = m.threshold_for_precision(dev["label"].astype(int), dev_scores, target)
            row = {"threshold_on_dev": chosen}
            if chosen is not None:
                row["test"] = m.threshold_table(test["label"].astype(int), test["model_score"], (chosen,))[0]
            target_precision[f"{target:.2f}"] = row
        heads[name] = {"threshold": head.threshold, "corpora": corpora, "target_precision": target_precision}
        scored_tests[name] = test

    from joblib import Parallel, delayed

    variants = _variants(config)
    # Independent retrainings: one per core.
    fitted = Parallel(n_jobs=2)(delayed(_variant_scores)(c, h, table, all_test) for c, h in variants.values())
    results = {name: result for name, result in zip(variants, fitted) if result is not None}
    cross = {name.removesuffix(" alone"): result for name, result in results.items() if name.endswith(" alone")}
    for name, head in model.heads.items():
        scores = np.asarray(head.scores(all_test["text"].tolist()))
        groups = [*all_test.groupby("corpus"), *_pooled_groups(config, all_test, with_all=False)]
        cross[f"{name} head (the model)"] = {
            c: _summary(g["label"].astype(int), scores[g.index], head.threshold) for c, g in groups
        }
    ablation = {name: result for name, result in results.items() if not name.endswith(" alone")}
    product = model.product
    register = _register_checks(config, scored_tests[product.name], product.threshold)
    framing = _framing(model, table)

    metrics = {
        "model": {**model.model_info, "path": str(model.path), "created": model.metadata.get("created"),
                  "data_fingerprint": model.metadata.get("data_fingerprint")},
        "config_path": model.metadata.get("config_path"),
        "heads": heads,
        "cross_corpus": cross,
        "ablation": ablation,
        "register": register,
        "framing": framing,
        "published": PUBLISHED,
        "warning_rates": {c: warning_rates(model, g["text"].tolist()) for c, g in all_test.groupby("corpus")},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    from sensational.evaluate.plots import write_plots
    from sensational.evaluate.report import render_model_card, render_report

    metrics["plots"] = write_plots(scored_tests, out_dir / "figures")
    metrics["seconds"] = round(time.perf_counter() - started, 1)
    write_atomically(out_dir / "metrics.json", lambda tmp: tmp.write_text(json.dumps(metrics, indent=2) + "\n"))
    write_atomically(out_dir / "report.md", lambda tmp: tmp.write_text(render_report(metrics)))
    write_atomically(card_path or MODEL_CARD_PATH, lambda tmp: tmp.write_text(render_model_card(metrics, model.metadata)))
    return metrics


def _pooled_groups(config: dict, test: pd.DataFrame, with_all: bool = True) -> list[tuple[str, pd.DataFrame]]:
    """Test rows pooled across corpora: `annotated` (every source annotated for this project),
    `unseen-outlets` (outlets kept out of train and dev) and `pooled` (all of the head's rows)."""
    annotated = [name for name, spec in config["sources"].items() if spec.get("annotated")]
    groups = []
    if test["corpus"].isin(annotated).any() and test["corpus"].nunique() > 1:
        groups.append(("annotated", test[test["corpus"].isin(annotated)]))
    if test["held_out"].any():
        groups.append(("unseen-outlets", test[test["held_out"].astype(bool)]))
    if with_all and test["corpus"].nunique() > 1:
        groups.append(("pooled", test))
    return groups


def _framing(model: Sensational, table: pd.DataFrame) -> dict | None:
    """The framing-type shares on the test rows that carry tags (of the head the framing model reads),
    per corpus and pooled, against two baselines that learn nothing from the tags' words: the majority
    class (the training rows' share of each type, the same for every headline) and the lexicon's
    categories mapped to types (LEXICON_TYPES; the prior breaks ties and fills rows without a match).
    None for a model without a framing model."""
    if model.framing is None:
        return None
    config, types = model.metadata["config"], model.framing.types
    sources = head_sources(config, model.framing.head)
    train, test = (tagged(rows_of(table, split, sources)) for split in ("train", "test"))
    _, targets, weights = framing_targets(train, types, train["corpus"].map(sources).to_numpy(float))
    prior = np.array([weights[targets == t].sum() for t in types]) / weights.sum()
    lexicon = next(b.analyzer.lexicon for b in model.heads[model.framing.head].scorer.blocks if b.name == "framing")
    matched = np.array([[float(any(LEXICON_TYPES.get(f) == t for f in lexicon.features(text))) for t in types]
                        for text in test["text"]]).reshape(-1, len(types))
    lexical = matched + LEXICON_TIE_BREAK * prior
    systems = {
        "model": model.framing_shares(test["text"].tolist()),
        "majority class": np.tile(prior, (len(test), 1)),
        "lexicon categories": lexical / lexical.sum(axis=1, keepdims=True),
    }
    groups = [*test.groupby("corpus"), *_pooled_groups(config, test, with_all=False)]
    return {
        "types": types,
        "prior": dict(zip(types, prior.tolist())),
        "corpora": {
            corpus: {name: m.framing_metrics(group["tags"], dict(zip(types, shares[group.index].T)))
                     for name, shares in systems.items()}
            for corpus, group in groups
        },
    }


def _register_checks(config: dict, test: pd.DataFrame, threshold: float) -> dict:
    """What the product head does outside its labels' terms: the flag rate on the calm register and
    the rank correlation of its score with human emotion intensity (SemEval-2007) and arousal (EmoBank)."""
    checks = {}
    calm = test[test["corpus"] == CALM_CORPUS]
    if len(calm):
        checks["calm_flag_rate"] = {"corpus": CALM_CORPUS, "n": len(calm),
                                    "flag_rate": float((calm["model_score"] >= threshold).mean())}
    path = SEMEVAL_LABELS
    if path.exists():
        from scipy.stats import spearmanr

        from sensational.text import normalise

        labels = pd.read_csv(path)
        labels["text"] = labels["headline"].map(normalise)
        labels["emotion_max"] = labels[EMOTIONS].max(axis=1)
        joined = test.merge(labels.drop_duplicates("text"), on="text")
        for column, name in (("emotion_max", "semeval_emotion_max"), ("emobank_A", "emobank_arousal")):
            rows = joined.dropna(subset=[column])
            if len(rows) > 2:
                checks[name] = {"n": len(rows), "spearman": float(spearmanr(rows["model_score"], rows[column]).statistic)}
    return checks


def _errors(model: Sensational, head: str, group: pd.DataFrame, threshold: float) -> dict:
    """The most confident mistakes, each with the phrases that drove its score."""
    false_positives = group[(group["label"] == 0) & (group["model_score"] >= threshold)].nlargest(ERRORS_SHOWN, "model_score")
    false_negatives = group[(group["label"] == 1) & (group["model_score"] < threshold)].nsmallest(ERRORS_SHOWN, "model_score")

    def explained(rows: pd.DataFrame) -> list[dict]:
        results = model.heads[head].results(rows["text"].tolist(), 3, threshold) if len(rows) else []
        return [
            {"headline": text, "score": r["score"], "phrases": [p["text"] for p in r["phrases"]]}
            for text, r in zip(rows["text"], results)
        ]

    return {"false_positives": explained(false_positives), "false_negatives": explained(false_negatives)}
