"""Scoring Parquet and CSV shards with Dask on a LocalCluster gives the single-process scores."""

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from sensational.distributed import score_shards  # noqa: E402
from sensational.predictor import Sensational  # noqa: E402

from .conftest import CLICKBAIT, NEUTRAL, SENSATIONAL  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def frame():
    headlines = (CLICKBAIT + NEUTRAL + SENSATIONAL) * 3
    return pd.DataFrame({"id": range(len(headlines)), "headline": headlines, "desk": "world"})


def expected(model_path, frame):
    records = Sensational.load(model_path).predict(frame["headline"].tolist(), top_phrases=0)
    return [r["score"] for r in records], [r["flagged"] for r in records]


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_shards_score_like_one_process(client, tiny_model, frame, tmp_path, kind):
    shards = [frame.iloc[i::3] for i in range(3)]
    for number, shard in enumerate(shards):
        target = tmp_path / f"part-{number}.{kind}"
        shard.to_parquet(target) if kind == "parquet" else shard.to_csv(target, index=False)
    scored = score_shards(str(tmp_path / f"part-*.{kind}"), model_path=tiny_model)
    result = client.compute(scored).result(timeout=120).sort_values("id")
    scores, flags = expected(tiny_model, frame)
    assert result["id"].tolist() == frame["id"].tolist()
    assert result["score"].tolist() == scores
    assert result["flagged"].tolist() == flags
    assert (result["desk"] == "world").all()


def test_rows_without_text_get_no_score(client, tiny_model, tmp_path):
    frame = pd.DataFrame({"id": [1, 2, 3], "headline": ["Senate passes budget bill", "", None]})
    frame.to_parquet(tmp_path / "part-0.parquet")
    result = client.compute(score_shards(str(tmp_path / "*.parquet"), model_path=tiny_model)).result(timeout=120)
    assert result["score"].notna().tolist() == [True, False, False]
    assert result["flagged"].isna().tolist() == [False, True, True]
