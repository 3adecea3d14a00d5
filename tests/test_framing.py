"""Framing-type shares: learned from the tags, compiled exactly, explained exactly, never a category."""

import json
import shutil

import numpy as np
import pytest

from sensational.artifact import framing_path, load_pipelines, manifest_path, save_artifact, scoring_path
from sensational.explain import phrases_by_rule, span_weights
from sensational.predictor import Sensational
from tests.conftest import CLICKBAIT, NEUTRAL, SENSATIONAL
from tests.helpers import cli_records

PROBE = SENSATIONAL + NEUTRAL + CLICKBAIT + ["Something entirely new about taxes", "", "ÉMEUTE à Paris: l'horreur"]


@pytest.fixture(scope="module")
def shipped(shipped_model):
    return Sensational.load(shipped_model)


@pytest.fixture(scope="module")
def real_headlines():
    import pandas as pd

    from sensational.paths import ROOT

    return pd.read_csv(ROOT / "data" / "annotation" / "v2" / "items.csv")["headline"].tolist()[:400] + PROBE


def without_framing(model_path, folder):
    """The same artifact saved as one of before the framing model: its heads' pipelines and metadata only."""
    heads, _, metadata, _ = load_pipelines(model_path)
    path = folder / "old.joblib"
    save_artifact(path, heads, {key: value for key, value in metadata.items() if key != "framing"})
    return path


def test_a_real_training_pass_gives_shares_that_sum_to_one_under_the_sensational_category(tiny_model):
    records = Sensational.load(tiny_model).predict(PROBE)
    for record in records:
        framing = record["categories"]["sensational"]["framing"]
        assert set(framing) == {"alarm", "conflict", "hyperbole", "shock"}  # the types its two tagged train rows have
        assert abs(sum(framing.values()) - 1.0) <= 1e-5 and all(0.0 <= share <= 1.0 for share in framing.values())
        # Framing types are no categories, add no flags, and no other category has shares.
        assert set(record["categories"]) == {"sensational", "clickbait"}
        assert "framing" not in record["categories"]["clickbait"]
        assert record["flagged"] == any(c["flagged"] for c in record["categories"].values())


def test_the_tiny_artifact_records_what_the_framing_model_learned(tiny_model):
    _, framing, metadata, _ = load_pipelines(tiny_model)
    summary = metadata["framing"]
    assert summary["head"] == "sensational" and summary["rows"] == 2
    assert summary["types"] == list(framing.classes_) == ["alarm", "conflict", "hyperbole", "shock"]
    assert summary["dev_metrics"]["n"] == 3  # the tagged dev rows; the held-out one is never read
    assert "framing" in json.loads(manifest_path(tiny_model).read_text())


def test_compiled_shares_equal_predict_proba_on_real_headlines(shipped, real_headlines):
    _, framing, _, _ = load_pipelines(shipped.path)
    expected = framing.predict_proba(real_headlines)
    assert shipped.framing.types == list(framing.classes_)
    assert np.abs(shipped.framing_shares(real_headlines) - expected).max() <= 1e-9


def test_each_types_span_weights_sum_to_its_logit_and_its_phrases_follow_the_rule(shipped, real_headlines):
    head = shipped.heads["sensational"]
    headlines = real_headlines[:150]
    batch = shipped.feature_pass.read(headlines)
    features = head.features(batch)
    logits = shipped.framing.logits(batch, features[:3])
    phrases = shipped.framing_phrases(headlines, 5)
    rows, columns, values, _ = features
    for k, (name, view) in enumerate(zip(shipped.framing.types, shipped.framing.views(head.scorer).values())):
        contributions = values * view.coef[columns]
        for i, headline in enumerate(headlines):
            mine = {int(c): float(v) for c, v in zip(columns[rows == i], contributions[rows == i])}
            weights, _ = span_weights(headline, view, mine.get)
            assert abs(sum(weights.values()) + view.intercept - logits[i, k]) <= 1e-9, (name, headline)
            assert phrases[i][name] == phrases_by_rule(headline, view, mine.get, 5, 1.0, f"sensational:{name}"), (name, headline)


def test_an_artifact_without_a_framing_model_loads_and_scores_its_heads_as_before(tiny_model, tmp_path):
    old = without_framing(tiny_model, tmp_path)
    assert not framing_path(old).exists() and "framing" not in json.loads(manifest_path(old).read_text())
    before, now = Sensational.load(old), Sensational.load(tiny_model)
    assert before.framing is None and before.framing_phrases(PROBE[:2]) == [{}, {}]
    for record, current in zip(before.predict(PROBE), now.predict(PROBE)):
        assert "framing" not in record["categories"]["sensational"]
        current["categories"]["sensational"].pop("framing")
        record.pop("model"), current.pop("model")
        assert record == current  # the heads' scores, flags and phrases do not change with the framing model
    (cli,) = cli_records(old, ["Trump SLAMS furious judge in shocking rant"])
    assert "framing" not in cli["categories"]["sensational"]


def test_the_pipelines_give_the_same_shares_when_the_scoring_files_are_missing(tiny_model, tmp_path):
    path = tmp_path / "m.joblib"
    for source in (tiny_model, manifest_path(tiny_model)):
        shutil.copy(source, tmp_path / source.name.replace(tiny_model.name, path.name))
    assert not scoring_path(path, "sensational").exists()
    from_pipelines, compiled = Sensational.load(path), Sensational.load(tiny_model)
    assert from_pipelines._pipelines is not None  # it really took the pipelines' path
    assert from_pipelines.predict(PROBE) == [{**r, "model": from_pipelines.model_info} for r in compiled.predict(PROBE)]


def test_training_without_a_framing_section_fits_the_same_heads(tiny_config, tiny_model, tmp_path):
    from sensational.train.training import train_model

    config = tiny_config.with_name("config_without_framing.toml")  # beside it: its paths are relative
    text = tiny_config.read_text()
    start = text.index("[framing]")
    config.write_text(text[:start] + text[text.index("[sources.chak]"):])
    path = tmp_path / "plain.joblib"
    train_model(config, path, log=lambda message: None)
    plain, framed = Sensational.load(path), Sensational.load(tiny_model)
    assert plain.framing is None and not framing_path(path).exists()
    for head in ("sensational", "clickbait"):
        assert plain.scores(PROBE, head) == framed.scores(PROBE, head)  # exact equality
