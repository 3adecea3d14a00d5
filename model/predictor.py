"""The library object: load a trained model once, then score headlines.

    >>> from sensational import Sensational
    >>> model = Sensational.load()
    >>> model.predict("Putin rubbing hands as 'scared Europe losing financial war'")
    {'headline': ..., 'score': 0.9, 'flagged': True, 'threshold': ..., 'model': {...}, 'phrases': [...],
     'clickbait': {'score': ..., 'flagged': ..., 'threshold': ..., 'phrases': [...]}}

The model has heads (see train/config.toml): `sensational` gives the record's score, flag and
phrases; every other head (`clickbait`) is reported beside it under its own name.
"""

from __future__ import annotations

from pathlib import Path

from sensational.artifact import load_artifact
from sensational.config import PRODUCT_HEAD
from sensational.explain import Explainer
from sensational.paths import default_model_path

DEFAULT_TOP_PHRASES = 5


class Head:
    """One fitted pipeline with its threshold; scores and explains a batch."""

    def __init__(self, name: str, pipeline, threshold: float):
        self.name = name
        self.pipeline = pipeline
        self.threshold = float(threshold)
        self._explainer = None

    @property
    def explainer(self) -> Explainer:
        if self._explainer is None:
            self._explainer = Explainer(self.pipeline)
        return self._explainer

    def scores(self, headlines: list[str]) -> list[float]:
        return self.pipeline.predict_proba(list(headlines))[:, 1].tolist() if headlines else []

    def results(self, batch: list[str], top_phrases: int, threshold: float) -> list[dict]:
        features = self.pipeline.named_steps["features"].transform(batch).tocsr()
        probabilities = self.pipeline.named_steps["classifier"].predict_proba(features)[:, 1]
        results = []
        for i, (headline, probability) in enumerate(zip(batch, probabilities)):
            score = round(float(probability), 6)
            phrases = self.explainer.phrases(headline, features[i], top_phrases) if top_phrases > 0 else []
            results.append({"score": score, "flagged": score >= threshold, "threshold": threshold, "phrases": phrases})
        return results


class Sensational:
    def __init__(self, heads: dict, metadata: dict, sha256: str, path: Path | None = None):
        self.metadata = metadata
        self.path = path
        self.heads = {name: Head(name, pipeline, metadata["heads"][name]["threshold"]) for name, pipeline in heads.items()}
        self.product = self.heads[PRODUCT_HEAD]
        self.threshold = self.product.threshold
        self.model_info = {"name": metadata.get("name", "sensational"), "fingerprint": sha256[:16]}

    @classmethod
    def load(cls, path: Path | str | None = None) -> "Sensational":
        """Load and verify an artifact (default: the one `make train` wrote)."""
        path = Path(path) if path is not None else default_model_path()
        heads, metadata, sha256 = load_artifact(path)
        return cls(heads, metadata, sha256, path)

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
        the other heads' results under their names. `threshold` overrides the product head's."""
        single = isinstance(headlines, str)
        batch = [headlines] if single else list(headlines)
        records = self._records(batch, top_phrases, self.threshold if threshold is None else threshold)
        return records[0] if single else records

    def _records(self, batch: list[str], top_phrases: int, threshold: float) -> list[dict]:
        if not batch:
            return []
        product = self.product.results(batch, top_phrases, threshold)
        others = {
            name: head.results(batch, top_phrases, head.threshold) for name, head in self.heads.items() if head is not self.product
        }
        records = []
        for i, headline in enumerate(batch):
            record = {"headline": headline, **product[i], "model": self.model_info}
            record.update({name: results[i] for name, results in others.items()})
            records.append(record)
        return records
