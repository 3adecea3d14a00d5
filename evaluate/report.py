"""Render report.md and MODEL_CARD.md from the metrics dictionary; no number is computed here."""

from __future__ import annotations


def f(value, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    return f"{value:.{digits}f}"


def ci(interval) -> str:
    return "n/a" if not interval else f"[{f(interval[0], 3)}, {f(interval[1], 3)}]"


def _calibrated(entry: dict) -> str:
    """The ECE a calibrated model would show on the entry's rows: mean [95th percentile]."""
    found = entry.get("ece_if_calibrated")
    return "n/a" if not found else f"{f(found['mean'], 3)} [{f(found['p95'], 3)}]"


def table(header: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(str(cell) for cell in row) + " |" for row in rows
    ]


def _rows(metrics: dict):
    """(head, corpus, entry) for every evaluated corpus, pooled rows included."""
    for head, result in metrics["heads"].items():
        for corpus, entry in result["corpora"].items():
            yield head, corpus, entry


def _errors(metrics: dict, titles: dict[str, str]):
    """(head, corpus, title, examples) for each kind of error in `titles`, per evaluated corpus."""
    for head, corpus, entry in _rows(metrics):
        for kind, title in titles.items():
            if "errors" in entry:
                yield head, corpus, title, entry["errors"][kind]


def _find(metrics: dict, corpus: str) -> dict:
    return next((entry for _, c, entry in _rows(metrics) if c == corpus), {})


def render_report(metrics: dict) -> str:
    model, heads = metrics["model"], metrics["heads"]
    thresholds = ", ".join(f"{h} **{r['threshold']}**" for h, r in heads.items())
    lines = [
        "# Evaluation report",
        "",
        f"Model `{model['name']}`, fingerprint `{model['fingerprint']}`, created {model['created']}, "
        f"config `{metrics['config_path']}`. Thresholds (best F1 on each head's dev split): {thresholds}.",
        "The `sensational` head gives the product's score; `clickbait` is scored beside it (see train/config.toml). "
        "Each head is evaluated on the **test** split of the sources it learned from, which it never trained on. "
        f"Every number here is also in `metrics.json`. Evaluation took {metrics['seconds']} s.",
        "",
        "## Headline results (at each head's threshold)",
        "",
    ]
    lines += table(
        ["head", "corpus", "n", "accuracy", "precision", "recall", "F1 [95% CI]", "ROC-AUC [95% CI]", "PR-AUC", "Brier", "ECE",
         "ECE if calibrated"],
        [
            [head, corpus, e["model"]["n"], f(e["model"]["accuracy"]), f(e["model"]["precision"]), f(e["model"]["recall"]),
             f"{f(e['model']['f1'])} {ci(e['ci']['f1'])}", f"{f(e['model']['roc_auc'])} {ci(e['ci']['roc_auc'])}",
             f(e["model"]["pr_auc"]), f(e["model"]["brier"]), f(e["model"]["ece"]), _calibrated(e)]
            for head, corpus, e in _rows(metrics)
        ],
    )
    resamples = next(_rows(metrics))[2]["ci"]["resamples"]
    lines += ["", f"Confidence intervals: 95% percentile bootstrap, {resamples} resamples. "
              "ECE: 10 equal-width bins, against the binary label. ECE if calibrated: what a perfectly calibrated "
              "model with these scores would still show on this many rows (labels drawn with P(1) = score; mean "
              "[95th percentile] of 500 draws): a measured ECE below the 95th percentile is within sampling noise, "
              "and a target below the mean cannot be checked on these rows.", ""]

    lines += ["## Against baselines (same test split)", ""]
    rows = []
    for head, corpus, e in _rows(metrics):
        for system, result in [*e["baselines"].items(), (f"sensational ({head} head)", e["model"])]:
            rows.append([corpus, system, f(result["accuracy"]), f(result["f1"]), f(result["roc_auc"])])
    lines += table(["corpus", "system", "accuracy", "F1", "ROC-AUC"], rows)
    lines += ["", "Baselines are trained on the same train rows as the head, with their threshold chosen on dev.", ""]

    graded = [(head, corpus, e["graded"]) for head, corpus, e in _rows(metrics) if "graded" in e]
    if graded:
        lines += ["## Graded agreement", "", "The graded output against the graded truth: for clickbait, the head's `strength` against Webis `truthMean`; for the annotated sources, the sensational score against level / 2.", ""]
        lines += table(["head", "corpus", "MSE", "Spearman"], [[h, c, f(g["mse"]), f(g["spearman"])] for h, c, g in graded])
        lines.append("")

    lines += ["## Confusion matrices", ""]
    lines += table(
        ["head", "corpus", "TP", "FP", "FN", "TN"],
        [[h, c, *(e["model"]["confusion"][k] for k in ("tp", "fp", "fn", "tn"))] for h, c, e in _rows(metrics)],
    )

    lines += ["", "## Choosing a threshold", ""]
    for head, result in heads.items():
        pooled_name, pooled = list(result["corpora"].items())[-1]
        lines += [f"### {head} head ({pooled_name} test split)", ""]
        lines += table(
            ["threshold", "precision", "recall", "flag rate"],
            [[r["threshold"], f(r["precision"]), f(r["recall"]), f(r["flag_rate"])] for r in pooled["thresholds"]],
        )
        lines += ["", "Thresholds that reach a target precision, chosen on the **dev** split and measured on test:", ""]
        lines += table(
            ["target precision", "threshold (dev)", "test precision", "test recall", "test flag rate"],
            [
                [target, f(row["threshold_on_dev"]), f(row.get("test", {}).get("precision")),
                 f(row.get("test", {}).get("recall")), f(row.get("test", {}).get("flag_rate"))]
                for target, row in result["target_precision"].items()
            ],
        )
        lines.append("")

    for title, key, note in (
        ("Cross-corpus", "cross_corpus", "Rows: trained on that corpus alone (with its head's hyperparameters), threshold "
         "from its own dev split; then each head of the model. Columns: the test split of each corpus, with that "
         "corpus's own labels. Cells: accuracy / F1 / ROC-AUC."),
        ("Ablation", "ablation", "One head retrained with one part removed or added, threshold from the dev split of "
         "the sources it learned from. Cells: accuracy / F1 / ROC-AUC on each corpus's test split."),
    ):
        if not metrics.get(key):
            continue
        columns = sorted({c for row in metrics[key].values() for c in row})
        lines += [f"## {title}", "", note, ""]
        lines += table(
            ["trained", *columns],
            [
                [name, *(" / ".join(f(row[c][k], 3) for k in ("accuracy", "f1", "roc_auc")) if c in row else "-" for c in columns)]
                for name, row in metrics[key].items()
            ],
        )
        lines.append("")

    v1 = next((row for name, row in (metrics.get("ablation") or {}).items() if name.startswith("sensational v1")), None)
    v2 = (metrics.get("cross_corpus") or {}).get("sensational head (the model)")
    if v1 and v2:
        lines += ["## v1 and v2 of the sensational head, same test rows", "",
                  "v1: the head before the v2 data and the semantic block (GoodNewsEveryone and plain news, hard "
                  "targets, no calibration), retrained in this run on today's labels; v2: the model. Each at its own "
                  "dev threshold. Cells: accuracy / F1 / ROC-AUC.", ""]
        lines += table(
            ["test corpus", "v1", "v2"],
            [[c, *(" / ".join(f(row[c][k], 3) for k in ("accuracy", "f1", "roc_auc")) if c in row else "-" for row in (v1, v2))]
             for c in sorted(set(v1) & set(v2))],
        )
        lines.append("")

    register = metrics.get("register") or {}
    if register:
        lines += ["## Beyond the labels", "",
                  "The product head on registers its labels do not define: how often it flags the calm broadcaster "
                  "register (BBC / NYT test rows), and how its score ranks headlines against human emotion "
                  "intensity (SemEval-2007, max of six emotions) and arousal (EmoBank).", ""]
        rows = []
        if "calm_flag_rate" in register:
            calm = register["calm_flag_rate"]
            rows.append([f"flag rate on {calm['corpus']} test rows", calm["n"], f(calm["flag_rate"])])
        for key, title in (("semeval_emotion_max", "Spearman: score vs SemEval emotion intensity (max)"),
                           ("emobank_arousal", "Spearman: score vs EmoBank arousal")):
            if key in register:
                rows.append([title, register[key]["n"], f(register[key]["spearman"])])
        lines += table(["check", "n", "value"], rows)
        lines.append("")

    framing = metrics.get("framing")
    if framing:
        types = framing["types"]
        lines += ["## Framing types", "",
                  "The record's `categories.sensational.framing` shares against the annotators' framing-type tags, on "
                  "the **test** rows that carry at least one of the model's types (a headline may have several). "
                  "Top-1: the type with the largest share is among the headline's tags. ROC-AUC: one type's share "
                  "against whether the type is among the tags. Mean top share: the largest share, on average (above "
                  "top-1: the shares are over-confident). Baselines: the majority class (every headline gets the "
                  "training rows' shares: " + ", ".join(f"{t} {f(p, 3)}" for t, p in framing["prior"].items()) + ") "
                  "and the lexicon's categories mapped to types (alarm, gloating, conflict, shock, hyperbole; "
                  "curiosity and teaser tags as teaser), the prior breaking ties and filling headlines without a match.",
                  ""]
        lines += table(
            ["corpus", "n", "system", "top-1", "mean top share", "mean ROC-AUC", *types],
            [[corpus, e["n"], system, f(e["top1_accuracy"]), f(e["mean_top_share"]), f(e["mean_roc_auc"]),
              *(f(e["per_type"][t]["roc_auc"], 3) for t in types)]
             for corpus, systems in framing["corpora"].items() for system, e in systems.items()],
        )
        lines += ["", "Test headlines with each type among their tags: " + "; ".join(
            f"{corpus}: " + ", ".join(f"{t} {e['model']['per_type'][t]['positives']}" for t in types)
            for corpus, e in framing["corpora"].items() if corpus in ("annotated", "unseen-outlets")) + ".", ""]
    lines += ["## Figures", ""]
    lines += [f"![{name}]({path})" for name, path in metrics["plots"].items()]

    lines += ["", "## Where it fails", "",
              "The most confident mistakes per head and corpus (up to 20 each), with the phrases that drove the score.", ""]
    for head, corpus, title, examples in _errors(
        metrics, {"false_positives": "false positives", "false_negatives": "false negatives"}
    ):
        lines += [f"### {head} · {corpus}: {title}", ""]
        lines += table(
            ["score", "headline", "phrases"],
            [[f(x["score"], 3), x["headline"].replace("|", "\\|"), ", ".join(x["phrases"]).replace("|", "\\|")]
             for x in examples],
        )
        lines.append("")

    if metrics.get("warning_rates"):
        lines += ["## Coverage warnings", "", "Share of each test split whose records carry a warning "
                  "(`language`: not English; `no_features`: nothing the model knows). The corpora are English.", ""]
        lines += table(["corpus", *next(iter(metrics["warning_rates"].values()))],
                       [[corpus, *map(f, rates.values())] for corpus, rates in metrics["warning_rates"].items()])
        lines.append("")

    lines += ["## Published numbers", "",
              "Reported on the corpora's full or official test sets, which differ from our held-out splits "
              "(a share of each corpus was kept aside before it reached us): read them as context, not as a ranking.", ""]
    ours = {
        "accuracy": lambda c: _find(metrics, c).get("model", {}).get("accuracy"),
        "f1": lambda c: _find(metrics, c).get("model", {}).get("f1"),
        "mse": lambda c: _find(metrics, c).get("graded", {}).get("mse"),
    }
    lines += table(
        ["corpus", "system", "metric", "published", "ours"],
        [[p["corpus"], p["system"], p["metric"], p["value"], f(ours[p["metric"]](p["corpus"]))] for p in metrics["published"]],
    )
    return "\n".join(lines) + "\n"


def render_model_card(metrics: dict, metadata: dict) -> str:
    model = metrics["model"]
    config = metadata["config"]
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
        "shock, ALL-CAPS emphasis, teaser tags) **for human review** in an editorial or moderation queue, with the "
        "phrases that drove each score; curiosity-gap clickbait is scored beside it by a second head. It is not for "
        "automatic removal or ranking of content without a person in the loop, not a fact-checker, and not a judge "
        "of a story's topic: a headline about a war or a murder is not sensational by its topic alone. "
        "It covers English only; a headline in another language gets a `language` warning and an uninformative score.",
        "",
        "## Heads and training data",
        "",
        "`sensational` gives the product's `score`, `flagged` and `phrases`; `clickbait` is reported under its own name.",
        "",
    ]
    rows = []
    for head, summary in metadata["heads"].items():
        for name, weight in config["heads"][head]["sources"].items():
            rows.append([head, name, summary["rows_per_corpus"].get(name, 0), weight,
                         LABELS.get(name, "own labels"), LICENCES.get(name, "see the source")])
    lines += table(["head", "source", "train rows", "weight", "labels", "licence"], rows)
    lines += ["", "## Headline metrics (held-out test splits)", ""]
    lines += table(
        ["head", "corpus", "accuracy", "F1 [95% CI]", "ROC-AUC [95% CI]", "ECE", "ECE if calibrated"],
        [
            [h, c, f(e["model"]["accuracy"]), f"{f(e['model']['f1'])} {ci(e['ci']['f1'])}",
             f"{f(e['model']['roc_auc'])} {ci(e['ci']['roc_auc'])}", f(e["model"]["ece"]), _calibrated(e)]
            for h, c, e in _rows(metrics)
        ],
    )
    framing = metrics.get("framing")
    if framing:
        pooled = framing["corpora"].get("annotated") or next(iter(framing["corpora"].values()))
        model, majority, lexicon = (pooled[k] for k in ("model", "majority class", "lexicon categories"))
        lines += ["", "## Framing types", "",
                  "`categories.sensational.framing`: the share of each framing type (" + ", ".join(framing["types"]) + ") "
                  "in a headline's framing, learned from the annotators' tags by a multinomial logistic regression over "
                  "the sensational head's features. On every scored record, flagged or not: it says which kind of "
                  "framing the wording leans to, not whether it is sensational. On the "
                  f"{model['n']} tagged test headlines: top-1 {f(model['top1_accuracy'], 3)} (the largest share's type is "
                  f"among the tags; majority class {f(majority['top1_accuracy'], 3)}, lexicon categories "
                  f"{f(lexicon['top1_accuracy'], 3)}), mean one-vs-rest ROC-AUC {f(model['mean_roc_auc'], 3)} (lexicon "
                  f"{f(lexicon['mean_roc_auc'], 3)}); per type: " + ", ".join(
                      f"{t} {f(e['roc_auc'], 3)}" for t, e in model["per_type"].items()) + ". On average the "
                  f"largest share is {f(model['mean_top_share'], 3)}, against the {f(model['top1_accuracy'], 3)} of "
                  "headlines whose largest share's type is among the tags; each type's own calibration is not "
                  "measured. Types with few tagged examples (" + ", ".join(
                      f"{t}: {e['positives']}" for t, e in sorted(model["per_type"].items(), key=lambda x: x[1]["positives"])[:2])
                  + " test headlines) rest on the least evidence; the annotators' `other` is not a type."]
    lines += ["", "## Recommended thresholds", ""]
    for head, result in metrics["heads"].items():
        lines.append(f"- {head}: default (best F1 on dev) **{result['threshold']}**.")
        for target, row in result["target_precision"].items():
            if row["threshold_on_dev"] is not None:
                lines.append(
                    f"  For a queue that needs precision {target}: **{f(row['threshold_on_dev'])}** (chosen on dev; on "
                    f"test: precision {f(row['test']['precision'])}, recall {f(row['test']['recall'])}, "
                    f"{f(row['test']['flag_rate'])} of headlines flagged)."
                )
            else:
                lines.append(f"  Precision {target} is not reached at any threshold on dev.")
    lines += ["", "## Known failure modes", "",
              "From the error analysis in `evaluate/report.md` (most confident mistakes per head and corpus):", ""]
    for head, corpus, title, examples in _errors(
        metrics, {"false_positives": "flagged, labelled 0", "false_negatives": "missed"}
    ):
        if examples:
            shown = "; ".join(f"\"{x['headline']}\" ({f(x['score'], 2)})" for x in examples[:3])
            lines.append(f"- {head} · {corpus}, {title}: {shown}")
    lines += [
        "- The sensationalism labels cover 15,600 headlines: 4,999 US politics headlines of 2019 (64 outlets) and "
        "10,624 from UK tabloids and broadsheets (2021-22), celebrity and royal news and fake-news sites "
        "(FakeNewsNet), BBC/NYT (2024-26) and SemEval-2007, annotated by AI annotator sessions under a written "
        "guideline (see data/annotation/PROVENANCE.md); styles outside them are less reliable, and `make eval`'s "
        "`unseen-outlets` rows show how it does on outlets it never saw.",
        "- It covers English only, and headlines only: body text, images and context are never seen.",
        "- The clickbait corpora label by source site (Chakraborty) or by crowd judgment of tweets (Webis), so the "
        "clickbait head partly learns outlet style; Webis texts lost non-ASCII characters (\"UK's\" became \"UKs\").",
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
    "goodnewseveryone": "sensationalism level 0/1/2 annotated for this project (label: level >= 1)",
    "goodnewseveryone-clickbait": "the annotators' clickbait flag",
    **{name: "sensationalism level 0/1/2 annotated for this project, guideline v2 (label: level >= 1)"
       for name in ("uk-tabloids", "gossipcop", "politifact", "bbc-nyt", "uk-broadsheets", "semeval2007")},
    "chakraborty2016-news": "Chakraborty's non-clickbait news headlines, as level 0",
}
LICENCES = {
    "chakraborty2016": "MIT",
    "webis-clickbait-17": "research corpus, openly published (no licence file)",
    "goodnewseveryone": "annotations CC BY 4.0; headlines belong to their publishers",
    "goodnewseveryone-clickbait": "annotations CC BY 4.0; headlines belong to their publishers",
    "chakraborty2016-news": "MIT",
    "uk-tabloids": "annotations CC BY 4.0; headlines: UK scrape with no licence (internal research only) and "
                   "FakeNewsNet (none stated, research use with citation); they belong to their publishers",
    "gossipcop": "annotations CC BY 4.0; headlines: FakeNewsNet, no licence stated (research use with citation)",
    "politifact": "annotations CC BY 4.0; headlines: FakeNewsNet, no licence stated (research use with citation)",
    "bbc-nyt": "annotations CC BY 4.0; headlines: scrape whose README says MIT; they belong to their publishers",
    "uk-broadsheets": "annotations CC BY 4.0; headlines: UK scrape with no licence (internal research only)",
    "semeval2007": "annotations CC BY 4.0; headlines: SemEval-2007 research release (EmoBank labels CC BY-SA 4.0)",
}
