"""Saving and loading the model artifact: a joblib file plus a JSON manifest beside it.

A model file is a pickle, and unpickling runs code: load only files from a source you trust. The
manifest's SHA-256 protects against a modified, truncated or swapped file, not against a malicious
one with a matching manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import warnings
from pathlib import Path

from sensational.files import describe, open_regular, read_small, replaced_atomically

ARTIFACT_FORMAT = 2  # 2: a dict of heads, each a fitted scikit-learn pipeline
MAX_MANIFEST_BYTES = 1 << 20  # a manifest is a few hundred bytes
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ModelError(Exception):
    """The model cannot be used; the message says which file and why."""


class ModelMissing(ModelError):
    pass


class ModelInvalid(ModelError):
    pass


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def library_versions() -> dict[str, str]:
    import joblib
    import numpy
    import scipy
    import sklearn

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomically(path: Path, write) -> None:
    """Call `write(temporary_path)`, then rename over `path`: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replaced_atomically(path) as temporary:
        write(temporary)


def save_artifact(path: Path, heads: dict, metadata: dict, framing=None) -> dict:
    """Write the artifact (the heads' pipelines, the framing-type pipeline if there is one, and the
    metadata), each head's scoring form and the framing model's, and the manifest; returns the manifest.
    The framing pipeline is kept apart from `heads`: it is not a category of its own."""
    import joblib

    payload = {"format": ARTIFACT_FORMAT, "heads": heads, "metadata": metadata}
    if framing is not None:
        payload["framing"] = framing  # pickled once with the head it shares its FeatureUnion with
    write_atomically(path, lambda tmp: joblib.dump(payload, tmp, compress=3))
    compiled = {}
    scoring = {head: _save_scoring(path, head, pipeline, metadata, compiled) for head, pipeline in heads.items()}
    framing_entry, framing_scorer = _save_framing(path, framing, compiled, metadata)
    manifest = {
        "file": path.name,
        "sha256": sha256_of(path),
        "bytes": path.stat().st_size,
        "format": ARTIFACT_FORMAT,
        "libraries": metadata["libraries"],
        "created": metadata["created"],
        "data_fingerprint": metadata["data_fingerprint"],
    }
    if all(entry is not None for entry in scoring.values()):
        manifest["scoring"] = scoring
        if framing_entry is not None:
            manifest["framing"] = framing_entry
        manifest["pass"] = _save_pass(path, compiled, framing_scorer)
    text = json.dumps(manifest, indent=2) + "\n"
    write_atomically(manifest_path(path), lambda tmp: tmp.write_text(text))
    return manifest


def scoring_path(path: Path, head: str) -> Path:
    """The compact scoring form of one head, saved beside the artifact (see sensational.fast)."""
    return path.with_name(f"{path.name}.{head}.scoring.npz")


def _save_scoring(path: Path, head: str, pipeline, metadata: dict, compiled: dict) -> dict | None:
    """Write the scoring form of one head's pipeline (kept in `compiled`); its manifest entry, or None
    if it has none."""
    from sensational.fast import FastScorer, Unsupported

    target = scoring_path(path, head)
    try:
        scorer = compiled[head] = FastScorer.from_pipeline(pipeline)
        write_atomically(target, lambda tmp: _write_with(tmp, lambda handle: scorer.save(handle, metadata)))
    except Unsupported:
        target.unlink(missing_ok=True)
        return None
    return {"file": target.name, "sha256": sha256_of(target), "bytes": target.stat().st_size}


def framing_path(path: Path) -> Path:
    """The compact form of the framing-type model, saved beside the artifact (see sensational.framing)."""
    return path.with_name(f"{path.name}.framing.npz")


def _save_framing(path: Path, framing, compiled: dict, metadata: dict):
    """Write the framing model's compact form; (its manifest entry, the FramingScorer), or (None, None)."""
    from sensational.fast import Unsupported
    from sensational.framing import FramingScorer

    target = framing_path(path)
    try:
        if framing is None:
            raise Unsupported("no framing model")
        head = metadata["framing"]["head"]
        if head not in compiled:
            raise Unsupported(f"head {head!r} has no scoring form")
        scorer = FramingScorer.from_pipeline(framing, head, compiled[head])
        write_atomically(target, lambda tmp: _write_with(tmp, lambda handle: scorer.save(handle, metadata["framing"])))
    except Unsupported:
        target.unlink(missing_ok=True)  # a file left by an earlier training must not be read with this one
        return None, None
    return {"file": target.name, "sha256": sha256_of(target), "bytes": target.stat().st_size}, scorer


def pass_path(path: Path) -> Path:
    """What loading would build from the heads' vocabularies (sensational.scoring.FeaturePass.state)."""
    return path.with_name(f"{path.name}.pass.npz")


def _save_pass(path: Path, compiled: dict, framing) -> dict:
    import numpy as np

    from sensational.scoring import FeaturePass

    views = framing.views(compiled[framing.head]) if framing is not None else {}
    state = FeaturePass({**compiled, **views}).state()
    target = pass_path(path)
    write_atomically(target, lambda tmp: _write_with(tmp, lambda handle: np.savez(handle, **state)))
    return {"file": target.name, "sha256": sha256_of(target), "bytes": target.stat().st_size}


def _write_with(path: Path, write) -> None:
    with open(path, "wb") as handle:
        write(handle)


def _checked_manifest(path: Path) -> tuple[dict, str]:
    """(manifest, sha256) of an artifact whose SHA-256 matches its manifest, or a ModelError."""
    path = Path(path)
    if not path.exists():
        raise ModelMissing(f"no model at {path}: run `make train` first (or pass --model PATH)")
    manifest = _read_manifest(path)
    size = _regular_size(path)
    if isinstance(manifest.get("bytes"), int) and size != manifest["bytes"]:  # refused before hashing it
        raise ModelInvalid(
            f"{path}: {size} bytes, the manifest says {manifest['bytes']}; the file was modified, truncated or swapped"
        )
    return manifest, _check(path, manifest["sha256"])


def _read_manifest(path: Path) -> dict:
    """The manifest beside `path`, with the types loading relies on checked; ModelInvalid if not."""
    manifest_file = manifest_path(path)
    try:
        manifest = json.loads(read_small(manifest_file, MAX_MANIFEST_BYTES))
    except FileNotFoundError:
        raise ModelInvalid(f"{path}: manifest {manifest_file.name} is missing; refusing an unverified model file")
    except OSError as exc:
        raise ModelInvalid(f"{path}: manifest {manifest_file.name} cannot be read ({describe(exc)})")
    except (ValueError, RecursionError):
        manifest = None
    if not _manifest_shape_ok(manifest):
        raise ModelInvalid(f"{path}: manifest {manifest_file.name} is unreadable; refusing an unverified model file")
    return manifest


def _manifest_shape_ok(manifest) -> bool:
    def digest_ok(entry) -> bool:
        return isinstance(entry, dict) and isinstance(entry.get("sha256"), str) and bool(_SHA256.fullmatch(entry["sha256"]))

    if not digest_ok(manifest):
        return False
    scoring, libraries = manifest.get("scoring", {}), manifest.get("libraries", {})
    return (
        isinstance(libraries, dict)
        and isinstance(scoring, dict)
        and all(isinstance(head, str) and digest_ok(entry) for head, entry in scoring.items())
        and all(key not in manifest or digest_ok(manifest[key]) for key in ("framing", "pass"))
    )


def _regular_size(path: Path) -> int:
    try:
        with open_regular(path) as handle:
            return os.fstat(handle.fileno()).st_size
    except OSError as exc:
        raise ModelInvalid(f"{path}: cannot read it ({describe(exc)})")


def _check(path: Path, expected: str) -> str:
    try:
        actual = sha256_of(path)
    except OSError as exc:
        raise ModelInvalid(f"{path}: cannot read it ({describe(exc)})")
    if actual != expected:
        raise ModelInvalid(
            f"{path}: SHA-256 {actual[:16]}… does not match the manifest's {expected[:16]}…; "
            "the file was modified, truncated or swapped"
        )
    return actual


def load_scoring(path: Path):
    """({head: FastScorer}, FramingScorer or None, metadata, sha256 of the artifact, the saved state of
    its feature pass or None) from the checked
    scoring forms, without scikit-learn or unpickling; None if there are none (then use
    `load_pipelines`). A scoring form whose SHA-256 differs from the manifest's is refused like the
    artifact itself. An artifact of before the framing model has no framing entry: None."""
    path = Path(path)
    manifest, sha256 = _checked_manifest(path)
    entries = manifest.get("scoring")
    if not isinstance(entries, dict) or not entries:
        return None
    files = {head: scoring_path(path, head) for head in entries}
    digests = {files[head]: entry["sha256"] for head, entry in entries.items()}
    framing_file = framing_path(path) if "framing" in manifest else None
    if framing_file is not None:
        digests[framing_file] = manifest["framing"]["sha256"]
    saved_pass = pass_path(path) if "pass" in manifest else None
    if saved_pass is not None:
        digests[saved_pass] = manifest["pass"]["sha256"]
    for file, digest in digests.items():  # a modified file is refused even where another is missing
        if file.exists():
            _check(file, digest)
    if not all(file.exists() for file in digests):
        return None  # e.g. only the artifact and its manifest were copied
    from sensational.fast import FastScorer
    from sensational.framing import FramingScorer

    scorers, metadata = {}, {}
    for head, file in files.items():
        scorers[head], metadata = FastScorer.load(file)
    framing = FramingScorer.load(framing_file) if framing_file is not None else None
    if not metadata.get("config"):
        raise ModelInvalid(f"{path}: artifact carries no training config; refusing to load it")
    state = None
    if saved_pass is not None:
        import numpy as np

        with np.load(saved_pass, allow_pickle=False) as arrays:
            state = {key: arrays[key] for key in arrays.files}
    return scorers, framing, metadata, sha256, state


def load_artifact(path: Path) -> tuple[dict, dict, str]:
    """(heads, metadata, sha256) of a checked artifact, or a ModelError saying what is wrong."""
    heads, _, metadata, sha256 = load_pipelines(path)
    return heads, metadata, sha256


def load_pipelines(path: Path) -> tuple[dict, object, dict, str]:
    """(heads, framing pipeline or None, metadata, sha256) of a checked artifact, or a ModelError."""
    path = Path(path)
    manifest, actual = _checked_manifest(path)
    trained_with = manifest.get("libraries", {}).get("scikit-learn")
    import sklearn

    if trained_with != sklearn.__version__:
        warnings.warn(
            f"{path} was trained with scikit-learn {trained_with}, this is {sklearn.__version__}; "
            "scores may differ. Retrain with `make train`.",
            stacklevel=2,
        )
    import joblib

    with warnings.catch_warnings():
        # The version mismatch was reported above, once, in plain words.
        warnings.filterwarnings("ignore", message=".*Trying to unpickle estimator.*")
        payload = joblib.load(path)
    if not isinstance(payload, dict) or payload.get("format") != ARTIFACT_FORMAT:
        raise ModelInvalid(f"{path}: not a sensational artifact of format {ARTIFACT_FORMAT}")
    metadata = payload.get("metadata") or {}
    if not metadata.get("config"):
        raise ModelInvalid(f"{path}: artifact carries no training config; refusing to load it")
    return payload["heads"], payload.get("framing"), metadata, actual
