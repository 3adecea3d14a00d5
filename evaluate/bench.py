"""`make bench`: speed and memory of sensational beside a plain scikit-learn pipeline, in one run.

The plain pipeline is TfidfVectorizer(ngram_range=(1, 2)) + LogisticRegression, trained here on the
same training rows. Both are measured in the same run, so the ratios hold even on a busy machine
whose absolute numbers are noisy. Prints one table and writes evaluate/bench.json. This is a
measurement, not a test: nothing here asserts a time. The targets are issue 11's "Done when".

    python -m sensational.evaluate.bench [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sensational.paths import CONFIG_PATH, REPORT_DIR

TOP_PHRASES = 5

# The plain pipeline's `predict -`: one JSON line per input line, flushed per batch like ours.
PLAIN_STREAM = r"""
import json, sys, queue, threading
import joblib, numpy as np
pipeline = joblib.load(sys.argv[1])
top = int(sys.argv[2])
vectorizer, classifier = pipeline.steps[0][1], pipeline.steps[1][1]
names, coef = vectorizer.get_feature_names_out(), classifier.coef_[0]
lines = queue.Queue(maxsize=2048)
threading.Thread(target=lambda: [lines.put(l) for l in sys.stdin.buffer] + [lines.put(None)], daemon=True).start()
out, done = sys.stdout, False
while not done:
    batch = [lines.get()]
    while len(batch) < 512 and not lines.empty():
        batch.append(lines.get())
    if batch[-1] is None:
        batch.pop(); done = True
    if not batch:
        break
    texts = [b.decode("utf-8").rstrip("\r\n") for b in batch]
    X = vectorizer.transform(texts)
    scores = classifier.predict_proba(X)[:, 1]
    for i, (text, score) in enumerate(zip(texts, scores)):
        record = {"id": i, "headline": text, "score": round(float(score), 6)}
        if top:
            s, e = X.indptr[i], X.indptr[i + 1]
            contrib = X.data[s:e] * coef[X.indices[s:e]]
            record["phrases"] = [str(names[X.indices[s + j]]) for j in np.argsort(-contrib)[:top] if contrib[j] > 0]
        out.write(json.dumps(record) + "\n")
    out.flush()
"""

PLAIN_PREDICT = "import sys, joblib; print(joblib.load(sys.argv[1]).predict_proba([sys.argv[2]])[0, 1])"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for trying the benchmark out")
    parser.add_argument("--output", type=Path, default=REPORT_DIR / "bench.json")
    args = parser.parse_args(argv)
    sizes = {"batch": 10_000, "stream": 50, "memory": 50_000, "cold": 2} if args.quick else {
        "batch": 100_000, "stream": 300, "memory": 1_000_000, "cold": 5}

    with tempfile.TemporaryDirectory(prefix="sensational-bench-") as folder:
        results = run(Path(folder), sizes)
    table = format_table(results)
    print(table)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten: {args.output}")


def run(folder: Path, sizes: dict) -> dict:
    from sensational.config import load_config
    from sensational.data.loader import load_corpora

    started = datetime.now(timezone.utc)
    ours_path, plain_path = folder / "sensational.joblib", folder / "plain.joblib"
    rows = []

    def row(measure, ours, plain, unit, target=None, met=None, better="higher", note=""):
        ratio = ours / plain if plain else None
        rows.append({"measure": measure, "sensational": ours, "plain": plain, "unit": unit, "ratio": ratio,
                     "better": better, "target": target, "met": met, "note": note})
        print(f"  {measure}: {ours:.4g} vs {plain:.4g} {unit}" if plain else f"  {measure}: {ours:.4g} {unit}",
              file=sys.stderr, flush=True)

    print("training both models…", file=sys.stderr, flush=True)
    ours_train = timed(lambda: _train_ours(ours_path))
    plain_train = timed(lambda: _train_plain(plain_path, load_config, load_corpora))
    row("training on all shipped data", ours_train, plain_train, "s", "<= 60 s", ours_train <= 60, "lower")

    ours_bytes = sum(p.stat().st_size for p in folder.glob("sensational.joblib*"))
    plain_bytes = plain_path.stat().st_size
    row("model files", ours_bytes / 1e6, plain_bytes / 1e6, "MB", "<= 25 MB", ours_bytes <= 25e6, "lower")

    from sensational.predictor import Sensational
    import joblib

    ours_load = min(timed(lambda: Sensational.load(ours_path)) for _ in range(3))
    plain_load = min(timed(lambda: joblib.load(plain_path)) for _ in range(3))
    row("model load (in process)", ours_load * 1e3, plain_load * 1e3, "ms", better="lower")

    headlines = _headlines(load_config, load_corpora)
    batch = (headlines * (sizes["batch"] // len(headlines) + 1))[: sizes["batch"]]
    model, plain = Sensational.load(ours_path), joblib.load(plain_path)
    with _one_core():
        ours_rate = len(batch) / timed(lambda: model.scores(batch))
        plain_rate = len(batch) / timed(lambda: plain.predict_proba(batch))
        row(f"batch, {len(batch):,} headlines, one core", ours_rate, plain_rate, "headlines/s",
            ">= plain", ours_rate >= plain_rate)
        ours_rate = len(batch) / timed(lambda: model.predict(batch, top_phrases=TOP_PHRASES))
        plain_rate = len(batch) / timed(lambda: _plain_phrases(plain, batch))
        row(f"batch with {TOP_PHRASES} phrases, one core", ours_rate, plain_rate, "headlines/s",
            ">= 10,000/s", ours_rate >= 10_000)

    ours_cmd = _sensational_command() + ["--model", str(ours_path)]
    plain_cmd = [sys.executable, "-c", PLAIN_STREAM, str(plain_path)]
    print("streaming latency…", file=sys.stderr, flush=True)
    ours_lat = _latencies(ours_cmd + ["-"], headlines[: sizes["stream"]])
    plain_lat = _latencies(plain_cmd + [str(TOP_PHRASES)], headlines[: sizes["stream"]])
    row("stream `predict -`, p50 per headline", _pct(ours_lat, 50), _pct(plain_lat, 50), "ms", better="lower")
    p99 = _pct(ours_lat, 99)
    row("stream `predict -`, p99 per headline", p99, _pct(plain_lat, 99), "ms", "<= 5 ms", p99 <= 5, "lower")

    print("cold start…", file=sys.stderr, flush=True)
    ours_cold, plain_cold, floor = [], [], []
    for _ in range(sizes["cold"]):  # interleaved, so a change in load hits all three alike
        ours_cold.append(_wall(_sensational_command()[:-1] + ["predict", "--model", str(ours_path), "one headline"]))
        plain_cold.append(_wall([sys.executable, "-c", PLAIN_PREDICT, str(plain_path), "one headline"]))
        floor.append(_wall([sys.executable, "-c", "import sklearn.linear_model"]))
    ours_cold, plain_cold, floor = map(statistics.median, (ours_cold, plain_cold, floor))
    row("cold start `predict \"one headline\"`", ours_cold, plain_cold, "s", better="lower")
    row("cold start / bare `import sklearn.linear_model`", ours_cold / floor, plain_cold / floor, "x",
        "<= 0.3 x", ours_cold / floor <= 0.3, "lower", note=f"bare import {floor:.2f} s")

    print(f"peak memory over a {sizes['memory']:,}-line stream…", file=sys.stderr, flush=True)
    stream_file = folder / "stream.txt"
    with open(stream_file, "w", encoding="utf-8") as handle:
        for i in range(sizes["memory"]):
            handle.write(headlines[i % len(headlines)] + "\n")
    ours_mem, ours_time = _peak_memory(ours_cmd + ["--top-phrases", "0", "-"], stream_file)
    plain_mem, plain_time = _peak_memory(plain_cmd + ["0"], stream_file)
    row(f"peak memory, {sizes['memory']:,}-line stream", ours_mem / 1e6, plain_mem / 1e6, "MB", "<= 200 MB",
        ours_mem <= 200e6, "lower", note="predict - --top-phrases 0")
    row(f"stream throughput, {sizes['memory']:,} lines", sizes["memory"] / ours_time, sizes["memory"] / plain_time,
        "headlines/s", note="same run as peak memory, end to end")

    return {
        "date": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "sizes": sizes,
        "rows": rows,
    }


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _train_ours(path: Path) -> None:
    from sensational.train.training import train_model

    train_model(CONFIG_PATH, path, log=lambda message: None)


def _training_rows(load_config, load_corpora):
    """The labelled train rows of every source the model's heads learn from (as `sensational train`
    selects them, through the loader's rows_of)."""
    from sensational.config import used_sources
    from sensational.data.loader import rows_of

    sources = used_sources(load_config(CONFIG_PATH))
    table, _ = load_corpora(sources)
    return rows_of(table, "train", sources)


def _train_plain(path: Path, load_config, load_corpora) -> None:
    """The same labelled training rows as `sensational train`, in a plain pipeline."""
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rows = _training_rows(load_config, load_corpora)
    plain = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=1000))
    plain.fit(rows["text"].tolist(), rows["label"].astype(int).to_numpy())
    joblib.dump(plain, path, compress=3)


def _headlines(load_config, load_corpora) -> list[str]:
    """Every shipped headline (all corpora and splits), in a fixed shuffled order."""
    import random

    table, _ = load_corpora(load_config(CONFIG_PATH)["sources"])
    headlines = table["text"].tolist()
    random.Random(13).shuffle(headlines)
    return headlines


def _plain_phrases(pipeline, headlines: list[str]) -> list:
    """The plain pipeline's analogue of phrases: its top contributing n-grams per headline."""
    import numpy as np

    vectorizer, classifier = pipeline.steps[0][1], pipeline.steps[1][1]
    names, coef = vectorizer.get_feature_names_out(), classifier.coef_[0]
    X = vectorizer.transform(headlines)
    scores = classifier.predict_proba(X)[:, 1]
    out = []
    for i, score in enumerate(scores):
        s, e = X.indptr[i], X.indptr[i + 1]
        contributions = X.data[s:e] * coef[X.indices[s:e]]
        top = [names[X.indices[s + j]] for j in np.argsort(-contributions)[:TOP_PHRASES] if contributions[j] > 0]
        out.append((float(score), top))
    return out


class _one_core:
    """Pin this process (and BLAS) to one CPU for the duration."""

    def __enter__(self):
        from threadpoolctl import threadpool_limits

        self.cpus = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {max(self.cpus)})
        self.limits = threadpool_limits(1)

    def __exit__(self, *exc):
        self.limits.restore_original_limits()
        os.sched_setaffinity(0, self.cpus)


def _sensational_command() -> list[str]:
    script = Path(sys.executable).with_name("sensational")
    return [str(script), "predict"] if script.exists() else [sys.executable, "-m", "sensational.cli", "predict"]


def _latencies(command: list[str], headlines: list[str]) -> list[float]:
    """Seconds from writing a line to reading its record, one line at a time, after a warm-up line."""
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    measured = []
    try:
        for number, text in enumerate(["warm-up line"] + headlines):
            started = time.perf_counter()
            process.stdin.write(text.encode("utf-8") + b"\n")
            if not process.stdout.readline():
                raise RuntimeError(f"{command[0]} stopped answering")
            if number:
                measured.append(time.perf_counter() - started)
    finally:
        process.stdin.close()
        process.wait()
    return measured


def _pct(values: list[float], percentile: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percentile / 100 * (len(ordered) - 1)))] * 1e3


def _wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


# Peak memory is read in a small intermediate process: a child forked from this (large) process would
# report this process's peak as its own.
PEAK_MEMORY = """
import resource, subprocess, sys
with open(sys.argv[1], "rb") as stdin:
    code = subprocess.run(sys.argv[2:], stdin=stdin, stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
sys.exit(code)
"""


def _peak_memory(command: list[str], stream_file: Path) -> tuple[int, float]:
    """(peak resident bytes, seconds) of `command` reading `stream_file` on standard input."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK_MEMORY, str(stream_file), *command],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.strip()), time.perf_counter() - started


def format_table(results: dict) -> str:
    header = ["measure", "sensational", "plain sklearn", "ratio", "target", "met"]
    lines = []
    for r in results["rows"]:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        target = r["target"] or ""
        if r["note"]:
            target = f"{target} ({r['note']})" if target else f"({r['note']})"
        lines.append([f"{r['measure']} [{r['unit']}, {r['better']} is better]", _num(r["sensational"]),
                      _num(r["plain"]), ratio, target, met])
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines)]

    def fmt(cells):
        return "| " + " | ".join(str(c).ljust(w) if i in (0, 4) else str(c).rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    machine = results["machine"]
    title = (f"sensational bench, {results['date']}, {machine['cpus']} CPUs, load average "
             f"{', '.join(f'{x:.1f}' for x in machine['load_average'])}; ratio = sensational / plain")
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([title, "", fmt(header), rule] + [fmt(line) for line in lines])


def _num(value) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


if __name__ == "__main__":
    main()
