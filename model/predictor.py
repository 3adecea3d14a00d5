"""The library object: load a trained model once, then score headlines.

    >>> from sensational import Sensational
    >>> model = Sensational.load()
    >>> model.predict("Putin rubbing hands as 'scared Europe losing financial war'")
    {'headline': ..., 'score': 0.93, 'flagged': True, 'threshold': ..., 'model': {...}, 'phrases': [...]}
"""

from __future__ import annotations

from pathlib import Path

from sensational.artifact import load_artifact, load_scoring
from sensational.explain import Explainer
from sensational.fast import BATCH
from sensational.paths import default_model_path

DEFAULT_TOP_PHRASES = 5


class Sensational:
    """Scores with the compiled form of the pipeline (sensational.fast) when there is one, else
    with scikit-learn; both give the same probabilities."""

    def __init__(self, pipeline, metadata: dict, sha256: str, path: Path | None = None, scorer=None):
        self._pipeline = pipeline
        self.metadata = metadata
        self.path = path
        self.threshold = float(metadata["threshold"])
        self.model_info = {"name": metadata.get("name", "sensational"), "fingerprint": sha256[:16]}
        self.scorer = scorer if scorer is not None or pipeline is None else _compiled(pipeline)
        self._explainer = None

    @classmethod
    def load(cls, path: Path | str | None = None) -> "Sensational":
        """Load and verify an artifact (default: the one `make train` wrote)."""
        path = Path(path) if path is not None else default_model_path()
        loaded = load_scoring(path)
        if loaded is not None:
            scorer, metadata, sha256 = loaded
            return cls(None, metadata, sha256, path, scorer)
        pipeline, metadata, sha256 = load_artifact(path)
        return cls(pipeline, metadata, sha256, path)

    def warm_up(self) -> None:
        """Do now the one-time work the first matches would do (compiling the framing lexicon), so a
        stream's first headlines are answered as fast as the rest."""
        if self.scorer is not None:
            analyzers = [block.analyzer for block in self.scorer.blocks]
        else:
            union = self.pipeline.named_steps.get("features")
            analyzers = [getattr(v, "analyzer", None) for _, v in getattr(union, "transformer_list", [])]
        for analyzer in analyzers:
            lexicon = getattr(analyzer, "lexicon", None)
            if lexicon is not None and hasattr(lexicon, "compile"):
                lexicon.compile()

    @property
    def pipeline(self):
        """The scikit-learn pipeline, loaded (and verified) on first use if only the scoring form was."""
        if self._pipeline is None:
            self._pipeline, _, _ = load_artifact(self.path)
        return self._pipeline

    @property
    def explainer(self) -> Explainer:
        if self._explainer is None:
            if self.scorer is not None:
                self._explainer = Explainer.from_scorer(self.scorer)
            else:
                self._explainer = Explainer(self.pipeline)
        return self._explainer

    def scores(self, headlines: list[str]) -> list[float]:
        """Probability of sensational framing for each headline, in order."""
        if not headlines:
            return []
        if self.scorer is not None:
            return self.scorer.scores(list(headlines)).tolist()
        return self.pipeline.predict_proba(list(headlines))[:, 1].tolist()

    def predict(
        self,
        headlines: str | list[str],
        top_phrases: int = DEFAULT_TOP_PHRASES,
        threshold: float | None = None,
    ) -> dict | list[dict]:
        """A record per headline: score, flag, threshold, model and the phrases behind the score."""
        single = isinstance(headlines, str)
        batch = [headlines] if single else list(headlines)
        records = self._records(batch, top_phrases, self.threshold if threshold is None else threshold)
        return records[0] if single else records

    def _records(self, batch: list[str], top_phrases: int, threshold: float) -> list[dict]:
        if not batch:
            return []
        if self.scorer is not None:
            probabilities, features = [], []
            for start in range(0, len(batch), BATCH):
                scored, rows = self.scorer.score_batch(batch[start : start + BATCH])
                probabilities.extend(scored.tolist())
                features.extend(rows)
        else:
            features = self.pipeline.named_steps["features"].transform(batch).tocsr()
            probabilities = self.pipeline.named_steps["classifier"].predict_proba(features)[:, 1]
        records = []
        for i, (headline, probability) in enumerate(zip(batch, probabilities)):
            score = round(float(probability), 6)
            record = {
                "headline": headline,
                "score": score,
                "flagged": score >= threshold,
                "threshold": threshold,
                "model": self.model_info,
            }
            if top_phrases > 0:
                record["phrases"] = self.explainer.phrases(headline, features[i], top_phrases)
            else:
                record["phrases"] = []
            records.append(record)
        return records


def _compiled(pipeline):
    from sensational.fast import FastScorer, Unsupported

    try:
        return FastScorer.from_pipeline(pipeline)
    except Unsupported:
        return None
