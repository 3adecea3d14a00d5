"""The evaluation report: every section present, and its numbers are the ones in metrics.json."""

import json

import pytest

from sensational.evaluate.evaluation import evaluate_model
from sensational.evaluate.report import f


@pytest.fixture(scope="module")
def evaluated(tiny_model, tmp_path_factory):
    out = tmp_path_factory.mktemp("eval")
    evaluate_model(tiny_model, out, card_path=out / "MODEL_CARD.md")
    return out, json.loads((out / "metrics.json").read_text())


def test_every_section_is_written(evaluated):
    out, metrics = evaluated
    report = (out / "report.md").read_text()
    for heading in (
        "## Headline results", "## Against baselines", "## Graded agreement", "## Confusion matrices",
        "## Choosing a threshold", "## Cross-corpus", "## Ablation", "## Framing types", "## Figures",
        "## Where it fails", "## Published numbers",
    ):
        assert heading in report
    for name in ("roc_pr", "reliability", "histograms"):
        assert (out / metrics["plots"][name]).stat().st_size > 1000
    card = (out / "MODEL_CARD.md").read_text()
    for heading in ("## Intended use", "## Heads and training data", "## Headline metrics", "## Framing types",
                    "## Recommended thresholds", "## Known failure modes"):
        assert heading in card
    assert metrics["model"]["fingerprint"] in card


def test_report_numbers_are_the_metrics_json_numbers(evaluated):
    out, metrics = evaluated
    report = (out / "report.md").read_text()
    for head, result in metrics["heads"].items():
        for corpus, entry in result["corpora"].items():
            prefix = f"| {head} | {corpus} | {entry['model']['n']} |"
            row = next(line for line in report.splitlines() if line.startswith(prefix))
            for key in ("accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "brier", "ece"):
                assert f(entry["model"][key]) in row
    clickbait = metrics["heads"]["clickbait"]["corpora"]
    assert "graded" in clickbait["webis"]  # truthMean-style scores are graded
    assert "graded" not in clickbait["chak"]  # 0/1 scores are not


def test_baselines_cross_corpus_and_ablation_cover_every_corpus(evaluated):
    _, metrics = evaluated
    corpora = {"chak", "webis", "own"}
    assert set(metrics["heads"]) == {"sensational", "clickbait"}
    assert set(metrics["heads"]["clickbait"]["corpora"]) == {"chak", "webis", "pooled"}
    baselines = metrics["heads"]["clickbait"]["corpora"]["pooled"]["baselines"]
    assert set(baselines) == {"majority class", "word-unigram TF-IDF + LR"}
    assert set(metrics["cross_corpus"]) == corpora | {"sensational head (the model)", "clickbait head (the model)"}
    assert set(metrics["ablation"]) == {
        "sensational without lexicon", "sensational without own", "sensational without chak",
        "sensational without semantic block",
        "clickbait without lexicon", "clickbait without chak", "clickbait without webis",
    }
    assert all(set(row) - {"unseen-outlets", "annotated"} == corpora for row in metrics["cross_corpus"].values())
    # Headlines of outlets kept out of train and dev are reported as their own corpus.
    unseen = metrics["heads"]["sensational"]["corpora"]["unseen-outlets"]
    assert unseen["model"]["n"] == 2


def test_warning_rates_per_test_corpus_and_the_covered_language(evaluated):
    out, metrics = evaluated
    assert set(metrics["warning_rates"]) == {"chak", "webis", "own"}
    assert all(set(rates) == {"language", "no_features"} for rates in metrics["warning_rates"].values())
    assert "## Coverage warnings" in (out / "report.md").read_text()
    assert "English only" in (out / "MODEL_CARD.md").read_text()


def test_ablation_variants_change_only_what_their_names_say():
    from sensational.config import load_config
    from sensational.evaluate.evaluation import ADDED_SOURCE_WEIGHT, V1_SENSATIONAL, _variants
    from sensational.paths import CONFIG_PATH

    def leaves(table, prefix=""):
        """{dotted key: value} of every leaf of a nested dict."""
        out = {}
        for key, value in table.items():
            out.update(leaves(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
        return out

    config = load_config(CONFIG_PATH)
    before = leaves(config)
    for name, (changed, head) in _variants(config).items():
        after = leaves(changed)
        diff = {key: after.get(key) for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        sources = f"heads.{head}.sources"
        if name.endswith(" alone"):
            corpus = name.removesuffix(" alone")
            assert changed["heads"][head]["sources"] == {corpus: 1.0}
            assert {key for key in diff if not key.startswith(sources + ".")} == set(), name
        elif name.startswith("sensational v1"):
            assert changed["heads"]["sensational"] == V1_SENSATIONAL
            assert all(key.startswith("heads.sensational.") for key in diff), name
        elif name.endswith("without semantic block"):
            assert diff == {f"heads.{head}.semantic_weight": 0.0}, name
        elif name.endswith("without lexicon"):
            assert diff == {"lexicon.path": None} and "lexicon" not in changed, name
        elif " with " in name:
            corpus = name.removeprefix(f"{head} with ").removesuffix(f" at {ADDED_SOURCE_WEIGHT}")
            assert diff == {f"{sources}.{corpus}": ADDED_SOURCE_WEIGHT}, name
        else:
            corpus = name.removeprefix(f"{head} without ")
            assert diff == {f"{sources}.{corpus}": 0.0}, name
    assert config == load_config(CONFIG_PATH)
    assert len(_variants(config)) == 27


def test_framing_types_are_measured_on_tagged_test_rows_against_two_baselines(evaluated):
    out, metrics = evaluated
    framing = metrics["framing"]
    assert framing["types"] == ["alarm", "conflict", "hyperbole", "shock"]
    assert abs(sum(framing["prior"].values()) - 1.0) < 1e-12
    # The tiny corpora's one tagged test row is the held-out "Terrifying moment ..." (alarm).
    assert set(framing["corpora"]) == {"own", "unseen-outlets"}
    for systems in framing["corpora"].values():
        assert set(systems) == {"model", "majority class", "lexicon categories"}
        assert all(result["n"] == 1 for result in systems.values())
    assert framing["corpora"]["own"]["lexicon categories"]["top1_accuracy"] == 1.0  # "terrifying" is in the lexicon's alarm
    row = next(line for line in (out / "report.md").read_text().splitlines() if line.startswith("| own | 1 | model |"))
    assert f"| {f(framing['corpora']['own']['model']['top1_accuracy'])} |" in row
