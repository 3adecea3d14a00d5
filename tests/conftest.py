"""Shared fixtures: a tiny corpus set, a model trained on it for real, and the shipped model."""

from __future__ import annotations

import gzip
import json
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from sensational.paths import ROOT

CLICKBAIT = [
    "You Won't Believe What This Dog Did Next",
    "17 Photos That Will Make You Feel Old",
    "This Is The Best Thing You Will See Today",
    "Here's Why Everyone Is Talking About This Video",
    "21 Things Only Cat Owners Will Understand",
    "Can You Guess Which Celebrity This Is",
    "This Mom's Reaction Will Make You Cry",
    "What Happened Next Will Blow Your Mind",
    "Which Pizza Topping Are You Based On Your Zodiac Sign",
    "People Are Freaking Out Over This Amazing Trick",
    "15 Secrets Your Doctor Won't Tell You",
    "This Simple Trick Will Change Your Life Forever",
]
NEUTRAL = [
    "Senate passes budget bill after long debate",
    "Earthquake of magnitude 6 strikes off Japan coast",
    "Central bank holds interest rates steady",
    "Parliament approves new transport funding plan",
    "Company reports quarterly earnings above forecast",
    "Minister announces review of school funding",
    "Court rules on disputed election results",
    "Floods displace thousands in northern region",
    "Government unveils plan to cut emissions by 2030",
    "Talks on trade agreement resume in Geneva",
    "Police arrest suspect in bank robbery case",
    "Scientists publish study on ocean temperatures",
]
SENSATIONAL = [
    "Trump SLAMS furious judge in shocking rant",
    "HORROR as gunman terrifies screaming shoppers [VIDEO]",
    "Minister's plan sparks fury and outrage among farmers",
    "Brexit chaos: rebels plunge deal into fresh meltdown",
    "Senator DESTROYS smug CEO in epic takedown",
    "Terrifying moment huge quake rocks city!",
]
# Their framing-type tags, as the annotation writes them (the first and fourth are train rows).
TAGS = ["conflict,shock", "shock,teaser", "conflict", "alarm,hyperbole", "conflict,gloating", "alarm"]


def write_tiny_corpora(folder: Path) -> Path:
    """Tiny versions of the three source formats, and a config that trains on them (its paths are
    relative to it, but for the shipped semantic vectors, which are not copied)."""
    (folder / "chak").mkdir(parents=True)
    (folder / "chak" / "clickbait.txt").write_text("\n".join(CLICKBAIT) + "\n", encoding="utf-8")
    (folder / "chak" / "non_clickbait.txt").write_text("\n".join(NEUTRAL) + "\n", encoding="utf-8")
    posts = [
        {"id": str(i), "postText": text, "truthMean": mean, "truthClass": "clickbait" if mean >= 0.5 else "no-clickbait"}
        for i, (text, mean) in enumerate(
            [(t, 0.8) for t in CLICKBAIT[:6]] + [(t, 0.1) for t in NEUTRAL[:6]] + [(None, 0.9)]
        )
    ]
    with gzip.open(folder / "posts.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(p) + "\n" for p in posts)
    # The last of each class comes from an outlet kept out of train and dev.
    rows = [(t, 1, 1.0, int(t == SENSATIONAL[-1]), tags) for t, tags in zip(SENSATIONAL, TAGS)]
    rows += [(t, 0, 0.0, int(t == NEUTRAL[-1]), "-") for t in NEUTRAL[6:]]
    with open(folder / "own.csv", "w", encoding="utf-8") as handle:
        handle.write("headline,label,score,unseen,tags\n")
        handle.writelines(f'"{t}",{label},{score},{unseen},"{tags}"\n' for t, label, score, unseen, tags in rows)
    shutil.copy(ROOT / "data" / "lexicon" / "framing.toml", folder / "framing.toml")
    config = folder / "config.toml"
    config.write_text(
        f"""
seed = 7
[features]
word_ngram_range = [1, 2]
char_ngram_range = [2, 4]
min_df = 1
sublinear_tf = true
[classifier]
max_iter = 500
[lexicon]
path = "framing.toml"
[semantic]
path = "{ROOT / 'data' / 'vectors' / 'minilm_l6_static.npz'}"
[heads.sensational]
C = 4.0
soft_targets = false
semantic_weight = 2.0
calibrate = true
sources = {{ own = 2.0, chak = 0.5 }}
[heads.clickbait]
C = 4.0
soft_targets = true
strength_source = "webis"
sources = {{ chak = 1.0, webis = 1.0 }}
[framing]
C = 8.0
types = ["alarm", "gloating", "conflict", "shock", "hyperbole", "teaser"]
[sources.chak]
format = "chakraborty"
path = "chak"
[sources.webis]
format = "webis"
path = "posts.jsonl.gz"
[sources.own]
format = "table"
path = "own.csv"
text_column = "headline"
label_column = "label"
score_column = "score"
held_out = "unseen"
tags_column = "tags"
annotated = true
"""
    )
    return config


@pytest.fixture(scope="session")
def tiny_config(tmp_path_factory) -> Path:
    return write_tiny_corpora(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def tiny_model(tiny_config, tmp_path_factory) -> Path:
    """A model trained for real on the tiny corpora."""
    from sensational.train.training import train_model

    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    train_model(tiny_config, path, log=lambda message: None)
    return path


@pytest.fixture(scope="session")
def shipped_model() -> Path:
    """The model `make train` writes from the shipped config; trained here if it is missing."""
    from sensational.paths import CONFIG_PATH, default_model_path
    from sensational.train.training import train_model

    path = default_model_path()
    if not path.exists():
        train_model(CONFIG_PATH, path, log=lambda message: None)
    return path


@pytest.fixture(scope="session")
def record_validator():
    """A validator for the output record schema shipped as package data."""
    from importlib.resources import files

    from jsonschema import Draft202012Validator

    schema = json.loads((files("sensational") / "schema" / "record.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@contextmanager
def live_server(model_path):
    """A real uvicorn server running create_app(model_path) on a free loopback port; yields its URL."""

    from sensational.service import create_app
    from tests.helpers import running_server

    with running_server(create_app(model_path)) as url:
        yield url


@pytest.fixture(scope="session")
def client(tiny_model):
    """An httpx client for a live server of the tiny model."""
    import httpx

    with live_server(tiny_model) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http
