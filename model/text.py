"""Text normalisation shared by the loader (deduplication, splits) and training."""

import hashlib
import unicodedata


def normalise(text: str) -> str:
    """NFKC-normalise, drop invisible format characters (zero-width spaces and joiners, byte-order
    marks) and collapse runs of white space, so visually equal headlines compare equal."""
    visible = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf")
    return " ".join(visible.split())


def text_hash(normalised_text: str) -> int:
    """A stable 64-bit hash of a normalised headline (independent of PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.sha256(normalised_text.encode("utf-8")).digest()[:8], "big")


def split_of(normalised_text: str, dev_fraction: float = 0.1, test_fraction: float = 0.1) -> str:
    """Assign train / dev / test by hash, so a headline and its duplicates always share a split."""
    bucket = (text_hash(normalised_text) % 10_000) / 10_000
    if bucket < test_fraction:
        return "test"
    if bucket < test_fraction + dev_fraction:
        return "dev"
    return "train"
