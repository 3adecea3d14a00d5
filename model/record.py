"""The output record: its fields declared once, laid out by `make_record` and described by
`record_schema`, the JSON Schema that `sensational schema` prints and the service publishes.

A record's `categories` are the model's heads, so its schema is built from them: the committed
model/schema/record.schema.json is this module's output for the shipped model (a test keeps it so).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sensational.config import PRODUCT_HEAD
from sensational.coverage import CODES
from sensational.inputs import MAX_CHARS

# 2: the clickbait head's result as `clickbait`. 3: `flagged` is any category's flag, `categories`
# holds each head's score, flag and threshold, phrases name their head, and `warnings`.
SCHEMA_VERSION = 3

PROBABILITY = {"type": "number", "minimum": 0, "maximum": 1}


@dataclass(frozen=True)
class Field:
    """One field of a record: its JSON Schema on every record (description included), what that
    narrows to on a scored record and on an error record, whether every record has it, and whether
    the CLI and the service add it around what `make_record` lays out."""

    schema: dict
    scored: dict | None = None
    failed: dict | None = None
    always: bool = True
    added: bool = False


# Each category (one per head) has these; `strength` only a head fitted with a graded strength,
# `framing` only the head a framing-type model reads.
CATEGORY_FIELDS = {
    "score": {"description": "Calibrated probability of the category, 0-1.", **PROBABILITY},
    "flagged": {
        "description": "score >= threshold, where the head knows at least one of the headline's features (one it knows "
        "nothing of scores the head's prior and is never flagged; `warnings` has `no_features` when no head knows any).",
        "type": "boolean",
    },
    "threshold": {"description": "The threshold used: the head's own, chosen on dev, unless the call set one.", **PROBABILITY},
    "strength": {
        "description": "Graded strength 0-1: an isotonic map of the head's logit to a graded source's mean judgment, "
        "fitted on dev (clickbait: the Webis crowd's truthMean).",
        **PROBABILITY,
    },
    "framing": {
        "description": "The share of each framing type of the annotation guideline (alarm, gloating, conflict, shock, "
        "hyperbole, teaser) in the headline's framing, 0-1, summing to 1 (to within rounding to 6 decimals): a softmax "
        "of one linear logit per type over the head's features. On every scored record, flagged or not: it says which "
        "kind of framing the wording leans to, not whether it is sensational.",
        "type": "object",
        "propertyNames": {"pattern": "^[a-z]+$"},
        "additionalProperties": PROBABILITY,
        "minProperties": 2,
    },
}
GRADED, FRAMING = "strength", "framing"

PHRASE_FIELDS = {
    "text": {"description": "The phrase as it stands in the headline.", "type": "string"},
    "start": {"description": "Character offset into headline.", "type": "integer", "minimum": 0},
    "end": {"description": "Character offset into headline, after the phrase.", "type": "integer", "minimum": 0},
    "weight": {"description": "The phrase's exact share of its head's calibrated logit.", "type": "number"},
    "category": {
        "description": "Lexicon or style category (alarm, gloating, curiosity, style:caps, ...); null for a plain n-gram.",
        "type": ["string", "null"],
    },
    "head": {"description": "The category (key of `categories`) whose score this phrase explains.", "type": "string"},
}

RECORD_FIELDS = {
    "id": Field(
        {
            "description": "The row's own id, a string or an integer: from the input's id column or field if it has one "
            "(--id-column, default `id`), else the line, row or argument number; a service item's `id`, else its "
            "item number. On an error record from an input with the id column whose own id could not be read "
            "(missing, empty, or not a string or integer) it is \"\": never a number that could equal another row's id.",
            "type": ["string", "integer"],
        },
        added=True,
    ),
    "headline": Field(
        {
            "description": f"The headline as scored (the first {MAX_CHARS:,} characters if truncated); null when it "
            "could not be read.",
            "type": ["string", "null"],
        },
        scored={"type": "string"},
    ),
    "flagged": Field(
        {
            "description": "True when any category flags the headline: the one field a moderation queue routes on. "
            "Null on an error record.",
            "type": ["boolean", "null"],
        },
        scored={"type": "boolean"},
        failed={"type": "null"},
    ),
    "score": Field(
        {
            "description": f"Probability of sensationalist framing (categories.{PRODUCT_HEAD}.score); null on an error record.",
            **PROBABILITY,
            "type": ["number", "null"],
        },
        scored={"type": "number"},
        failed={"type": "null"},
    ),
    "categories": Field(
        {"description": "Each category's score, flag and threshold, by name: one per head of the model. Null on an error record.",
         "type": ["object", "null"]},
        scored={"type": "object"},
        failed={"type": "null"},
    ),
    "phrases": Field(
        {
            "description": "The spans that pushed a category's score up most, highest first within each category: "
            f"the {PRODUCT_HEAD} head's always, another head's only where it flags the headline. Empty on an error "
            "record or with --top-phrases 0.",
            "type": "array",
            "items": {"type": "object", "required": list(PHRASE_FIELDS), "properties": PHRASE_FIELDS},
        },
        failed={"maxItems": 0},
    ),
    "warnings": Field(
        {
            "description": "Machine codes for what the model could not read; empty when none. "
            + " ".join(f"`{code}`: {meaning}." for code, meaning in CODES.items()),
            "type": "array",
            "items": {"enum": list(CODES)},
            "uniqueItems": True,
        },
    ),
    "model": Field(
        {
            "description": "The model that scored the row: its name and fingerprint (the first 16 hex digits of the "
            "artifact's SHA-256).",
            "type": "object",
            "required": ["name", "fingerprint"],
            "properties": {"name": {"type": "string"}, "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{16}$"}},
        },
    ),
    "schema_version": Field({"description": "The version of this record format.", "const": SCHEMA_VERSION}, added=True),
    "truncated": Field(
        {
            "description": f"Present and true when the headline was longer than {MAX_CHARS:,} characters and only its "
            "start was scored.",
            "type": "boolean",
        },
        always=False,
        added=True,
    ),
    "error": Field(
        {"description": "Present when the row could not be scored: where it is in the input and why.", "type": "string"},
        always=False,
    ),
}


def make_record(headline: str | None, model_info: dict, per_head: dict | None = None, warnings=(), error=None) -> dict:
    """The one place a record's fields are laid out, scored (`per_head`: each head's result from
    Head.results) or not (`error`). The CLI and the service add the fields declared `added`."""
    if error is not None:
        flagged = score = categories = None
        phrases = []
    else:
        categories = {name: {key: r[key] for key in CATEGORY_FIELDS if key in r} for name, r in per_head.items()}
        flagged = any(r["flagged"] for r in per_head.values())
        score = per_head[PRODUCT_HEAD]["score"]
        phrases = [phrase for r in per_head.values() for phrase in r["phrases"]]  # each names its head
    record = {
        "headline": headline,
        "flagged": flagged,
        "score": score,
        "categories": categories,
        "phrases": phrases,
        "warnings": list(warnings),
        "model": model_info,
    }
    if error is not None:
        record["error"] = error
    return record


def record_schema(heads: Mapping[str, object]) -> dict:
    """The JSON Schema of the records of a model with these heads ({name: Head}; only whether a head
    has a graded `strength` is read). Self-contained (no $ref), so the service can embed it."""
    categories = {name: _category(category_fields(head)) for name, head in heads.items()}
    properties = {name: field.schema for name, field in RECORD_FIELDS.items()}
    properties["categories"] = {
        **properties["categories"], "properties": categories, "required": list(categories), "additionalProperties": False,
    }
    # A deep copy, so a caller that edits its schema cannot edit the declarations above.
    return copy.deepcopy({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "sensational output record",
        "description": "One record per input row, as written by `sensational predict` (jsonl) and returned by "
        f"POST /v1/score (schema_version {SCHEMA_VERSION}), for a model whose categories are "
        f"{', '.join(categories)}; `sensational schema` prints it for a model. A row that could not be scored has "
        "flagged, score and categories null and an error. Fields passed through with --keep-column appear as "
        "additional properties.",
        "type": "object",
        "required": [name for name, field in RECORD_FIELDS.items() if field.always],
        "properties": properties,
        "additionalProperties": True,
        "if": {"required": ["error"]},
        "then": {"properties": {name: field.failed for name, field in RECORD_FIELDS.items() if field.failed}},
        "else": {"properties": {name: field.scored for name, field in RECORD_FIELDS.items() if field.scored}},
    })


def category_fields(head) -> list[str]:
    """The fields of a head's category, in CATEGORY_FIELDS order: `strength` only for a head with a
    graded strength, `framing` only for the head a framing-type model reads."""
    has = {GRADED: getattr(head, GRADED, None) is not None, FRAMING: getattr(head, FRAMING, None) is not None}
    return [key for key in CATEGORY_FIELDS if has.get(key, True)]


def _category(names: list[str]) -> dict:
    fields = {key: CATEGORY_FIELDS[key] for key in names}
    return {
        "description": "One category (a head of the model): its score, whether it flags the headline and the threshold "
        "used" + (", its graded strength" if GRADED in fields else "") + (", and its framing-type shares." if FRAMING in fields else "."),
        "type": "object",
        "required": list(fields),
        "properties": fields,
        "additionalProperties": False,
    }


def schema_text(model_path: Path | str | None = None) -> str:
    """What `sensational schema` prints: the record schema of the model at `model_path` (default:
    the one `make train` wrote) as JSON text; model/schema/record.schema.json is this for the
    shipped model. Raises ModelError for a missing or invalid model."""
    from sensational.predictor import Sensational

    return json.dumps(record_schema(Sensational.load(model_path).heads), indent=2, ensure_ascii=False) + "\n"
