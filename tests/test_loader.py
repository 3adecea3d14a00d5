import gzip
import json

import pytest

from sensational.data.loader import DataError, load_corpora
from sensational.text import normalise, split_of


def table_source(path, **options):
    return {"format": "table", "path": str(path), "text_column": "headline", "label_column": "label", **options}


def test_loader_yields_one_table_with_the_documented_columns(tiny_config, tmp_path):
    from sensational.config import load_config

    table, report = load_corpora(load_config(tiny_config)["sources"])
    assert list(table.columns) == ["text", "label", "score", "corpus", "split", "source_row", "held_out", "tags"]
    assert set(table["corpus"]) == {"chak", "webis", "own"}
    assert set(table["split"]) <= {"train", "dev", "test"}
    assert report.corpora["webis"].empty == 1  # the null postText
    webis = table[table["corpus"] == "webis"]
    assert set(webis["score"]) == {0.8, 0.1}  # graded truthMean is kept as the score


def test_bad_utf8_names_file_and_row(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "clickbait.txt").write_bytes(b"fine headline\nbad \xff byte\n")
    (tmp_path / "c" / "non_clickbait.txt").write_text("ok\n")
    with pytest.raises(DataError, match=r"clickbait.txt, row 2: not valid UTF-8"):
        load_corpora({"c": {"format": "chakraborty", "path": str(tmp_path / "c")}})


@pytest.mark.parametrize(
    "line, problem",
    [
        ("{not json", "malformed JSON"),
        ('{"postText": "x", "truthMean": 0.5, "truthClass": "maybe"}', "truthClass is 'maybe'"),
        ('{"postText": "x", "truthMean": 1.5, "truthClass": "clickbait"}', r"truthMean is 1.5"),
        ('{"postText": 3, "truthMean": 0.5, "truthClass": "clickbait"}', "postText is int"),
    ],
)
def test_webis_validation(tmp_path, line, problem):
    path = tmp_path / "posts.jsonl.gz"
    good = json.dumps({"postText": "fine", "truthMean": 0.2, "truthClass": "no-clickbait"})
    with gzip.open(path, "wt") as handle:
        handle.write(good + "\n" + line + "\n")
    with pytest.raises(DataError, match=rf"posts.jsonl.gz, row 2: {problem}"):
        load_corpora({"w": {"format": "webis", "path": str(path)}})


def test_table_validation_names_row(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("headline,label\nfine,1\nalso fine,yes\n")
    with pytest.raises(DataError, match=r"own.csv, row 3: label is 'yes', expected 0 or 1"):
        load_corpora({"own": table_source(path)})
    path.write_text("headline,label\nfine,1\ntoo,many,fields\n")
    with pytest.raises(DataError, match=r"own.csv, row 3: wrong number of fields"):
        load_corpora({"own": table_source(path)})
    path.write_text("title,label\nfine,1\n")
    with pytest.raises(DataError, match=r"own.csv, row 2: no column 'headline'"):
        load_corpora({"own": table_source(path)})


def test_framing_tags_are_carried_through_and_empty_means_unknown(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("headline,label,tags\nA,1,\"shock, Alarm,shock\"\nB,0,-\nC,1,\nD,1,conflict\n")
    table, _ = load_corpora({"own": table_source(path, tags_column="tags")})
    assert dict(zip(table["text"], table["tags"])) == {"A": ("alarm", "shock"), "B": (), "C": None, "D": ("conflict",)}
    untagged, _ = load_corpora({"own": table_source(path)})
    assert untagged["tags"].isna().all()  # a source without a tags column is not tagged: unknown
    path.write_text("headline,label,tags\nA,1,\"shock,,alarm\"\n")
    with pytest.raises(DataError, match=r"own.csv, row 2: tags is 'shock,,alarm'"):
        load_corpora({"own": table_source(path, tags_column="tags")})


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="unknown format"):
        load_corpora({"x": {"format": "excel", "path": "x"}})
    with pytest.raises(DataError, match="file or folder missing"):
        load_corpora({"x": {"format": "table", "path": str(tmp_path / "nope.csv")}})


def test_empty_and_duplicates_are_dropped_and_counted(tmp_path):
    path = tmp_path / "own.jsonl"
    rows = [
        {"headline": "Same  headline", "label": 1},
        {"headline": "Same headline ", "label": 1},  # equal after white-space normalisation
        {"headline": "Ｆｕｌｌｗｉｄｔｈ", "label": 0},
        {"headline": "Fullwidth", "label": 0},  # equal after NFKC
        {"headline": "   ", "label": 0},
        {"headline": "Disputed", "label": 0},
        {"headline": "Disputed", "label": 1},
        {"headline": "Kept", "label": 0},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    table, report = load_corpora({"own": table_source(path)})
    counts = report.corpora["own"]
    assert (counts.read, counts.empty, counts.duplicates, counts.conflicting, counts.kept) == (8, 1, 2, 2, 3)
    assert sorted(table["text"]) == ["Fullwidth", "Kept", "Same headline"]
    assert counts.conflict_examples == ["Disputed"]


def test_unlabelled_source_loads_with_missing_labels(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("headline\nOne\nTwo\n")
    table, _ = load_corpora({"plain": table_source(path, label_column="")})
    assert table["label"].isna().all() and len(table) == 2


def test_split_is_deterministic_and_follows_the_normalised_text():
    texts = [f"Headline number {i}" for i in range(2000)]
    first = [split_of(normalise(t)) for t in texts]
    assert first == [split_of(normalise(t)) for t in texts]
    assert split_of(normalise("A  duplicate\theadline")) == split_of(normalise("A duplicate headline"))
    shares = {s: first.count(s) / len(first) for s in ("train", "dev", "test")}
    assert 0.75 < shares["train"] < 0.85 and 0.07 < shares["dev"] < 0.13 and 0.07 < shares["test"] < 0.13
