"""Scoring a folder of Parquet or CSV shards with Dask: the same model and scores, on many workers.

    from dask.distributed import Client
    from sensational.distributed import score_shards

    client = Client("tcp://scheduler:8786")   # or Client(LocalCluster()) on one machine
    scored = score_shards("s3://bucket/headlines/*.parquet", model_path="/models/sensational.joblib")
    scored.to_parquet("s3://bucket/scored/")  # or scored.compute()

Each partition is scored by `Sensational.scores` with the model loaded once per worker process
(cached by path and file contents), so the output equals scoring all rows in one process. The model
file must be readable at `model_path` on every worker (a shared volume, or the same image). Needs the
`distributed` extra: pip install 'sensational[distributed]'.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sensational.config import PRODUCT_HEAD

SCORE_COLUMNS = ("score", "flagged")

_models: dict = {}
_lock = threading.Lock()


def model_for(path: str | Path | None):
    """The worker's copy of the model at `path`, loaded (and verified) on first use."""
    from sensational.paths import default_model_path
    from sensational.predictor import Sensational

    path = Path(path) if path is not None else default_model_path()
    key = (str(path.resolve()), path.stat().st_mtime_ns, path.stat().st_size)
    with _lock:
        if key not in _models:
            _models.clear()
            _models[key] = Sensational.load(path)
        return _models[key]


def score_partition(frame, model_path=None, text_column: str = "headline", threshold=None):
    """A pandas DataFrame with `score` (the sensational head's) and `flagged` (any category flags the
    row, as in a record) added; rows without text get neither. `threshold`: as Sensational.predict."""
    import pandas as pd

    model = model_for(model_path)
    thresholds = model.thresholds(threshold)
    texts = frame[text_column]
    valid = texts.map(lambda t: isinstance(t, str) and bool(t.strip()))
    out = frame.copy()
    flagged = pd.Series(False, index=frame.index)
    for name in model.heads:
        scores = pd.Series(float("nan"), index=frame.index, dtype="float64")
        if valid.any():
            scores[valid] = model.scores(texts[valid].tolist(), head=name)
        scores = scores.round(6)
        flagged |= scores >= thresholds[name]
        if name == PRODUCT_HEAD:
            out["score"] = scores
    out["flagged"] = flagged.where(valid, pd.NA).astype("boolean")
    return out


def score_frame(frame, model_path=None, text_column: str = "headline", threshold=None):
    """A dask DataFrame scored partition by partition (lazy: call .compute() or write it out)."""
    import pandas as pd

    meta = frame._meta.assign(score=pd.Series(dtype="float64"), flagged=pd.Series(dtype="boolean"))
    return frame.map_partitions(
        score_partition, model_path=model_path, text_column=text_column, threshold=threshold, meta=meta
    )


def score_shards(pattern: str, model_path=None, text_column: str = "headline", threshold=None):
    """Read Parquet (*.parquet) or CSV (anything else) shards matching `pattern` and score them."""
    import dask.dataframe as dd

    if str(pattern).endswith((".parquet", ".parq")) or Path(str(pattern)).is_dir():
        frame = dd.read_parquet(pattern)
    else:
        frame = dd.read_csv(pattern, dtype={text_column: "object"}, keep_default_na=False)
    return score_frame(frame, model_path, text_column, threshold)
