"""The config schema: wrong types, unknown and missing keys and missing files are errors that name the
key; paths are relative to the config file."""

from pathlib import Path

import pytest

from sensational.config import ConfigError, load_config, read_config, variant
from sensational.paths import CONFIG_PATH, DATA_DIR


def test_the_shipped_config_reads_as_typed_sections():
    config = read_config(CONFIG_PATH)
    assert config.features.word_ngram_range == tuple(load_config(CONFIG_PATH)["features"]["word_ngram_range"])
    assert all(isinstance(head.C, float) for head in config.heads.values())
    assert set(config.heads) >= {"sensational"}


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("C = 4.0", 'C = "four"', "heads.sensational.C: expected a number, got 'four'"),
        ("min_df = 2", "min_dff = 2", "[features] unknown key 'min_dff'"),
        ("max_iter = 3000", "max_iter = true", "classifier.max_iter: expected a whole number, got True"),
        ("word_ngram_range = [1, 3]", "word_ngram_range = [1]", "features.word_ngram_range: expected a list of 2 values"),
        ("seed = 13", "", "missing 'seed'"),
        ('format = "webis"', 'format = "webis"\nshuffle = true', "[sources.webis-clickbait-17] unknown key 'shuffle'"),
    ],
)
def test_a_wrong_key_or_value_is_an_error_naming_it(tmp_path, old, new, message):
    assert_edit_refused(tmp_path, old, new, message)


def assert_edit_refused(folder: Path, old: str, new: str, message: str) -> None:
    """The shipped config with `old` replaced by `new` fails to load, naming `message` and the file."""
    text = CONFIG_PATH.read_text()
    assert old in text
    path = beside_the_data(folder, text.replace(old, new, 1))
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert message in str(raised.value) and str(path) in str(raised.value)


def beside_the_data(folder: Path, text: str) -> Path:
    """`text` written as folder/train/config.toml, with folder/data the shipped data, so the shipped
    config's `../data/...` paths hold there too."""
    (folder / "data").symlink_to(DATA_DIR, target_is_directory=True)
    (folder / "train").mkdir()
    path = folder / "train" / "config.toml"
    path.write_text(text)
    return path


def test_paths_are_relative_to_the_config_file_and_made_absolute(tmp_path):
    config = load_config(beside_the_data(tmp_path, CONFIG_PATH.read_text()))
    assert config["lexicon"]["path"] == str(tmp_path / "data" / "lexicon" / "framing.toml")  # `..` folded away
    assert config["sources"]["goodnewseveryone"]["path"] == str(tmp_path / "data" / "goodnewseveryone" / "sensationalism.csv")
    assert read_config(CONFIG_PATH).semantic.path == DATA_DIR / "vectors" / "minilm_l6_static.npz"
    # The dict keeps what the file says otherwise: no defaults filled in, lists stay lists.
    assert "strength_source" not in config["heads"]["sensational"] and config["features"]["word_ngram_range"] == [1, 3]


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('path = "../data/goodnewseveryone/sensationalism.csv"', 'path = "../data/x.csv"',
         "[sources.goodnewseveryone] path: ../data/x.csv not found"),
        ('path = "../data/lexicon/framing.toml"', 'path = "data/lexicon/framing.toml"',
         "[lexicon] path: data/lexicon/framing.toml not found"),  # relative to train/, not to the repository
        ('path = "../data/vectors/minilm_l6_static.npz"', "path = 3", "semantic.path: expected a string, got 3"),
    ],
)
def test_a_path_that_does_not_exist_is_an_error_naming_its_key(tmp_path, old, new, message):
    assert_edit_refused(tmp_path, old, new, message)


def test_a_variant_is_a_new_checked_config_and_leaves_the_original_as_it_was():
    config = load_config(CONFIG_PATH)
    changed = variant(config, "clickbait", C=2.0, lexicon=None, **{"sources.webis-clickbait-17": 0.6, "features.min_df": 1})
    assert changed["heads"]["clickbait"]["C"] == 2.0 and changed["features"]["min_df"] == 1
    assert changed["heads"]["clickbait"]["sources"] == {**config["heads"]["clickbait"]["sources"], "webis-clickbait-17": 0.6}
    assert "lexicon" not in changed and changed["heads"]["sensational"] == config["heads"]["sensational"]
    assert variant(config, "clickbait", sources={"chakraborty2016": 1.0})["heads"]["clickbait"]["sources"] == {"chakraborty2016": 1.0}
    assert config == load_config(CONFIG_PATH)  # untouched
    changed["heads"]["sensational"]["sources"]["bbc-nyt"] = 0.0
    assert config["heads"]["sensational"]["sources"]["bbc-nyt"] == 1.0  # and shares nothing with the variant


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"Cx": 2.0}, "variant: [heads.sensational] unknown key 'Cx'"),
        ({"C": "four"}, "variant: heads.sensational.C: expected a number, got 'four'"),
        ({"sources.goodnewseveryone": "high"}, "heads.sensational.sources.goodnewseveryone: expected a number, got 'high'"),
        ({"sources.nowhere": 1.0}, "[heads.sensational] names unknown source(s) nowhere"),
        ({"features.min_dff": 1}, "[features] unknown key 'min_dff'"),
        ({"features.min_df.low": 1}, "variant: features.min_df: expected a table, got 2"),
        ({"lexicon.path": "nowhere.toml"}, "[lexicon] path: nowhere.toml not found"),
    ],
)
def test_a_variant_with_a_wrong_key_or_value_is_an_error_naming_it(overrides, message):
    with pytest.raises(ConfigError) as raised:
        variant(load_config(CONFIG_PATH), "sensational", **overrides)
    assert message in str(raised.value)


def test_a_variant_of_a_head_the_config_lacks_is_an_error():
    with pytest.raises(ConfigError, match="no head 'teaser'"):
        variant(load_config(CONFIG_PATH), "teaser", C=1.0)
