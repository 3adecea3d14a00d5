"""The config schema: wrong types, unknown and missing keys are errors that name the key."""

import pytest

from sensational.config import ConfigError, load_config, read_config
from sensational.paths import CONFIG_PATH


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
    text = CONFIG_PATH.read_text()
    assert old in text
    path = tmp_path / "config.toml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert message in str(raised.value) and str(path) in str(raised.value)
