"""Reading the training config (TOML)."""

import tomllib
from pathlib import Path


class ConfigError(ValueError):
    pass


REQUIRED_SECTIONS = ("features", "classifier", "heads", "sources")
PRODUCT_HEAD = "sensational"


def load_config(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            config = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})")
    missing = [section for section in REQUIRED_SECTIONS if section not in config]
    if missing:
        raise ConfigError(f"{path}: missing section(s) {', '.join(missing)}")
    if "seed" not in config:
        raise ConfigError(f"{path}: missing 'seed'")
    if PRODUCT_HEAD not in config["heads"]:
        raise ConfigError(f"{path}: missing [heads.{PRODUCT_HEAD}], the head that gives the product's score")
    for name, head in config["heads"].items():
        unknown = sorted(set(head.get("sources", {})) - set(config["sources"]))
        if unknown:
            raise ConfigError(f"{path}: [heads.{name}] names unknown source(s) {', '.join(unknown)}")
        if not any(weight > 0 for weight in head.get("sources", {}).values()):
            raise ConfigError(f"{path}: [heads.{name}] has no source with a positive weight")
        if "C" not in head:
            raise ConfigError(f"{path}: [heads.{name}] missing 'C'")
    return config


def head_sources(config: dict, head: str) -> dict[str, float]:
    """The sources a head learns from, with their positive weights."""
    return {name: float(w) for name, w in config["heads"][head]["sources"].items() if w > 0}


def used_sources(config: dict) -> dict[str, dict]:
    """The source specs any head learns from, in config order."""
    used = {name for head in config["heads"] for name in head_sources(config, head)}
    return {name: spec for name, spec in config["sources"].items() if name in used}
