"""Choose the v2 headlines to annotate from data/pools/ and give each an opaque key.

Writes data/annotation/v2/items.csv: key, pool, pool_row, outlet, stratum, headline. The key says
nothing about the pool or outlet (annotators see only the key and the headline). Selection is seeded
and deterministic; exact duplicates (after normalisation) of each other or of an already labelled
corpus are skipped, so no headline is annotated twice or straddles two corpora.

Run once, before annotation: `python data/annotation/select_items.py`.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
sys.path.insert(0, str(DATA.parent / "model"))
from text import normalise  # noqa: E402  (stand-alone script; the package may not be installed)

SEED = 2026
TABLOIDS = {"dailymail.co.uk", "thesun.co.uk", "metro.co.uk", "mirror.co.uk", "express.co.uk"}
UK_BROADSHEETS = {"theguardian.com", "independent.co.uk", "bbc.co.uk"}
# How many headlines each stratum gets (None = all of them).
QUOTA = {
    "uk-tabloid": None,
    "celebrity-real": 2000,
    "celebrity-fake": 1400,
    "politifact-fake": None,
    "politifact-real": 200,
    "calm-bbc": 1800,
    "calm-nyt": 500,
    "uk-broadsheet": 300,
    "semeval": None,
}


def _rows(pool: str):
    with open(DATA / "pools" / pool / "headlines.csv", newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            yield pool, number, row


def stratum_of(pool: str, row: dict) -> str | None:
    outlet, label = row["outlet"], row["label"]
    if outlet in TABLOIDS:
        return "uk-tabloid"
    if pool == "uk_frontpages_2021_22":
        return "uk-broadsheet" if outlet in UK_BROADSHEETS else None
    if pool == "bbc_nyt_newsflow_2024_26":
        return "calm-bbc" if outlet == "bbc.com" else "calm-nyt"
    if pool == "semeval2007_affective_emobank":
        return "semeval"
    if label in ("gossipcop_real", "gossipcop_fake"):
        return "celebrity-" + label.split("_")[1]
    if label in ("politifact_real", "politifact_fake"):
        return "politifact-" + label.split("_")[1]
    return None  # rows with two verdicts are left out


def labelled_texts() -> set[str]:
    """Normalised headlines of the corpora that already carry labels."""
    seen = set()
    with open(DATA / "goodnewseveryone" / "gne_gold.csv", newline="", encoding="utf-8") as handle:
        seen.update(normalise(row["headline"]).lower() for row in csv.DictReader(handle))
    for name in ("clickbait.txt", "non_clickbait.txt"):
        seen.update(normalise(line).lower() for line in (DATA / "chakraborty2016" / name).read_text("utf-8").splitlines())
    return seen


def main() -> None:
    seen = labelled_texts()
    by_stratum: dict[str, list] = {name: [] for name in QUOTA}
    pools = ["uk_frontpages_2021_22", "fakenewsnet_gossipcop_politifact", "bbc_nyt_newsflow_2024_26",
             "semeval2007_affective_emobank"]
    for pool in pools:
        for _, number, row in _rows(pool):
            stratum = stratum_of(pool, row)
            text = normalise(row["headline"])
            if stratum is None or not text:
                continue
            by_stratum[stratum].append((pool, number, row["outlet"], text))
    rng = random.Random(SEED)
    chosen = []
    for stratum, candidates in by_stratum.items():
        rng.shuffle(candidates)
        kept = []
        for pool, number, outlet, text in candidates:
            if QUOTA[stratum] is not None and len(kept) == QUOTA[stratum]:
                break
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            kept.append((pool, number, outlet, stratum, text))
        chosen.extend(kept)
        print(f"{stratum}: {len(kept)} of {len(candidates)}")
    rng.shuffle(chosen)
    out = HERE / "v2" / "items.csv"
    out.parent.mkdir(exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["key", "pool", "pool_row", "outlet", "stratum", "headline"])
        for index, (pool, number, outlet, stratum, text) in enumerate(chosen, start=1):
            writer.writerow([f"h{index:05d}", pool, number, outlet, stratum, text])
    print(f"{len(chosen)} headlines -> {out}")


if __name__ == "__main__":
    main()
