"""The library object: load a trained model once, then score headlines.

    >>> from sensational import Sensational
    >>> model = Sensational.load()
    >>> model.predict("Putin rubbing hands as 'scared Europe losing financial war'")
    {'headline': ..., 'flagged': True, 'score': 0.56,
     'categories': {'sensational': {'score': 0.56, 'flagged': True, 'threshold': ...},
                    'clickbait': {'score': 0.03, 'flagged': False, 'threshold': ...}},
     'phrases': [{'text': 'scared', ..., 'category': 'alarm', 'head': 'sensational'}, ...],
     'warnings': [], 'model': {...}}

The record follows the moderation-API convention: one `flagged` to route on (any category flagged)
and a score, flag and threshold per category. Each head of the artifact (see train/config.toml) is
one category, so a head added to the config appears in `categories` without code changes;
`sensational` also gives the record's `score`. Every head scores with its compiled form
(sensational.fast; compiled on load from the pipelines if the artifact's scoring files are missing),
and one feature pass per batch (sensational.scoring) serves all heads and their explanations.
The framing-type model (sensational.framing), where the artifact has one, is not a head: it adds
`framing` shares to the category of the head whose feature values it reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from sensational import calibration
from sensational.artifact import load_artifact, load_pipelines, load_scoring
from sensational.config import PRODUCT_HEAD
from sensational.coverage import english, warnings_for
from sensational.explain import explain
from sensational.fast import BATCH, FastScorer, Unsupported
from sensational.framing import FramingScorer
from sensational.paths import default_model_path
from sensational.record import make_record
from sensational.scoring import Batch, FeaturePass, without_cycle_collection

DEFAULT_TOP_PHRASES = 5


class Head:
    """One head: its threshold, its compiled scorer (read through the model's one FeaturePass) and
    the monotone maps of its logit fitted on dev (sensational.calibration): the calibrated score
    and, where the head has one, a graded strength."""

    def __init__(self, name: str, summary: dict, scorer: FastScorer, feature_pass: FeaturePass, pipeline=None,
                 load_pipeline=None, framing: FramingScorer | None = None):
        self.name = name
        self.framing = framing  # framing-type shares read from this head's feature values
        self.threshold = float(summary["threshold"])
        self.calibration = summary.get("calibration", calibration.IDENTITY)
        self.strength = summary.get("strength")
        self.scorer = scorer
        self.feature_pass = feature_pass
        self._load_pipeline = load_pipeline
        self._pipeline = pipeline

    @property
    def pipeline(self):
        """The fitted scikit-learn pipeline (loaded and verified on first use), for comparing with it."""
        if self._pipeline is None:
            self._pipeline = self._load_pipeline()[self.name]
        return self._pipeline

    def decisions(self, headlines: list[str]):
        """The model's logit for each headline, before calibration."""
        return self.feature_pass.decisions(list(headlines), self.name)

    def scores(self, headlines: list[str]) -> list[float]:
        if not headlines:
            return []
        return calibration.platt(self.decisions(headlines), self.calibration).tolist()

    def strengths(self, headlines: list[str]) -> list[float] | None:
        """The graded strength of each headline, for a head fitted with one (else None)."""
        if self.strength is None:
            return None
        return calibration.strength(self.decisions(headlines), self.strength).tolist() if headlines else []

    def results(self, headlines: list[str], top_phrases: int, threshold: float, only_flagged: bool = False) -> list[dict]:
        """Score, flag, threshold and phrases of each headline (with `only_flagged`, phrases only for
        flagged headlines), and how many of its features the head knows."""
        results = []
        for start in range(0, len(headlines), BATCH):
            batch = self.feature_pass.read(headlines[start : start + BATCH])
            results.extend(self.batch_results(batch, top_phrases, threshold, only_flagged))
        return results

    def features(self, batch: Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, values, counts) of this head's features in a batch the feature pass has read."""
        rows, columns, counts = batch.features(self.name)
        return rows, columns, self.scorer.values(rows, columns, counts, len(batch.headlines)), counts

    def batch_results(self, batch: Batch, top_phrases: int, threshold: float, only_flagged: bool) -> list[dict]:
        """`results` of a batch the feature pass has read (every head reads the same one)."""
        size = len(batch.headlines)
        rows, columns, values, counts = self.features(batch)
        decisions = self.scorer.decisions_from(rows, values * self.scorer.coef[columns], size, batch.dense_logits(self.name))
        scores = [round(p, 6) for p in calibration.platt(decisions, self.calibration).tolist()]
        strengths = None
        if self.strength is not None:
            strengths = [round(s, 6) for s in calibration.strength(decisions, self.strength).tolist()]
        # Known to the model: its n-gram and lexicon features, its words' known character n-grams and word pieces.
        known = (np.bincount(rows, minlength=size) + batch.word_known(self.name)).tolist()
        # A headline the head knows nothing of scores the head's prior (its intercept): no evidence, no flag.
        flagged = [score >= threshold and count > 0 for score, count in zip(scores, known)]
        explained = [i for i, flag in enumerate(flagged) if top_phrases > 0 and (flag or not only_flagged)]
        phrases = explain(batch, self.name, (rows, columns, values, counts), explained, top_phrases, self.calibration["slope"])
        results = []
        for i, score in enumerate(scores):
            result = {"score": score, "flagged": flagged[i], "threshold": threshold,
                      "phrases": phrases.get(i, []), "known_features": known[i]}
            if strengths is not None:
                result["strength"] = strengths[i]
            results.append(result)
        if self.framing is not None:
            shares = np.round(self.framing.shares_of(batch, (rows, columns, values)), 6).tolist()
            for result, row in zip(results, shares):
                result["framing"] = dict(zip(self.framing.types, row))
        return results


class Sensational:
    def __init__(self, metadata: dict, sha256: str, path: Path | None = None, heads=None, scorers=None, framing=None,
                 state=None):
        """From the pipelines of a loaded artifact (`heads`; `framing`: its framing pipeline) or from
        their compiled forms (`scorers`; `framing`: a FramingScorer). Without `framing` (an artifact of
        before the framing model, or a config without [framing]) records have no `framing` shares."""
        self.metadata = metadata
        self.path = path
        self._pipelines = heads
        if scorers is None:
            scorers = {name: _compiled(name, pipeline) for name, pipeline in heads.items()}
            if framing is not None:
                head = metadata["framing"]["head"]
                framing = FramingScorer.from_pipeline(framing, head, scorers[head])
        if framing is not None:
            framing.check(scorers[framing.head])
        self.framing = framing
        # One pass over a batch serves every head, and every framing type's logit.
        views = framing.views(scorers[framing.head]) if framing is not None else {}
        self.feature_pass = FeaturePass({**scorers, **views}, state)  # state: saved by training, or None
        self.heads = {
            name: Head(name, summary, scorers[name], self.feature_pass, (heads or {}).get(name), self._load_pipelines,
                       framing if framing is not None and framing.head == name else None)
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
            scorers, framing, metadata, sha256, state = loaded
            return cls(metadata, sha256, path, scorers=scorers, framing=framing, state=state)
        heads, framing, metadata, sha256 = load_pipelines(path)
        return cls(metadata, sha256, path, heads=heads, framing=framing)

    def _load_pipelines(self) -> dict:
        """The artifact's pipelines, loaded (and verified) once however many heads ask for them."""
        if self._pipelines is None:
            self._pipelines = load_artifact(self.path)[0]
        return self._pipelines

    def warm_up(self) -> None:
        """Do now the one-time work the first matches would do (compiling the framing lexicon), so a
        stream's first headlines are answered as fast as the rest."""
        for scorer in self.feature_pass.scorers.values():
            for block in scorer.blocks:
                lexicon = getattr(block.analyzer, "lexicon", None)
                if lexicon is not None:
                    lexicon.compile()

    def scores(self, headlines: list[str], head: str = PRODUCT_HEAD) -> list[float]:
        """Probability of sensational framing (or of another head's class) for each headline, in order."""
        return self.heads[head].scores(headlines)

    def thresholds(self, threshold: float | Mapping[str, float] | None = None) -> dict[str, float]:
        """Each category's threshold: the model's unless `threshold` overrides it. A number is the
        sensational head's threshold (as before categories existed); a mapping names categories.
        Raises ValueError for an unknown category or a value outside [0, 1]."""
        chosen = {name: head.threshold for name, head in self.heads.items()}
        if threshold is None:
            return chosen
        overrides = threshold if isinstance(threshold, Mapping) else {PRODUCT_HEAD: threshold}
        unknown = sorted(set(overrides) - set(chosen))
        if unknown:
            raise ValueError(f"no category {', '.join(map(repr, unknown))} in this model; it has {', '.join(chosen)}")
        for name, value in overrides.items():
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"threshold {value} for {name!r} is not between 0 and 1")
            chosen[name] = float(value)
        return chosen

    def predict(
        self,
        headlines: str | list[str],
        top_phrases: int = DEFAULT_TOP_PHRASES,
        threshold: float | Mapping[str, float] | None = None,
    ) -> dict | list[dict]:
        """A record per headline (see the module docstring). `threshold` overrides the model's: a
        number for the sensational head, or {category: threshold}."""
        single = isinstance(headlines, str)
        batch = [headlines] if single else list(headlines)
        records = self._records(batch, top_phrases, self.thresholds(threshold))
        return records[0] if single else records

    def framing_shares(self, headlines: list[str]) -> np.ndarray:
        """(headlines x framing types) shares, unrounded, in the order of `self.framing.types`."""
        head = self.heads[self.framing.head]
        parts = [self.framing.shares_of(batch, head.features(batch)[:3]) for batch in self._batches(headlines)]
        return np.concatenate(parts) if parts else np.zeros((0, len(self.framing.types)))

    def framing_phrases(self, headlines: str | list[str], top_phrases: int = DEFAULT_TOP_PHRASES) -> dict | list[dict]:
        """Per headline, {framing type: the phrases that raise that type's logit most}, each weight its
        exact share of the type's logit (the record's `framing` shares are the softmax of those logits),
        found as a head's phrases are. {} for a model without a framing model."""
        single = isinstance(headlines, str)
        texts = [headlines] if single else list(headlines)
        out = []
        for batch in self._batches(texts) if self.framing is not None and top_phrases > 0 else []:
            head = self.heads[self.framing.head]
            features, everyone = head.features(batch), list(range(len(batch.headlines)))
            per_type = {kind: explain(batch, name, features, everyone, top_phrases, 1.0)
                        for kind, name in zip(self.framing.types, self.framing.names)}
            out += [{name: phrases[i] for name, phrases in per_type.items()} for i in everyone]
        out = out or [{} for _ in texts]
        return out[0] if single else out

    def _batches(self, headlines: list[str]):
        """The feature pass over `headlines`, BATCH at a time."""
        for start in range(0, len(headlines), BATCH):
            yield self.feature_pass.read(headlines[start : start + BATCH])

    def _records(self, headlines: list[str], top_phrases: int, thresholds: dict[str, float]) -> list[dict]:
        with without_cycle_collection():
            return self._build_records(headlines, top_phrases, thresholds)

    def _build_records(self, headlines: list[str], top_phrases: int, thresholds: dict[str, float]) -> list[dict]:
        records = []
        for batch in self._batches(headlines):
            # Another head's phrases matter only where it flags; explaining is most of the cost of a record.
            results = {
                name: head.batch_results(batch, top_phrases, thresholds[name], only_flagged=head is not self.product)
                for name, head in self.heads.items()
            }
            for headline, in_english, *per_head in zip(batch.headlines, english(batch.headlines), *results.values()):
                per_head = dict(zip(results, per_head))
                known = sum(result["known_features"] for result in per_head.values())
                records.append(make_record(headline, self.model_info, per_head, warnings_for(headline, known, in_english)))
        return records


def _compiled(name: str, pipeline) -> FastScorer:
    """The compiled form of a fitted pipeline: the only form that scores (scikit-learn only fits)."""
    try:
        return FastScorer.from_pipeline(pipeline)
    except Unsupported as exc:
        raise Unsupported(f"head {name!r}: {exc}") from None
