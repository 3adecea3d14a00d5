"""Try variants of one head on the dev split, the way the choices in config.toml were made.

    .venv/bin/python -m sensational.train.tune sensational '[{}, {"semantic_weight": 4.0}, {"C": 2.0}]'

Each variant overrides keys of the head (`"sources.NAME"` sets one source's weight) or, as
`"features.min_df"`, a key of another section: see sensational.config.variant. It is fitted with `fit_head` (dev calibration and
threshold included) and measured on dev only: per corpus ROC-AUC, and for the sensational head the
pooled annotated dev rows (ROC-AUC, F1, ECE) and the flag rate on the calm BBC/NYT rows. Test rows
are never read.

    .venv/bin/python -m sensational.train.tune framing '[{"C": 1.0}, {"types": ["alarm", "conflict", ...]}]'

fits the sensational head once, then each variant of the [framing] section on it, and prints its
dev framing metrics (`fit_framing`'s): over the types it learns, and over the guideline's six named
types (`GUIDELINE_TYPES`, the largest of those six shares as its top type), so variants with and
without `other` are compared on the same rows.
"""

from __future__ import annotations

import json
import sys

from sensational import calibration
from sensational.config import head_sources, load_config, variant
from sensational.data.loader import load_corpora, rows_of
from sensational.fitting import fit_framing, fit_head, framing_shares, tagged
from sensational.metrics import binary_metrics, framing_metrics
from sensational.paths import CONFIG_PATH

CALM_CORPUS = "bbc-nyt"
GUIDELINE_TYPES = ["alarm", "gloating", "conflict", "shock", "hyperbole", "teaser"]


def dev_summary(config: dict, head: str, table) -> dict:
    pipeline, summary = fit_head(config, head, table, log=lambda _: None)
    annotated = {name for name, spec in config["sources"].items() if spec.get("annotated")}
    sources = set(head_sources(config, head)) | (annotated if head == "sensational" else set())
    dev = rows_of(table, "dev", sources)
    scores = calibration.platt(pipeline.decision_function(dev["text"].tolist()), summary["calibration"])
    threshold = summary["threshold"]

    def measured(rows):
        return binary_metrics(rows["label"].astype(int), scores[rows.index], threshold)

    out = {"threshold": threshold}
    out.update({c: round(measured(g)["roc_auc"], 4) for c, g in dev.groupby("corpus") if g["label"].nunique() > 1})
    pooled = dev[dev["corpus"].isin(annotated)]
    if head == "sensational" and len(pooled):
        result = measured(pooled)
        out["annotated"] = {key: round(result[key], 4) for key in ("roc_auc", "f1", "ece")}
        calm = dev[dev["corpus"] == CALM_CORPUS]
        out["calm_flag_rate"] = round(float((scores[calm.index] >= threshold).mean()), 4) if len(calm) else None
    return out


def framing_summaries(config: dict, table, overrides: list[dict]):
    """(override, dev framing metrics) of each [framing] variant, fitted on one sensational head."""
    pipeline, _ = fit_head(config, "sensational", table, log=lambda _: None)
    for override in overrides:
        changed = variant(config, "sensational", **{f"framing.{key}": value for key, value in override.items()})
        framing, summary = fit_framing(changed, pipeline, table, log=lambda _: None)
        dev = tagged(rows_of(table, "dev", head_sources(config, "sensational")))
        shares = framing_shares(framing, dev["text"].tolist())
        six = framing_metrics(dev["tags"], {t: shares[t] for t in GUIDELINE_TYPES if t in shares})
        learned = summary["dev_metrics"]
        yield override, {
            "types": {key: round(learned[key], 4) for key in ("top1_accuracy", "mean_roc_auc")} | {"n": learned["n"]},
            "six": {key: round(six[key], 4) for key in ("top1_accuracy", "mean_roc_auc")} | {"n": six["n"]},
            "per_type_roc_auc": {t: round(e["roc_auc"], 4) for t, e in six["per_type"].items() if e["roc_auc"] is not None},
        }


def main() -> None:
    head, overrides = sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else [{}]
    config = load_config(CONFIG_PATH)
    table, _ = load_corpora(config["sources"])
    if head == "framing":
        for override, summary in framing_summaries(config, table, overrides):
            print(json.dumps(override), json.dumps(summary), flush=True)
        return
    for override in overrides:
        print(json.dumps(override), json.dumps(dev_summary(variant(config, head, **override), head, table)), flush=True)


if __name__ == "__main__":
    main()
