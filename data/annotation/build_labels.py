"""Merge the annotation passes into the GoodNewsEveryone sensationalism labels and their statistics.

Inputs (every label a person's judgment, see GUIDELINE.md and PROVENANCE.md):
  passes/pass_a.tsv, passes/pass_b.tsv  two independent passes over all headlines: row, level, clickbait
  passes/adjudication.tsv               a third pass over the rows where the two disagreed
Outputs:
  ../goodnewseveryone/sensationalism.csv  one row per headline: every pass's label and the final one
  stats.json                              Cohen's kappa, label counts, distribution per outlet

Run: `python -m sensational.data.annotation.build_labels` (or `make labels`).
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
GNE = HERE.parent / "goodnewseveryone" / "gne_gold.csv"
OUTPUT = HERE.parent / "goodnewseveryone" / "sensationalism.csv"
STATS = HERE / "stats.json"


def read_pass(path: Path) -> dict[str, tuple[int, int]]:
    labels = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or fields[1] not in ("0", "1", "2") or fields[2] not in ("0", "1"):
                raise ValueError(f"{path}, line {number}: expected row<TAB>level 0-2<TAB>clickbait 0-1, got {line!r}")
            if fields[0] in labels:
                raise ValueError(f"{path}, line {number}: row {fields[0]} labelled twice")
            labels[fields[0]] = (int(fields[1]), int(fields[2]))
    return labels


def cohen_kappa(first: list, second: list) -> float:
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[k] * count_b[k] for k in set(count_a) | set(count_b)) / (n * n)
    return (observed - expected) / (1 - expected)


def build() -> dict:
    with open(GNE, encoding="utf-8", newline="") as handle:
        headlines = list(csv.DictReader(handle))
    first = read_pass(HERE / "passes" / "pass_a.tsv")
    second = read_pass(HERE / "passes" / "pass_b.tsv")
    adjudicated = read_pass(HERE / "passes" / "adjudication.tsv")
    rows = [h["row"] for h in headlines]
    for name, labels in (("pass_a", first), ("pass_b", second)):
        missing = set(rows) - set(labels)
        if missing:
            raise ValueError(f"{name} lacks {len(missing)} rows, e.g. {sorted(missing)[:5]}")
    disagreements = {r for r in rows if first[r] != second[r]}
    if disagreements != set(adjudicated):
        raise ValueError("the adjudication pass must cover exactly the rows where the passes disagree")

    per_outlet: dict[str, Counter] = defaultdict(Counter)
    final_levels, final_clickbait = Counter(), Counter()
    with open(OUTPUT, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["row", "headline", "outlet", "pass_a_level", "pass_a_clickbait", "pass_b_level", "pass_b_clickbait",
             "adjudicated_level", "adjudicated_clickbait", "level", "clickbait", "label", "score"]
        )
        for h in headlines:
            r = h["row"]
            level, clickbait = adjudicated.get(r, first[r])
            adj = adjudicated.get(r, ("", ""))
            writer.writerow(
                [r, h["headline"], h["source"], *first[r], *second[r], *adj, level, clickbait,
                 int(level >= 1), level / 2]
            )
            per_outlet[h["source"]][level] += 1
            final_levels[level] += 1
            final_clickbait[clickbait] += 1

    stats = {
        "headlines": len(rows),
        "double_annotated": len(rows),
        "disagreements_adjudicated": len(disagreements),
        "kappa_level_3way": round(cohen_kappa([first[r][0] for r in rows], [second[r][0] for r in rows]), 4),
        "kappa_sensational_binary": round(
            cohen_kappa([first[r][0] >= 1 for r in rows], [second[r][0] >= 1 for r in rows]), 4
        ),
        "kappa_clickbait": round(cohen_kappa([first[r][1] for r in rows], [second[r][1] for r in rows]), 4),
        "final_levels": {str(k): final_levels[k] for k in (0, 1, 2)},
        "final_clickbait": final_clickbait[1],
        "per_outlet": {
            outlet: {
                "n": sum(c.values()),
                **{f"level_{k}": c[k] for k in (0, 1, 2)},
                "share_sensational": round((c[1] + c[2]) / sum(c.values()), 3),
            }
            for outlet, c in sorted(per_outlet.items(), key=lambda kv: -(kv[1][1] + kv[1][2]) / sum(kv[1].values()))
        },
    }
    STATS.write_text(json.dumps(stats, indent=2) + "\n")
    return stats


if __name__ == "__main__":
    result = build()
    print(json.dumps({k: v for k, v in result.items() if k != "per_outlet"}, indent=2))
