import json
import shutil

import pytest

from sensational.artifact import ModelInvalid, ModelMissing, load_artifact, manifest_path
from sensational.predictor import Sensational


@pytest.fixture
def model_copy(tiny_model, tmp_path):
    path = tmp_path / "copy.joblib"
    shutil.copy(tiny_model, path)
    shutil.copy(manifest_path(tiny_model), manifest_path(path))
    return path


def test_round_trip_gives_the_same_scores(tiny_model, model_copy):
    headlines = ["Senate passes budget bill", "You Won't Believe This Trick"]
    assert Sensational.load(tiny_model).scores(headlines) == Sensational.load(model_copy).scores(headlines)


def test_modified_file_is_refused_with_file_and_reason(model_copy):
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    with pytest.raises(ModelInvalid, match=rf"{model_copy}: SHA-256 .* does not match"):
        load_artifact(model_copy)


def test_truncated_file_is_refused(model_copy):
    model_copy.write_bytes(model_copy.read_bytes()[:1000])
    with pytest.raises(ModelInvalid, match="modified, truncated or swapped"):
        load_artifact(model_copy)


def test_missing_manifest_is_refused(model_copy):
    manifest_path(model_copy).unlink()
    with pytest.raises(ModelInvalid, match="manifest .* is missing"):
        load_artifact(model_copy)


def test_missing_model_says_to_run_make_train(tmp_path):
    with pytest.raises(ModelMissing, match="run `make train`"):
        load_artifact(tmp_path / "absent.joblib")


def test_other_scikit_learn_version_loads_with_a_warning(model_copy):
    manifest = json.loads(manifest_path(model_copy).read_text())
    manifest["libraries"]["scikit-learn"] = "0.0.1"
    manifest_path(model_copy).write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match=r"trained with scikit-learn 0.0.1, this is"):
        load_artifact(model_copy)


def test_artifact_without_config_is_refused(model_copy):

    from sensational.artifact import save_artifact

    pipeline, metadata, _ = load_artifact(model_copy)
    save_artifact(model_copy, pipeline, {**metadata, "config": {}})
    with pytest.raises(ModelInvalid, match="no training config"):
        load_artifact(model_copy)
