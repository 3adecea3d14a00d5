"""The report's figures (PNG): ROC and PR curves, reliability diagram, score histograms per class,
one curve per head and corpus of its test split."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def _curves(tests: dict[str, pd.DataFrame]):
    for head, test in tests.items():
        for corpus, group in test.groupby("corpus"):
            yield f"{head} · {corpus}", group["label"].astype(int), group["model_score"]


def write_plots(tests: dict[str, pd.DataFrame], folder: Path) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve, roc_curve

    folder.mkdir(parents=True, exist_ok=True)
    curves = list(_curves(tests))
    paths = {}

    figure, (roc_axis, pr_axis) = plt.subplots(1, 2, figsize=(12, 4.8))
    for name, labels, scores in curves:
        fpr, tpr, _ = roc_curve(labels, scores)
        precision, recall, _ = precision_recall_curve(labels, scores)
        roc_axis.plot(fpr, tpr, label=name)
        pr_axis.plot(recall, precision, label=name)
    roc_axis.plot([0, 1], [0, 1], "k:", linewidth=0.8)
    roc_axis.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (test)")
    pr_axis.set(xlabel="recall", ylabel="precision", title="precision-recall (test)")
    roc_axis.legend(loc="lower right", fontsize=8)
    paths["roc_pr"] = _save(figure, folder / "roc_pr.png")

    figure, axis = plt.subplots(figsize=(6, 5.5))
    for name, labels, scores in curves:
        frame = pd.DataFrame({"label": labels.to_numpy(), "score": scores.to_numpy()})
        bins = pd.cut(frame["score"], [i / 10 for i in range(11)], include_lowest=True)
        table = frame.groupby(bins, observed=True).agg(score=("score", "mean"), rate=("label", "mean"))
        axis.plot(table["score"], table["rate"], marker="o", label=name)
    axis.plot([0, 1], [0, 1], "k:", linewidth=0.8)
    axis.set(xlabel="mean score in bin", ylabel="observed share of label 1", title="reliability (test, 10 bins)")
    axis.legend(loc="upper left", fontsize=8)
    paths["reliability"] = _save(figure, folder / "reliability.png")

    figure, axes = plt.subplots(1, len(curves), figsize=(4 * len(curves), 3.5), squeeze=False)
    for axis, (name, labels, scores) in zip(axes[0], curves):
        for label in (0, 1):
            axis.hist(scores[labels == label], bins=20, range=(0, 1), alpha=0.6, label=f"label {label}")
        axis.set(title=name, xlabel="score")
        axis.legend()
    paths["histograms"] = _save(figure, folder / "histograms.png")
    return {name: str(Path("figures") / Path(path).name) for name, path in paths.items()}


def _save(figure, path: Path) -> str:
    import matplotlib.pyplot as plt

    figure.tight_layout()
    # No software/version stamp, so the PNG bytes stay the same from run to run.
    figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(figure)
    return str(path)
