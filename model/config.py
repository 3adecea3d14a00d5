"""Reading the training config (TOML)."""

import tomllib
from pathlib import Path


class ConfigError(ValueError):
    pass


REQUIRED_SECTIONS = ("features", "classifier", "threshold", "sources")


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
    return config
