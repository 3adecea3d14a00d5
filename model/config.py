"""Reading the training config (TOML), checked against a typed schema.

The schema is the dataclasses below: a key the schema does not have, a value of the wrong type or a
missing required key is a ConfigError naming the key (`heads.sensational.C: expected a number, got
'four'`). A `path` is relative to the folder holding the config file (an absolute one is taken as it
is) and must exist (`[sources.gossipcop] path: ../data/x.csv not found`). `read_config` gives the
typed `Config`; `load_config` checks the same way and returns the plain dict the training and
evaluation code reads, with every path made absolute, so the dict means the same files wherever it
is read from (the artifact records it, beside the config file's own path). `variant` makes a new
config from one with some keys overridden, checked the same way: tuning and evaluation's ablations
build their configs with it instead of editing dicts.
"""

import copy
import dataclasses
import os
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

    path: Path


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
    path: Path
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
    return _checked(_read(path), path, Path(path).parent)


def load_config(path: Path) -> dict:
    """The config at `path` as a dict, checked as read_config checks it, its paths made absolute."""
    table = _read(path)
    return _plain(_checked(table, path, Path(path).parent), table)


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})")


def _checked(table: dict, source, folder: Path) -> Config:
    """`table` as a Config; `source` names it in errors, relative paths are taken from `folder`."""
    config = _build(Config, table, source, "", folder)
    if PRODUCT_HEAD not in config.heads:
        raise ConfigError(f"{source}: missing [heads.{PRODUCT_HEAD}], the head that gives the product's score")
    for name, head in config.heads.items():
        unknown = sorted(set(head.sources) - set(config.sources))
        if unknown:
            raise ConfigError(f"{source}: [heads.{name}] names unknown source(s) {', '.join(unknown)}")
        if not any(weight > 0 for weight in head.sources.values()):
            raise ConfigError(f"{source}: [heads.{name}] has no source with a positive weight")
    if config.framing is not None and len(set(config.framing.types)) < 2:
        raise ConfigError(f"{source}: [framing] types: at least two distinct framing types")
    return config


def _build(kind, value, source, where: str, folder: Path):
    """`value` (from TOML) as `kind`, a schema dataclass or a field's type; `where` names the place."""
    if dataclasses.is_dataclass(kind):
        section = f"[{where}] " if where else ""
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {where or 'config'}: expected a table, got {value!r}")
        fields = {f.name: f for f in dataclasses.fields(kind)}
        unknown = sorted(set(value) - set(fields))
        if unknown:
            raise ConfigError(f"{source}: {section}unknown key {unknown[0]!r} (known: {', '.join(fields)})")
        missing = [name for name, f in fields.items() if name not in value and f.default is dataclasses.MISSING
                   and f.default_factory is dataclasses.MISSING]
        if missing:
            raise ConfigError(f"{source}: {section}missing {missing[0]!r}")
        hints = typing.get_type_hints(kind)
        return kind(**{name: _build(hints[name], item, source, f"{where}.{name}" if where else name, folder)
                       for name, item in value.items()})
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in arguments:
            return None
        (kind,) = [a for a in arguments if a is not type(None)]
        return _build(kind, value, source, where, folder)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {where}: expected a table, got {value!r}")
        return {key: _build(arguments[1], item, source, f"{where}.{key}", folder) for key, item in value.items()}
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{source}: {where}: expected a list, got {value!r}")
        return [_build(arguments[0], item, source, where, folder) for item in value]
    if origin is tuple:
        if not isinstance(value, list) or len(value) != len(arguments):
            raise ConfigError(f"{source}: {where}: expected a list of {len(arguments)} values, got {value!r}")
        return tuple(_build(a, item, source, where, folder) for a, item in zip(arguments, value))
    if kind is Path:
        _build(str, value, source, where, folder)
        # abspath, not resolve(): `..` is folded away but a linked folder keeps the name it was given.
        resolved = Path(os.path.abspath(folder / value))
        if not resolved.exists():
            section, _, key = where.rpartition(".")
            raise ConfigError(f"{source}: [{section}] {key}: {value} not found (looked for {resolved})")
        return resolved
    expected = {int: (int,), float: (int, float), bool: (bool,), str: (str,), object: (object,)}[kind]
    if not isinstance(value, expected) or (kind in (int, float) and isinstance(value, bool)):
        name = {int: "a whole number", float: "a number", bool: "true or false", str: "a string"}[kind]
        raise ConfigError(f"{source}: {where}: expected {name}, got {value!r}")
    return value


def _plain(typed, table):
    """`table` (as read) rebuilt with each path made absolute as `_build` made it; keys left out of
    `table` stay out, so the dict says what the file says, not the schema's defaults."""
    if isinstance(table, dict):
        item = typed.__getitem__ if isinstance(typed, dict) else lambda key: getattr(typed, key)
        return {key: _plain(item(key), value) for key, value in table.items()}
    if isinstance(table, list):
        return [_plain(t, value) for t, value in zip(typed, table)]
    return str(typed) if isinstance(typed, Path) else table


# An override's first name is looked up here; `sources` is the head's weights, not the source list.
HEAD_KEYS = frozenset(f.name for f in dataclasses.fields(Head))
SECTIONS = frozenset(f.name for f in dataclasses.fields(Config)) - HEAD_KEYS


def variant(config: dict, head: str, /, **overrides) -> dict:
    """A new config: `config` (as load_config gives it) with `overrides` for one of its heads, checked
    as load_config checks a file (an unknown key or a wrong type is a ConfigError naming it).

    Each override is a dotted key and the value that replaces what is there (None removes it): a
    key of the config's sections (`features.min_df`, `lexicon` = None for no lexicon, `heads.NAME`
    for a whole head) or else of the head (`C`, `semantic_weight`, `sources` for all its source
    weights, `sources.NAME` for one). A relative path is taken from the current folder, as a path
    given on the command line is. `config` is left as it was."""
    if head not in config["heads"]:
        raise ConfigError(f"variant: no head {head!r}; the config has {', '.join(config['heads'])}")
    table = copy.deepcopy(config)  # deep: the overrides write into nested tables
    for key, value in overrides.items():
        names = key.split(".")
        if names[0] not in SECTIONS:
            names = ["heads", head, *names]
        place = table
        for depth, name in enumerate(names[:-1], start=1):
            place = place.setdefault(name, {})
            if not isinstance(place, dict):
                raise ConfigError(f"variant: {'.'.join(names[:depth])}: expected a table, got {place!r}")
        if value is None:
            place.pop(names[-1], None)
        else:
            place[names[-1]] = value
    return _plain(_checked(table, "variant", Path()), table)


def head_sources(config: dict, head: str) -> dict[str, float]:
    """The sources a head learns from, with their positive weights."""
    return {name: float(w) for name, w in config["heads"][head]["sources"].items() if w > 0}


def used_sources(config: dict) -> dict[str, dict]:
    """The source specs any head learns from, in config order."""
    used = {name for head in config["heads"] for name in head_sources(config, head)}
    return {name: spec for name, spec in config["sources"].items() if name in used}
