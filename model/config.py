"""Reading the training config (TOML), checked against a typed schema.

The schema is the dataclasses below: a key the schema does not have, a value of the wrong type or a
missing required key is a ConfigError naming the key (`[heads.sensational] C: expected a number,
got 'four'`). `read_config` gives the typed `Config`; `load_config` checks the same way and returns
the plain dict the training and evaluation code reads (and the artifact records).
"""

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(ValueError):
    pass


PRODUCT_HEAD = "sensational"


@dataclass(frozen=True)
class Features:
    word_ngram_range: tuple[int, int]
    char_ngram_range: tuple[int, int]
    min_df: int
    sublinear_tf: bool


@dataclass(frozen=True)
class Classifier:
    max_iter: int


@dataclass(frozen=True)
class File:
    """[lexicon] or [semantic]: a file the model is built from."""

    path: str


@dataclass(frozen=True)
class Head:
    C: float
    sources: dict[str, float]  # source -> weight of its rows (0 leaves it out)
    soft_targets: bool = False
    semantic_weight: float = 0.0
    calibrate: bool = False
    strength_source: str | None = None


@dataclass(frozen=True)
class Source:
    format: str
    path: str
    text_column: str | None = None
    label_column: str | None = None
    score_column: str | None = None
    where: dict[str, object] = field(default_factory=dict)
    only_label: int | None = None
    held_out: str | None = None
    test_only: bool = False
    annotated: bool = False
    tags_column: str | None = None  # comma-separated framing types; "-" none, empty: not tagged (unknown)


@dataclass(frozen=True)
class Framing:
    """The framing-type shares of the product head: a multinomial logistic regression over its
    features, fitted on its train rows that carry tags. A tag outside `types` is dropped."""

    C: float
    types: list[str]
    min_df: int = 1  # a column it learns from must be nonzero in this many of its training headlines


@dataclass(frozen=True)
class Config:
    seed: int
    features: Features
    classifier: Classifier
    heads: dict[str, Head]
    sources: dict[str, Source]
    lexicon: File | None = None
    semantic: File | None = None
    framing: Framing | None = None


def read_config(path: Path) -> Config:
    """The config at `path`, typed; ConfigError for anything that does not fit the schema."""
    return _checked(path, _read(path))


def load_config(path: Path) -> dict:
    """The config at `path` as a dict, checked as read_config checks it."""
    table = _read(path)
    _checked(path, table)
    return table


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})")


def _checked(path: Path, table: dict) -> Config:
    config = _build(Config, table, path, "")
    if PRODUCT_HEAD not in config.heads:
        raise ConfigError(f"{path}: missing [heads.{PRODUCT_HEAD}], the head that gives the product's score")
    for name, head in config.heads.items():
        unknown = sorted(set(head.sources) - set(config.sources))
        if unknown:
            raise ConfigError(f"{path}: [heads.{name}] names unknown source(s) {', '.join(unknown)}")
        if not any(weight > 0 for weight in head.sources.values()):
            raise ConfigError(f"{path}: [heads.{name}] has no source with a positive weight")
    if config.framing is not None and len(set(config.framing.types)) < 2:
        raise ConfigError(f"{path}: [framing] types: at least two distinct framing types")
    return config


def _build(kind, value, path: Path, where: str):
    """`value` (from TOML) as `kind`, a schema dataclass or a field's type; `where` names the place."""
    if dataclasses.is_dataclass(kind):
        section = f"[{where}] " if where else ""
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: {where or 'config'}: expected a table, got {value!r}")
        fields = {f.name: f for f in dataclasses.fields(kind)}
        unknown = sorted(set(value) - set(fields))
        if unknown:
            raise ConfigError(f"{path}: {section}unknown key {unknown[0]!r} (known: {', '.join(fields)})")
        missing = [name for name, f in fields.items() if name not in value and f.default is dataclasses.MISSING
                   and f.default_factory is dataclasses.MISSING]
        if missing:
            raise ConfigError(f"{path}: {section}missing {missing[0]!r}")
        hints = typing.get_type_hints(kind)
        return kind(**{name: _build(hints[name], item, path, f"{where}.{name}" if where else name) for name, item in value.items()})
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in arguments:
            return None
        (kind,) = [a for a in arguments if a is not type(None)]
        return _build(kind, value, path, where)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: {where}: expected a table, got {value!r}")
        return {key: _build(arguments[1], item, path, f"{where}.{key}") for key, item in value.items()}
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{path}: {where}: expected a list, got {value!r}")
        return [_build(arguments[0], item, path, where) for item in value]
    if origin is tuple:
        if not isinstance(value, list) or len(value) != len(arguments):
            raise ConfigError(f"{path}: {where}: expected a list of {len(arguments)} values, got {value!r}")
        return tuple(_build(a, item, path, where) for a, item in zip(arguments, value))
    expected = {int: (int,), float: (int, float), bool: (bool,), str: (str,), object: (object,)}[kind]
    if not isinstance(value, expected) or (kind in (int, float) and isinstance(value, bool)):
        name = {int: "a whole number", float: "a number", bool: "true or false", str: "a string"}[kind]
        raise ConfigError(f"{path}: {where}: expected {name}, got {value!r}")
    return value


def head_sources(config: dict, head: str) -> dict[str, float]:
    """The sources a head learns from, with their positive weights."""
    return {name: float(w) for name, w in config["heads"][head]["sources"].items() if w > 0}


def used_sources(config: dict) -> dict[str, dict]:
    """The source specs any head learns from, in config order."""
    used = {name for head in config["heads"] for name in head_sources(config, head)}
    return {name: spec for name, spec in config["sources"].items() if name in used}
