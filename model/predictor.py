"""The library object: load a trained model once, then score headlines.

    >>> from sensational import Sensational
    >>> model = Sensational.load()
    >>> model.predict("Putin rubbing hands as 'scared Europe losing financial war'")
    {'headline': ..., 'score': 0.56, 'flagged': True, 'threshold': ..., 'model': {...}, 'phrases': [...],
     'clickbait': {'score': ..., 'flagged': ..., 'threshold': ..., 'phrases': [...]}}

The model has heads (see train/config.toml): `sensational` gives the record's score, flag and
phrases; every other head (`clickbait`) is reported beside it under its own name. Each head scores
with its compiled form (sensational.fast) when the artifact has one, else with scikit-learn; both
give the same probabilities.
"""

from __future__ import annotations

from pathlib import Path

from sensational import calibration
from sensational.artifact import load_artifact, load_scoring
from sensational.config import PRODUCT_HEAD
from sensational.explain import Explainer
from sensational.fast import BATCH
from sensational.paths import default_model_path

DEFAULT_TOP_PHRASES = 5


class Head:
    """One head: its threshold, its scorer (compiled form or scikit-learn pipeline) and the monotone
    maps of its logit fitted on dev (sensational.calibration): the calibrated score and, where the
    head has one, a graded strength."""

    def __init__(self, name: str, summary: dict, scorer=None, pipeline=None, load_pipeline=None):
        self.name = name
        self.threshold = float(summary["threshold"])
        self.calibration = summary.get("calibration", calibration.IDENTITY)
        self.strength = summary.get("strength")
        self._pipeline = pipeline
        self._load_pipeline = load_pipeline
        self.scorer = scorer if scorer is not None or pipeline is None else _compiled(pipeline)
        self._explainer = None

    @property
    def pipeline(self):
        """The scikit-learn pipeline, loaded (and verified) on first use if only the scoring form was."""
        if self._pipeline is None:
            self._pipeline = self._load_pipeline()[self.name]
        return self._pipeline

    @property
    def explainer(self) -> Explainer:
        if self._explainer is None:
            self._explainer = Explainer.from_scorer(self.scorer) if self.scorer is not None else Explainer(self.pipeline)
        return self._explainer

    def analyzers(self) -> list:
        if self.scorer is not None:
            return [block.analyzer for block in self.scorer.blocks]
        union = self.pipeline.named_steps["features"]
        return [getattr(vectorizer, "analyzer", None) for _, vectorizer in union.transformer_list]

    def decisions(self, headlines: list[str]):
        """The model's logit for each headline, before calibration."""
        if self.scorer is not None:
            return self.scorer.decisions(list(headlines))
        return self.pipeline.decision_function(list(headlines))

    def scores(self, headlines: list[str]) -> list[float]:
        if not headlines:
            return []
        return calibration.platt(self.decisions(headlines), self.calibration).tolist()

    def strengths(self, headlines: list[str]) -> list[float] | None:
        """The graded strength of each headline, for a head fitted with one (else None)."""
        if self.strength is None:
            return None
        return calibration.strength(self.decisions(headlines), self.strength).tolist() if headlines else []

    def results(self, batch: list[str], top_phrases: int, threshold: float, only_flagged: bool = False) -> list[dict]:
        """Score, flag, threshold and phrases of each headline of `batch` (with `only_flagged`, phrases
        only for flagged headlines)."""
        if self.scorer is not None:
            decisions, features = [], []
            for start in range(0, len(batch), BATCH):
                scored, rows = self.scorer.score_batch(batch[start : start + BATCH])
                decisions.extend(scored.tolist())
                features.extend(rows)
        else:
            features = self.pipeline.named_steps["features"].transform(batch).tocsr()
            decisions = self.pipeline.named_steps["classifier"].decision_function(features)
        probabilities = calibration.platt(decisions, self.calibration)
        strengths = calibration.strength(decisions, self.strength) if self.strength is not None else None
        slope = self.calibration["slope"]
        results = []
        for i, (headline, probability) in enumerate(zip(batch, probabilities)):
            score = round(float(probability), 6)
            explain = top_phrases > 0 and (score >= threshold or not only_flagged)
            phrases = self.explainer.phrases(headline, features[i], top_phrases, slope) if explain else []
            result = {"score": score, "flagged": score >= threshold, "threshold": threshold, "phrases": phrases}
            if strengths is not None:
                result["strength"] = round(float(strengths[i]), 6)
            results.append(result)
        return results


class Sensational:
    def __init__(self, metadata: dict, sha256: str, path: Path | None = None, heads=None, scorers=None):
        """From the pipelines of a loaded artifact (`heads`) or from their compiled forms (`scorers`)."""
        self.metadata = metadata
        self.path = path
        self._pipelines = heads
        self.heads = {
            name: Head(name, summary, scorer=(scorers or {}).get(name), pipeline=(heads or {}).get(name),
                       load_pipeline=self._load_pipelines)
            for name, summary in metadata["heads"].items()
        }
        self.product = self.heads[PRODUCT_HEAD]
        self.threshold = self.product.threshold
        self.model_info = {"name": metadata.get("name", "sensational"), "fingerprint": sha256[:16]}

    @classmethod
    def load(cls, path: Path | str | None = None) -> "Sensational":
        """Load and verify an artifact (default: the one `make train` wrote)."""
        path = Path(path) if path is not None else default_model_path()
        loaded = load_scoring(path)
        if loaded is not None:
            scorers, metadata, sha256 = loaded
            return cls(metadata, sha256, path, scorers=scorers)
        heads, metadata, sha256 = load_artifact(path)
        return cls(metadata, sha256, path, heads=heads)

    def _load_pipelines(self) -> dict:
        """The artifact's pipelines, loaded (and verified) once however many heads ask for them."""
        if self._pipelines is None:
            self._pipelines = load_artifact(self.path)[0]
        return self._pipelines

    def warm_up(self) -> None:
        """Do now the one-time work the first matches would do (compiling the framing lexicon), so a
        stream's first headlines are answered as fast as the rest."""
        for head in self.heads.values():
            for analyzer in head.analyzers():
                lexicon = getattr(analyzer, "lexicon", None)
                if lexicon is not None:
                    lexicon.compile()

    def scores(self, headlines: list[str], head: str = PRODUCT_HEAD) -> list[float]:
        """Probability of sensational framing (or of another head's class) for each headline, in order."""
        return self.heads[head].scores(headlines)

    def predict(
        self,
        headlines: str | list[str],
        top_phrases: int = DEFAULT_TOP_PHRASES,
        threshold: float | None = None,
    ) -> dict | list[dict]:
        """A record per headline: score, flag, threshold, model, the phrases behind the score, and
        the other heads' results under their names (with phrases when they flag the headline).
        `threshold` overrides the product head's."""
        single = isinstance(headlines, str)
        batch = [headlines] if single else list(headlines)
        records = self._records(batch, top_phrases, self.threshold if threshold is None else threshold)
        return records[0] if single else records

    def _records(self, batch: list[str], top_phrases: int, threshold: float) -> list[dict]:
        if not batch:
            return []
        product = self.product.results(batch, top_phrases, threshold)
        # Another head's phrases matter only where it flags; explaining is most of the cost of a record.
        others = {
            name: head.results(batch, top_phrases, head.threshold, only_flagged=True)
            for name, head in self.heads.items()
            if head is not self.product
        }
        records = []
        for i, headline in enumerate(batch):
            record = {"headline": headline, **product[i], "model": self.model_info}
            record.update({name: results[i] for name, results in others.items()})
            records.append(record)
        return records


def _compiled(pipeline):
    from sensational.fast import FastScorer, Unsupported

    try:
        return FastScorer.from_pipeline(pipeline)
    except Unsupported:
        return None
