import json

from sensational.artifact import load_artifact, manifest_path
from sensational.predictor import Sensational
from sensational.train.training import train_model
from tests.conftest import NEUTRAL, SENSATIONAL


def test_real_training_pass_writes_a_complete_artifact(tiny_model, tiny_config):
    pipeline, metadata, sha256 = load_artifact(tiny_model)
    assert metadata["config"]["seed"] == 7
    assert metadata["config_path"] == str(tiny_config)
    assert set(pipeline) == {"sensational", "clickbait"}
    assert set(metadata["heads"]["sensational"]["rows_per_corpus"]) == {"own", "chak"}
    assert set(metadata["heads"]["clickbait"]["rows_per_corpus"]) == {"chak", "webis"}
    for head in metadata["heads"].values():
        assert 0.0 < head["threshold"] < 1.0 and "pooled" in head["dev_metrics"]
    assert len(metadata["data_fingerprint"]) == 64
    assert metadata["framing"]["head"] == "sensational" and len(metadata["framing"]["types"]) >= 2
    assert metadata["libraries"]["scikit-learn"]
    manifest = json.loads(manifest_path(tiny_model).read_text())
    assert manifest["sha256"] == sha256


def test_tiny_model_separates_what_it_was_taught(tiny_model):
    model = Sensational.load(tiny_model)
    sensational = model.scores(SENSATIONAL)
    neutral = model.scores(NEUTRAL)
    assert min(sensational) > max(neutral)


def test_same_data_and_seed_give_identical_scores(tiny_config, tiny_model, tmp_path):
    again = tmp_path / "again.joblib"
    train_model(tiny_config, again, log=lambda message: None)
    probe = SENSATIONAL + NEUTRAL + ["Something entirely new about taxes"]
    first = Sensational.load(tiny_model).scores(probe)
    second = Sensational.load(again).scores(probe)
    assert first == second  # exact float equality, not approximate
    assert load_artifact(tiny_model)[1]["data_fingerprint"] == load_artifact(again)[1]["data_fingerprint"]


def test_interrupted_write_leaves_no_model(tiny_config, tmp_path, monkeypatch):
    import joblib
    import pytest

    target = tmp_path / "model.joblib"

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(joblib, "dump", crash)
    with pytest.raises(KeyboardInterrupt):
        train_model(tiny_config, target, log=lambda message: None)
    assert list(tmp_path.iterdir()) == []

