"""One head of the model: TF-IDF word n-grams, word spellings (character n-grams per word), framing markers
and word-piece vectors, then logistic regression."""

from __future__ import annotations

from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from sensational.features import FramingMarkers, WordNgrams, WordShapes
from sensational.lexicon import Lexicon
from sensational.semantic import SemanticBlock


def build_pipeline(config: dict, lexicon: Lexicon | None, C: float, vectors=None, semantic_weight: float = 0.0) -> Pipeline:
    """`vectors` = (vocabulary, matrix) of the semantic block, used when `semantic_weight` > 0."""
    features = config["features"]
    blocks = [
        (
            "word",
            TfidfVectorizer(
                analyzer=WordNgrams(features["word_ngram_range"]),
                min_df=features["min_df"],
                sublinear_tf=features["sublinear_tf"],
            ),
        ),
        ("char", WordShapes(features["char_ngram_range"], features["min_df"], features["sublinear_tf"])),
    ]
    if lexicon is not None:
        # Markers are counted as present/absent, outside the TF-IDF norms, so a single idiom in a
        # long headline weighs as much as in a short one.
        blocks.append(("framing", CountVectorizer(analyzer=FramingMarkers(lexicon), binary=True)))
    if vectors is not None and semantic_weight > 0:
        blocks.append(("semantic", SemanticBlock(*vectors, weight=semantic_weight)))
    return Pipeline(
        [
            ("features", FeatureUnion(blocks)),
            ("classifier", LogisticRegression(C=C, max_iter=config["classifier"]["max_iter"], random_state=config["seed"])),
        ]
    )
