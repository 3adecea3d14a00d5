"""The report's figures (PNG): ROC and PR curves, reliability diagram, score histograms per class."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_plots(test: pd.DataFrame, folder: Path) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve, roc_curve

    folder.mkdir(parents=True, exist_ok=True)
    groups = list(test.groupby("corpus"))
    paths = {}

    figure, (roc_axis, pr_axis) = plt.subplots(1, 2, figsize=(11, 4.5))
    for corpus, group in groups:
        labels, scores = group["label"].astype(int), group["model_score"]
        fpr, tpr, _ = roc_curve(labels, scores)
        precision, recall, _ = precision_recall_curve(labels, scores)
        roc_axis.plot(fpr, tpr, label=corpus)
        pr_axis.plot(recall, precision, label=corpus)
    roc_axis.plot([0, 1], [0, 1], "k:", linewidth=0.8)
    roc_axis.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (test)")
    pr_axis.set(xlabel="recall", ylabel="precision", title="precision-recall (test)")
    roc_axis.legend(loc="lower right")
    paths["roc_pr"] = _save(figure, folder / "roc_pr.png")

    figure, axis = plt.subplots(figsize=(5.5, 5))
    for corpus, group in groups:
        bins = pd.cut(group["model_score"], [i / 10 for i in range(11)], include_lowest=True)
        table = group.groupby(bins, observed=True).agg(score=("model_score", "mean"), rate=("label", "mean"))
        axis.plot(table["score"], table["rate"].astype(float), marker="o", label=corpus)
    axis.plot([0, 1], [0, 1], "k:", linewidth=0.8)
    axis.set(xlabel="mean score in bin", ylabel="observed share sensational", title="reliability (test, 10 bins)")
    axis.legend(loc="upper left")
    paths["reliability"] = _save(figure, folder / "reliability.png")

    figure, axes = plt.subplots(1, len(groups), figsize=(4 * len(groups), 3.5), squeeze=False)
    for axis, (corpus, group) in zip(axes[0], groups):
        for label, name in ((0, "label 0"), (1, "label 1")):
            axis.hist(group.loc[group["label"] == label, "model_score"], bins=20, range=(0, 1), alpha=0.6, label=name)
        axis.set(title=corpus, xlabel="score")
        axis.legend()
    paths["histograms"] = _save(figure, folder / "histograms.png")
    return {name: str(Path("figures") / Path(path).name) for name, path in paths.items()}


def _save(figure, path: Path) -> str:
    import matplotlib.pyplot as plt

    figure.tight_layout()
    # Fixed metadata keeps the PNG bytes the same from run to run.
    figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(figure)
    return str(path)
