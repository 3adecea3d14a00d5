"""Render report.md and MODEL_CARD.md from the metrics dictionary; no number is computed here."""

from __future__ import annotations

from pathlib import Path


def f(value, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    return f"{value:.{digits}f}"


def ci(interval) -> str:
    return "n/a" if not interval else f"[{f(interval[0], 3)}, {f(interval[1], 3)}]"


def table(header: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(str(cell) for cell in row) + " |" for row in rows
    ]


def render_report(metrics: dict, out_dir: Path | None = None) -> str:
    model, corpora = metrics["model"], metrics["corpora"]
    lines = [
        "# Evaluation report",
        "",
        f"Model `{model['name']}`, fingerprint `{model['fingerprint']}`, created {model['created']}, "
        f"threshold **{model['threshold']}** (best F1 on the pooled dev split), config `{metrics['config_path']}`.",
        f"All numbers are on each corpus's **test** split, which the model never trained on "
        f"({metrics['rows']['test']} headlines; train {metrics['rows']['train']}, dev {metrics['rows']['dev']}). "
        f"Every number here is also in `metrics.json`. Evaluation took {metrics['seconds']} s.",
        "",
        "## Headline results (at the model's threshold)",
        "",
    ]
    lines += table(
        ["corpus", "n", "accuracy", "precision", "recall", "F1 [95% CI]", "ROC-AUC [95% CI]", "PR-AUC", "Brier", "ECE"],
        [
            [name, e["model"]["n"], f(e["model"]["accuracy"]), f(e["model"]["precision"]), f(e["model"]["recall"]),
             f"{f(e['model']['f1'])} {ci(e['ci']['f1'])}", f"{f(e['model']['roc_auc'])} {ci(e['ci']['roc_auc'])}",
             f(e["model"]["pr_auc"]), f(e["model"]["brier"]), f(e["model"]["ece"])]
            for name, e in corpora.items()
        ],
    )
    lines += ["", "Confidence intervals: 95% percentile bootstrap, "
              f"{next(iter(corpora.values()))['ci']['resamples']} resamples. ECE: 10 equal-width bins.", ""]

    lines += ["## Against baselines (same test split)", ""]
    rows = []
    for name, e in corpora.items():
        for system, result in [*e["baselines"].items(), ("sensational", e["model"])]:
            rows.append([name, system, f(result["accuracy"]), f(result["f1"]), f(result["roc_auc"])])
    lines += table(["corpus", "system", "accuracy", "F1", "ROC-AUC"], rows)
    lines += ["", "The unigram baseline is trained on the same train split with its threshold chosen on dev.", ""]

    graded = {name: e["graded"] for name, e in corpora.items() if "graded" in e}
    if graded:
        lines += ["## Graded agreement", "", "Score against the graded truth (Webis `truthMean`; GoodNewsEveryone level / 2).", ""]
        lines += table(["corpus", "MSE", "Spearman"], [[n, f(g["mse"]), f(g["spearman"])] for n, g in graded.items()])
        lines.append("")

    lines += ["## Confusion matrices", ""]
    lines += table(
        ["corpus", "TP", "FP", "FN", "TN"],
        [[n, *(e["model"]["confusion"][k] for k in ("tp", "fp", "fn", "tn"))] for n, e in corpora.items()],
    )

    lines += ["", "## Choosing a threshold", "", "Pooled test split; flag rate = share of headlines flagged.", ""]
    lines += table(
        ["threshold", "precision", "recall", "flag rate"],
        [[r["threshold"], f(r["precision"]), f(r["recall"]), f(r["flag_rate"])] for r in corpora["pooled"]["thresholds"]],
    )
    lines += ["", "Thresholds that reach a target precision, chosen on the pooled **dev** split and measured on test:", ""]
    lines += table(
        ["target precision", "threshold (dev)", "test precision", "test recall", "test flag rate"],
        [
            [target, f(row["threshold_on_dev"]), f(row.get("test", {}).get("precision")),
             f(row.get("test", {}).get("recall")), f(row.get("test", {}).get("flag_rate"))]
            for target, row in metrics["target_precision"].items()
        ],
    )

    for title, key, note in (
        ("Cross-corpus", "cross_corpus", "Rows: trained on that corpus alone (same config), threshold from its own dev split; "
         "columns: test split of each corpus. Cells: accuracy / F1 / ROC-AUC."),
        ("Ablation", "ablation", "The full config with one part removed, retrained, threshold from the dev split of the corpora it kept. "
         "Cells: accuracy / F1 / ROC-AUC."),
    ):
        if not metrics.get(key):
            continue
        columns = sorted({c for row in metrics[key].values() for c in row})
        lines += ["", f"## {title}", "", note, ""]
        lines += table(
            ["trained", *columns],
            [
                [name, *(" / ".join(f(row[c][k], 3) for k in ("accuracy", "f1", "roc_auc")) if c in row else "-" for c in columns)]
                for name, row in metrics[key].items()
            ],
        )

    lines += ["", "## Figures", ""]
    lines += [f"![{name}]({path})" for name, path in metrics["plots"].items()]

    lines += ["", "## Where it fails", "",
              f"The most confident mistakes per corpus (up to 20 each), with the phrases that drove the score.", ""]
    for name, e in corpora.items():
        if "errors" not in e:
            continue
        for kind, title in (("false_positives", "false positives"), ("false_negatives", "false negatives")):
            lines += [f"### {name}: {title}", ""]
            lines += table(
                ["score", "headline", "phrases"],
                [[f(x["score"], 3), x["headline"].replace("|", "\\|"), ", ".join(x["phrases"]).replace("|", "\\|")]
                 for x in e["errors"][kind]],
            )
            lines.append("")

    lines += ["## Published numbers", "",
              "Reported on the corpora's full or official test sets, which differ from our held-out splits "
              "(a share of each corpus was kept aside before it reached us): read them as context, not as a ranking.", ""]
    ours = {
        "accuracy": lambda c: corpora.get(c, {}).get("model", {}).get("accuracy"),
        "f1": lambda c: corpora.get(c, {}).get("model", {}).get("f1"),
        "mse": lambda c: corpora.get(c, {}).get("graded", {}).get("mse"),
    }
    lines += table(
        ["corpus", "system", "metric", "published", "ours"],
        [[p["corpus"], p["system"], p["metric"], p["value"], f(ours[p["metric"]](p["corpus"]))] for p in metrics["published"]],
    )
    return "\n".join(lines) + "\n"


def render_model_card(metrics: dict, metadata: dict) -> str:
    model, corpora = metrics["model"], metrics["corpora"]
    sources = metadata["config"]["sources"]
    lines = [
        "# Model card: sensational",
        "",
        f"Artifact fingerprint `{model['fingerprint']}` (first 16 hex digits of its SHA-256), created {model['created']}, "
        f"training-data fingerprint `{(model['data_fingerprint'] or '')[:16]}`, config `{metrics['config_path']}`. "
        "Written by `make eval` from `evaluate/metrics.json`.",
        "",
        "## Intended use",
        "",
        "Flagging sensationalist framing in news headlines (emotive verbs and idioms, hyperbole, alarm, gloating, "
        "shock, ALL-CAPS emphasis, teaser tags, curiosity-gap clickbait) **for human review** in an editorial or "
        "moderation queue, with the phrases that drove each score. It is not for automatic removal or ranking "
        "of content without a person in the loop, not a fact-checker, and not a judge of a story's topic: a "
        "headline about a war or a murder is not sensational by its topic alone.",
        "",
        "## Training data",
        "",
    ]
    lines += table(
        ["source", "train rows", "weight", "labels", "licence"],
        [
            [name, metadata["rows_per_corpus"].get(name, 0), spec.get("weight", 1.0), LABELS.get(name, "own labels"),
             LICENCES.get(name, "see the source")]
            for name, spec in sources.items()
        ],
    )
    lines += ["", "## Headline metrics (held-out test splits)", ""]
    lines += table(
        ["corpus", "accuracy", "F1 [95% CI]", "ROC-AUC [95% CI]", "ECE"],
        [
            [n, f(e["model"]["accuracy"]), f"{f(e['model']['f1'])} {ci(e['ci']['f1'])}",
             f"{f(e['model']['roc_auc'])} {ci(e['ci']['roc_auc'])}", f(e["model"]["ece"])]
            for n, e in corpora.items()
        ],
    )
    lines += ["", "## Recommended thresholds", "",
              f"- Default (best F1 on dev): **{model['threshold']}**."]
    for target, row in metrics["target_precision"].items():
        if row["threshold_on_dev"] is not None:
            lines.append(
                f"- For a queue that needs precision {target}: **{f(row['threshold_on_dev'])}** (chosen on dev; on test: "
                f"precision {f(row['test']['precision'])}, recall {f(row['test']['recall'])}, "
                f"{f(row['test']['flag_rate'])} of headlines flagged)."
            )
        else:
            lines.append(f"- Precision {target} is not reached at any threshold on dev.")
    lines += ["", "## Known failure modes", "",
              "From the error analysis in `evaluate/report.md` (most confident mistakes per corpus):", ""]
    for name, e in corpora.items():
        if "errors" not in e:
            continue
        for kind, title in (("false_positives", "flagged but not labelled sensational"), ("false_negatives", "missed")):
            examples = e["errors"][kind][:3]
            if examples:
                shown = "; ".join(f"\"{x['headline']}\" ({f(x['score'], 2)})" for x in examples)
                lines.append(f"- {name}, {title}: {shown}")
    lines += [
        "- The clickbait corpora label by source site (Chakraborty) or by crowd judgment of tweets (Webis); the "
        "model partly learns outlet style, so headlines from outlets unlike the training ones are less reliable.",
        "- Webis post texts lost non-ASCII characters in the copy we have (\"UK's\" became \"UKs\").",
        "",
        "## Files",
        "",
        "A model file is a pickle: loading it runs code. Load only artifacts from a source you trust; the SHA-256 "
        "manifest beside it detects modification or truncation, not a malicious file with a matching manifest.",
    ]
    return "\n".join(lines) + "\n"


LABELS = {
    "chakraborty2016": "clickbait 0/1 by source site",
    "webis-clickbait-17": "graded crowd clickbait score (truthMean), binary class",
    "goodnewseveryone": "sensationalism level 0/1/2, annotated for this project",
}
LICENCES = {
    "chakraborty2016": "MIT",
    "webis-clickbait-17": "research corpus, openly published (no licence file)",
    "goodnewseveryone": "annotations CC BY 4.0; headlines belong to their publishers",
}
