"""Merge the annotation passes into the sensationalism labels and their statistics.

Inputs (every label a judgment made by reading, see GUIDELINE.md and PROVENANCE.md):
  passes/pass_a.tsv, pass_b.tsv, adjudication.tsv   v1: two passes over GoodNewsEveryone (row, level,
                                                     clickbait) and a third over their disagreements
  v2/gne_readjudication.tsv                          v2: GNE rows the new rules touch, decided again
                                                     under guideline v2 (row, level, clickbait, tags, rationale)
  v2/items.csv                                       v2: the pool headlines chosen by select_items.py
  v2/pass_a.tsv, v2/pass_b.tsv                       v2: two blind passes (key, level, clickbait, tags)
  v2/adjudication.tsv                                v2: the disagreements decided (+ tags, rationale)
Outputs:
  ../goodnewseveryone/sensationalism.csv   GNE: repaired text beside the original, every pass, final label
  v2/sensationalism_v2.csv                 pools: every pass, final label, tags, source, held-out outlet
  stats.json                               kappa, counts, per outlet and (key `sources`) per source

Run: `make labels`.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
GNE = HERE.parent / "goodnewseveryone" / "gne_gold.csv"
OUTPUT = HERE.parent / "goodnewseveryone" / "sensationalism.csv"
V2 = HERE / "v2"
V2_OUTPUT = V2 / "sensationalism_v2.csv"
STATS = HERE / "stats.json"
TAGS = {"alarm", "gloating", "conflict", "shock", "hyperbole", "teaser", "other"}
# Outlets kept out of train and dev entirely: `make eval` reports them as corpus `unseen-outlets`.
HELD_OUT_OUTLETS = {"thesun.co.uk", "metro.co.uk", "hollywoodlife.com", "radaronline.com", "okmagazine.com",
                    "ok.co.uk", "hellomagazine.com"}
# The stratum of select_items.py -> the source a head learns from and `make eval` reports.
SOURCES = {"uk-tabloid": "uk-tabloids", "celebrity-real": "gossipcop", "celebrity-fake": "gossipcop",
           "politifact-fake": "politifact", "politifact-real": "politifact", "calm-bbc": "bbc-nyt",
           "calm-nyt": "bbc-nyt", "uk-broadsheet": "uk-broadsheets", "semeval": "semeval2007"}
# Defects of the shipped GNE copy that can be undone without reading (see its PROVENANCE.md): an HTML
# entity left in place of an apostrophe, and two substituted words that are never real words there.
# "Egypt" (sometimes real) and the removed question marks are left as they are.
REPAIRS = [("and#039;", "'"), ("Egyptn", "Russian"), ("Petr", "Putin")]


def repaired(text: str) -> tuple[str, list[str]]:
    """The text with REPAIRS applied (the two names as whole words only), and which were applied."""
    done = []
    for wrong, right in REPAIRS:
        pattern = rf"\b{wrong}\b" if wrong.isalpha() else re.escape(wrong)
        text, count = re.subn(pattern, right, text)
        if count:
            done.append(f"{wrong} -> {right}")
    return text, done


def read_labels(path: Path, with_tags: bool = False, with_rationale: bool = False) -> dict[str, dict]:
    """key -> {level, clickbait[, tags][, rationale]}; any malformed line is an error naming it."""
    width = 3 + with_tags + with_rationale
    labels = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.rstrip("\n").split("\t")
            problem = None
            if len(fields) != width:
                problem = f"expected {width} tab-separated fields"
            elif fields[1] not in ("0", "1", "2") or fields[2] not in ("0", "1"):
                problem = "level must be 0-2 and clickbait 0-1"
            elif fields[0] in labels:
                problem = f"{fields[0]} labelled twice"
            elif with_tags and not _valid_tags(fields[3], int(fields[1])):
                problem = f"tags {fields[3]!r} do not fit level {fields[1]}"
            if problem:
                raise ValueError(f"{path}, line {number}: {problem}: {line!r}")
            entry = {"level": int(fields[1]), "clickbait": int(fields[2])}
            if with_tags:
                entry["tags"] = fields[3]
            if with_rationale:
                entry["rationale"] = fields[-1].strip()
            labels[fields[0]] = entry
    return labels


def _valid_tags(tags: str, level: int) -> bool:
    if level == 0:
        return tags == "-"
    return bool(tags) and set(tags.split(",")) <= TAGS


def cohen_kappa(first: list, second: list) -> float:
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[k] * count_b[k] for k in set(count_a) | set(count_b)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def agreement(keys: list[str], first: dict, second: dict, final: dict) -> dict:
    """The per-source statistics of stats.json."""
    return {
        "headlines": len(keys),
        "double_annotated": sum(k in first and k in second for k in keys),
        "kappa_sensational_binary": round(cohen_kappa([first[k]["level"] >= 1 for k in keys], [second[k]["level"] >= 1 for k in keys]), 4),
        "kappa_level_3way": round(cohen_kappa([first[k]["level"] for k in keys], [second[k]["level"] for k in keys]), 4),
        "kappa_clickbait": round(cohen_kappa([first[k]["clickbait"] for k in keys], [second[k]["clickbait"] for k in keys]), 4),
        "positives": sum(final[k]["level"] >= 1 for k in keys),
        "clickbait": sum(final[k]["clickbait"] for k in keys),
    }


def _disagree(a: dict, b: dict) -> bool:
    return (a["level"], a["clickbait"]) != (b["level"], b["clickbait"])


def _check_passes(keys: list[str], first: dict, second: dict, adjudicated: dict, what: str) -> None:
    for name, labels in (("pass A", first), ("pass B", second)):
        missing = set(keys) - set(labels)
        if missing:
            raise ValueError(f"{what} {name} lacks {len(missing)} headlines, e.g. {sorted(missing)[:5]}")
    disagreements = {k for k in keys if _disagree(first[k], second[k])}
    if disagreements != set(adjudicated):
        raise ValueError(f"{what}: the adjudication must cover exactly the {len(disagreements)} disagreements "
                         f"(missing {len(disagreements - set(adjudicated))}, extra {len(set(adjudicated) - disagreements)})")


def build_gne() -> tuple[dict, dict]:
    """GNE labels: v1 passes, then the v2 re-adjudication where it exists."""
    with open(GNE, encoding="utf-8", newline="") as handle:
        headlines = list(csv.DictReader(handle))
    first = read_labels(HERE / "passes" / "pass_a.tsv")
    second = read_labels(HERE / "passes" / "pass_b.tsv")
    adjudicated = read_labels(HERE / "passes" / "adjudication.tsv")
    readjudicated = read_labels(V2 / "gne_readjudication.tsv", with_tags=True, with_rationale=True)
    rows = [h["row"] for h in headlines]
    _check_passes(rows, first, second, adjudicated, "GNE")
    unknown = set(readjudicated) - set(rows)
    if unknown:
        raise ValueError(f"gne_readjudication.tsv names unknown rows, e.g. {sorted(unknown)[:5]}")

    final, per_outlet, changed, repaired_rows = {}, defaultdict(Counter), 0, 0
    with open(OUTPUT, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["row", "headline", "outlet", "pass_a_level", "pass_a_clickbait", "pass_b_level", "pass_b_clickbait",
             "adjudicated_level", "adjudicated_clickbait", "v2_level", "v2_clickbait", "v2_tags", "v2_rationale",
             "level", "clickbait", "label", "score", "headline_original", "repairs"]
        )
        for h in headlines:
            r = h["row"]
            v1 = adjudicated.get(r, first[r])
            v2 = readjudicated.get(r)
            chosen = v2 or v1
            changed += v2 is not None and (v2["level"], v2["clickbait"]) != (v1["level"], v1["clickbait"])
            final[r] = chosen
            adj = adjudicated.get(r)
            text, repairs = repaired(h["headline"])
            repaired_rows += bool(repairs)
            writer.writerow(
                [r, text, h["source"], first[r]["level"], first[r]["clickbait"], second[r]["level"], second[r]["clickbait"],
                 *((adj["level"], adj["clickbait"]) if adj else ("", "")),
                 *((v2["level"], v2["clickbait"], v2["tags"], v2["rationale"]) if v2 else ("", "", "", "")),
                 chosen["level"], chosen["clickbait"], int(chosen["level"] >= 1), chosen["level"] / 2,
                 h["headline"] if repairs else "", "; ".join(repairs)]
            )
            per_outlet[h["source"]][chosen["level"]] += 1
    levels = Counter(f["level"] for f in final.values())
    stats = {
        "headlines": len(rows),
        "double_annotated": len(rows),
        "disagreements_adjudicated": len(adjudicated),
        "kappa_level_3way": round(cohen_kappa([first[r]["level"] for r in rows], [second[r]["level"] for r in rows]), 4),
        "kappa_sensational_binary": round(cohen_kappa([first[r]["level"] >= 1 for r in rows], [second[r]["level"] >= 1 for r in rows]), 4),
        "kappa_clickbait": round(cohen_kappa([first[r]["clickbait"] for r in rows], [second[r]["clickbait"] for r in rows]), 4),
        "final_levels": {str(k): levels[k] for k in (0, 1, 2)},
        "final_clickbait": sum(f["clickbait"] for f in final.values()),
        "v2_readjudicated": len(readjudicated),
        "v2_readjudication_changed": changed,
        "text_repaired": repaired_rows,
        "per_outlet": {
            outlet: {
                "n": sum(c.values()),
                **{f"level_{k}": c[k] for k in (0, 1, 2)},
                "share_sensational": round((c[1] + c[2]) / sum(c.values()), 3),
            }
            for outlet, c in sorted(per_outlet.items(), key=lambda kv: -(kv[1][1] + kv[1][2]) / sum(kv[1].values()))
        },
    }
    return stats, agreement(rows, first, second, final)


def build_pools() -> dict[str, dict]:
    """Pool labels: two blind v2 passes and the adjudication; per-source statistics."""
    with open(V2 / "items.csv", encoding="utf-8", newline="") as handle:
        items = list(csv.DictReader(handle))
    first = read_labels(V2 / "pass_a.tsv", with_tags=True)
    second = read_labels(V2 / "pass_b.tsv", with_tags=True)
    adjudicated = read_labels(V2 / "adjudication.tsv", with_tags=True, with_rationale=True)
    keys = [item["key"] for item in items]
    _check_passes(keys, first, second, adjudicated, "v2")

    final, by_source = {}, defaultdict(list)
    with open(V2_OUTPUT, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["key", "headline", "source", "outlet", "pool", "pool_row", "stratum", "unseen_outlet",
             "pass_a_level", "pass_a_clickbait", "pass_a_tags", "pass_b_level", "pass_b_clickbait", "pass_b_tags",
             "adjudicated_level", "adjudicated_clickbait", "adjudicated_tags", "rationale",
             "level", "clickbait", "tags", "label", "score"]
        )
        for item in items:
            k, a, b = item["key"], first[item["key"]], second[item["key"]]
            adj = adjudicated.get(k)
            if adj:
                chosen = adj
            else:  # agreed on level and clickbait: the framing types either pass saw
                tags = sorted((set(a["tags"].split(",")) | set(b["tags"].split(","))) - {"-"})
                chosen = {"level": a["level"], "clickbait": a["clickbait"], "tags": ",".join(tags) or "-"}
            final[k] = chosen
            source = SOURCES[item["stratum"]]
            by_source[source].append(k)
            writer.writerow(
                [k, item["headline"], source, item["outlet"], item["pool"], item["pool_row"], item["stratum"],
                 int(item["outlet"] in HELD_OUT_OUTLETS),
                 a["level"], a["clickbait"], a["tags"], b["level"], b["clickbait"], b["tags"],
                 *((adj["level"], adj["clickbait"], adj["tags"], adj["rationale"]) if adj else ("", "", "", "")),
                 chosen["level"], chosen["clickbait"], chosen["tags"], int(chosen["level"] >= 1), chosen["level"] / 2]
            )
    sources = {name: agreement(keys, first, second, final) for name, keys in sorted(by_source.items())}
    sources["all pools"] = {**agreement(keys, first, second, final), "disagreements_adjudicated": len(adjudicated),
                            "held_out_outlet_headlines": sum(i["outlet"] in HELD_OUT_OUTLETS for i in items),
                            "final_levels": dict(sorted(Counter(str(f["level"]) for f in final.values()).items())),
                            "framing_tags": dict(Counter(t for f in final.values() for t in f["tags"].split(",") if t != "-").most_common())}
    return sources


def build() -> dict:
    stats, gne = build_gne()
    stats["sources"] = {"goodnewseveryone": gne, **build_pools()}
    STATS.write_text(json.dumps(stats, indent=2) + "\n")
    return stats


if __name__ == "__main__":
    result = build()
    print(json.dumps({k: v for k, v in result.items() if k != "per_outlet"}, indent=2))
