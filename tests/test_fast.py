"""The compiled scoring path (sensational.fast) against scikit-learn, and the lexicon's shortcut."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from sensational.artifact import ModelInvalid, load_artifact, manifest_path, scoring_path
from sensational.fast import FastScorer, Unsupported
from sensational.lexicon import _SPECIAL_FOLDS, Lexicon, phrase_pattern
from sensational.paths import DATA_DIR
from sensational.predictor import Sensational
from sensational.scoring import FeaturePass

TRICKY = [
    "",
    "   ",
    "BREAKING: Alarm bells ring as PM's plan SPARKS FURY!!!",
    "Watch: Putin rubs his hands — [VIDEO] you won't believe",
    "Ringing the alarm-bells over a 'wake-up call'?",
    "Here’s why the best-ever ‘nightmare’ is a KİLL SCARE with ſcared ſhock",
    "Temperature hits 40\u212a: the ſecret ıs out",
    "ÉNORME scandale: les élus s'insurgent",
    "the the the the the the the the",
    "tab\tseparated\u00a0nbsp words_with_underscores 123 456",
]


@pytest.fixture(scope="module")
def headlines():
    from sensational.config import load_config
    from sensational.data.loader import load_corpora
    from sensational.paths import CONFIG_PATH

    table, _ = load_corpora(load_config(CONFIG_PATH)["sources"])
    return table["text"].sample(3000, random_state=1).tolist() + TRICKY


@pytest.fixture(scope="module")
def shipped(shipped_model):
    heads, metadata, sha256 = load_artifact(shipped_model)
    return heads, metadata, sha256


HEADS = ["sensational", "clickbait"]


@pytest.mark.parametrize("head", HEADS)
def test_probabilities_equal_predict_proba(shipped, headlines, head):
    pipeline = shipped[0][head]
    expected = pipeline.predict_proba(headlines)[:, 1]
    got = FastScorer.from_pipeline(pipeline).scores(headlines)
    assert np.abs(got - expected).max() <= 1e-12


def _sparse_blocks(pipeline, headlines):
    """The FeatureUnion's matrix without the word-shape and semantic blocks, which the compiled form
    folds into shares per word instead of columns."""
    import scipy.sparse as sp

    union = pipeline.named_steps["features"]
    return sp.hstack([t.transform(headlines) for name, t in union.transformer_list if name not in ("char", "semantic")]).tocsr()


@pytest.mark.parametrize("head", HEADS)
def test_feature_rows_equal_the_feature_union(shipped, headlines, head):
    pipeline = shipped[0][head]
    matrix = _sparse_blocks(pipeline, headlines)
    rows, columns, values = FastScorer.from_pipeline(pipeline).features(headlines)
    assert np.array_equal(np.bincount(rows, minlength=len(headlines)), np.diff(matrix.indptr))
    assert np.array_equal(columns, matrix.indices)
    assert np.abs(values - matrix.data).max() <= 1e-12


def test_semantic_shares_equal_the_pooled_vectors(shipped, headlines):
    pipeline = shipped[0]["sensational"]
    union = pipeline.named_steps["features"]
    names = [name for name, _ in union.transformer_list]
    assert "semantic" in names, "the shipped sensational head uses the semantic block"
    widths = [t.transform(["x"]).shape[1] for _, t in union.transformer_list]
    start = sum(widths[: names.index("semantic")])
    block = dict(union.transformer_list)["semantic"]
    coef = pipeline.named_steps["classifier"].coef_[0][start : start + widths[names.index("semantic")]]
    expected = block.transform(headlines) @ coef
    got = FeaturePass({"h": FastScorer.from_pipeline(pipeline)}).read(headlines).semantic_logits("h")
    assert np.abs(got - expected).max() <= 1e-12
    assert np.abs(got).max() > 0


def test_a_word_no_training_headline_has_still_gets_a_semantic_weight(shipped_model):
    record = Sensational.load(shipped_model).predict("Minister's budget plan is a catastrophically horrifying abomination", top_phrases=10)
    words = {p["text"] for p in record["phrases"]}
    assert words & {"catastrophically", "horrifying", "abomination"}


def test_records_equal_scikit_learn_and_the_explanation_rule(shipped, headlines):
    """Every record of the one scoring path against scikit-learn's own numbers: each head's score is
    the pipeline's calibrated probability, and the phrases are what `phrases_by_rule` (every block's
    spans, one headline at a time) makes of the FeatureUnion's matrix."""
    from sensational.calibration import platt
    from sensational.explain import phrases_by_rule

    heads, metadata, sha256 = shipped
    model = Sensational(metadata, sha256, heads=heads)
    sample = headlines + ["İstanbul ΟΔΟΣ'Α SCARE!!", "ΚΑΛΟΣ news: shock", "Σ alarm bells ring"]
    records = model.predict(sample, top_phrases=5, threshold={"clickbait": 0.05})
    for name, head in model.heads.items():
        pipeline = heads[name]
        matrix = _sparse_blocks(pipeline, sample)
        coef = head.scorer.coef
        scores = platt(pipeline.decision_function(sample), head.calibration)
        for i, (headline, record) in enumerate(zip(sample, records)):
            category = record["categories"][name]
            assert category["score"] == round(float(scores[i]), 6), headline
            row = matrix[i]
            contributions = dict(zip(row.indices.tolist(), (row.data * coef[row.indices]).tolist()))
            expected = phrases_by_rule(headline, head.scorer, contributions.get, 5, head.calibration["slope"], name)
            if category["flagged"] or name == "sensational":
                got = [p for p in record["phrases"] if p["head"] == name]
                assert got == expected, headline


def test_load_uses_the_saved_scoring_form_without_the_pipeline(tiny_model, headlines):
    model = Sensational.load(tiny_model)
    assert model.product.scorer is not None and model.product._pipeline is None
    from sensational.calibration import platt

    logits = model.product.pipeline.decision_function(headlines)  # loads the joblib file on first use
    expected = platt(logits, model.product.calibration)
    assert np.abs(np.array(model.scores(headlines)) - expected).max() <= 1e-12


def test_scoring_form_imports_no_scikit_learn(tiny_model):
    code = (
        "import sys; from sensational.batch import run_predict; "
        f"run_predict(['Senate passes budget bill'], model_path={str(tiny_model)!r}); "
        "print([m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy', 'pandas', 'joblib', 'rich')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.splitlines()[0])["score"] is not None
    assert out.splitlines()[-1] == "[]"


def test_a_modified_scoring_form_is_refused(tiny_model, tmp_path):
    import shutil

    path = tmp_path / "m.joblib"
    for source, target in [(tiny_model, path), (manifest_path(tiny_model), manifest_path(path))]:
        shutil.copy(source, target)
    shutil.copy(scoring_path(tiny_model, "clickbait"), scoring_path(path, "clickbait"))
    data = bytearray(scoring_path(tiny_model, "sensational").read_bytes())
    data[len(data) // 2] ^= 0xFF
    scoring_path(path, "sensational").write_bytes(bytes(data))
    with pytest.raises(ModelInvalid, match="sensational.scoring.npz: SHA-256 .* does not match"):
        Sensational.load(path)
    scoring_path(path, "sensational").unlink()  # without it, the verified joblib file is used
    model = Sensational.load(path)
    assert model.product._pipeline is not None and model.product.scorer is not None


def test_a_pipeline_the_compiled_form_cannot_reproduce_is_refused(shipped):
    # One scoring path: scikit-learn only fits, so a model it cannot compile cannot score.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline

    texts = ["Senate passes budget bill", "You Won't Believe This Trick", "Court rules", "Shocking rant"]
    pipeline = make_pipeline(TfidfVectorizer(), SGDClassifier(loss="log_loss", random_state=0)).fit(texts, [0, 1, 0, 1])
    with pytest.raises(Unsupported):
        FastScorer.from_pipeline(pipeline)
    with pytest.raises(Unsupported, match="head 'sensational'"):
        Sensational({"heads": {"sensational": {"threshold": 0.5}}}, "0" * 64, heads={"sensational": pipeline})


# The lexicon's shortcut: a category's pattern is tried only where one of its first words occurs.

LEXICON = Lexicon.from_file(DATA_DIR / "lexicon" / "framing.toml")
FULL = {
    name: re.compile("|".join(phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True)), re.IGNORECASE)
    for name, phrases in LEXICON.categories.items()
    if phrases
}


def test_lexicon_matches_equal_a_full_search(headlines):
    for text in headlines:
        got = [m for m in LEXICON.matches(text) if m[0].startswith("lexicon:")]
        full = [(f"lexicon:{name}", m.start(), m.end()) for name, p in FULL.items() for m in p.finditer(text)]
        assert got == sorted(full, key=lambda m: (m[1], m[2], m[0])), text
        assert LEXICON.features(text) == {feature for feature, _, _ in LEXICON.matches(text)}


def test_lexicon_features_of_a_batch_equal_features_one_by_one(headlines):
    # Above 64 headlines features_of rules headlines out with its word-run prefilter first.
    extra = ["Rubs HIS hands", "rub the hands as", "alarm-bells ring", "ALARM BELLS!", "you won't believe",
             "ſcared", "Σ shock", "[VIDEO] watch", "Watch: x", "DON'T panic", "NASA’S plan", "A''' odd", "ABC(video)",
             "lone \ud800 SURROGATE here"]
    texts = headlines + extra

    def per_text(texts):
        rows, features = LEXICON.features_of(texts, [t.lower() for t in texts])
        found = [set() for _ in texts]
        for row, feature in zip(rows.tolist(), features):
            assert feature not in found[row]  # each feature once per text
            found[row].add(feature)
        return found

    assert per_text(texts) == [LEXICON.features(t) for t in texts]
    assert per_text(extra) == [LEXICON.features(t) for t in extra]


def test_special_folds_lists_every_character_that_lower_does_not_fold_like_re():
    # A character re.IGNORECASE matches to an ASCII letter or digit must lower() to it, or be listed.
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        if char.isalnum() and re.fullmatch("[a-z0-9_]", char, re.IGNORECASE):
            assert char.lower().isascii() or _SPECIAL_FOLDS.match(char), hex(code)
        if len(char.lower()) != 1:
            assert _SPECIAL_FOLDS.match(char), hex(code)


@pytest.mark.parametrize(
    "word, char, sublinear, binary_framing",
    [((1, 2), (2, 4), True, True), ((2, 4), (3, 5), False, True), ((1, 1), (1, 3), True, False), ((1, 3), (2, 5), True, True)],
)
def test_other_hyperparameters_score_the_same(headlines, word, char, sublinear, binary_framing):
    from sklearn.feature_extraction.text import CountVectorizer

    from sensational.pipeline import build_pipeline

    config = {
        "seed": 1,
        "features": {"word_ngram_range": word, "char_ngram_range": char, "min_df": 1, "sublinear_tf": sublinear},
        "classifier": {"max_iter": 300},
    }
    pipeline = build_pipeline(config, LEXICON, C=2.0)
    if not binary_framing:
        pipeline.named_steps["features"].transformer_list[2] = ("framing", CountVectorizer(analyzer=pipeline.named_steps["features"].transformer_list[2][1].analyzer))
    train = headlines[:400]
    pipeline.fit(train, [int("!" in t or t.istitle() or len(t) % 3 == 0) for t in train])
    expected = pipeline.predict_proba(headlines)[:, 1]
    assert np.abs(FastScorer.from_pipeline(pipeline).scores(headlines) - expected).max() <= 1e-12


def test_one_feature_pass_serves_heads_with_different_features(headlines):
    """Heads whose analyzers differ read separate groups of one pass; heads that share an analyzer
    share its union vocabulary. Every head scores as its own pipeline."""
    from sensational.pipeline import build_pipeline

    def fitted(word, char, labels):
        config = {"seed": 1, "classifier": {"max_iter": 300},
                  "features": {"word_ngram_range": word, "char_ngram_range": char, "min_df": 1, "sublinear_tf": True}}
        pipeline = build_pipeline(config, LEXICON, C=2.0)
        return pipeline.fit(headlines[:400], labels)

    pipelines = {
        "a": fitted((1, 3), (2, 5), [int("!" in t or len(t) % 3 == 0) for t in headlines[:400]]),
        "b": fitted((1, 3), (2, 5), [int(t.istitle() or len(t) % 2 == 0) for t in headlines[:400]]),
        "c": fitted((1, 2), (3, 4), [int(len(t) % 5 < 2) for t in headlines[:400]]),
    }
    feature_pass = FeaturePass({name: FastScorer.from_pipeline(p) for name, p in pipelines.items()})
    assert len(feature_pass.groups) == 3  # word n-grams twice (two settings), framing once
    assert list(feature_pass.shape_row) == ["a", "b", "c"]  # in one table of word facts
    for name, pipeline in pipelines.items():
        got = feature_pass.decisions(headlines, name)
        assert np.abs(got - pipeline.decision_function(headlines)).max() <= 1e-12


def test_a_batch_without_any_known_feature_scores_like_scikit_learn(tiny_model):
    # Found by the property tests: a batch whose headlines have no vocabulary feature at all.
    model = Sensational.load(tiny_model)
    for head in model.heads.values():
        assert np.abs(head.scorer.decisions(["3", "zzz"]) - head.pipeline.decision_function(["3", "zzz"])).max() <= 1e-12


def test_the_saved_feature_pass_restores_what_loading_would_build(tiny_model, headlines):
    from sensational.artifact import pass_path

    assert pass_path(tiny_model).exists() and "pass" in json.loads(manifest_path(tiny_model).read_text())
    restored = Sensational.load(tiny_model).feature_pass  # from the artifact's saved state
    fresh = FeaturePass(restored.scorers)  # built from the vocabularies
    for name in fresh.scorers:
        assert np.array_equal(fresh.columns[name], restored.columns[name])
        assert np.array_equal(fresh.decisions(headlines, name), restored.decisions(headlines, name))
    built, saved = fresh.state(), restored.state()
    assert built.keys() == saved.keys() and all(np.array_equal(built[key], saved[key]) for key in built)


def test_word_shapes_in_c_equal_the_numpy_rule(tiny_model, headlines):
    """sensational._shapes computes each word's share as WordShapes (numpy, what training fits) would:
    for every head and framing type, on real words and on words that stress the n-grams (one
    character, repeated n-grams, characters beyond the BMP, NUL, very long words)."""
    feature_pass = Sensational.load(tiny_model).feature_pass
    odd = ["a", "é", "aaaaaa", "hahaha", "😱", "a😱b", "x\x00y", "’", "z" * 500, "ſcared", "İ".lower()]
    words = sorted({w for h in headlines for w in h.lower().split()}) + odd
    for group in feature_pass.shape_groups:
        got = group.facts(words)
        for number, member in enumerate(group.members):
            word, column, value = member.analyzer.word_vectors(words, dict(zip(member.terms, range(len(member.terms)))), member.idf)
            share = np.bincount(word, value * member.coef[column], minlength=len(words))
            assert np.abs(got[2 * number] - share).max() <= 1e-12
            assert np.array_equal(got[2 * number + 1], np.bincount(word, minlength=len(words)))
    with pytest.raises(TypeError, match="word 1 is not a str"):
        feature_pass.shape_groups[0].facts(["ok", 3])


def test_the_key_table_finds_every_key_and_nothing_else():
    from sensational.scoring import _KeyTable

    rng = np.random.default_rng(7)
    for size in (0, 1, 5, 3000):
        keys = np.sort(rng.choice(2**61, size, replace=False)) if size != 5 else np.array([0, 16, 32, 48, 64])  # 5: one slot apart
        table = _KeyTable(keys, np.arange(size) * 3)
        assert np.array_equal(table.find(keys), np.arange(size) * 3)
        others = rng.integers(0, 2**61, 1000)
        assert (table.find(others[~np.isin(others, keys)]) == -1).all()


def test_a_full_word_table_starts_again_without_losing_the_batch(tiny_model, monkeypatch):
    # Found in review: when a batch's new words overflowed the table, it started again with only the
    # new words, and the batch's known words raised KeyError (a long stream, past 200,000 words).
    import sensational.words

    headlines = [f"word{i} shock{i % 7} horror" for i in range(300)]
    expected = Sensational.load(tiny_model).scores(headlines)
    monkeypatch.setattr(sensational.words, "WORD_CACHE", 50)
    model = Sensational.load(tiny_model)
    assert model.scores(headlines[:20]) == expected[:20]
    assert model.scores(headlines) == expected  # overflows: known and new words in one batch
