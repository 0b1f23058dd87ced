"""Validators for both sides of the wire, compiled once from the schemas in `schemas/`.

Two engines read the same schema files. fastjsonschema compiles each schema to Python and answers
"valid?" some thirty times faster than jsonschema, which matters on the ingest path where nearly
every message is valid; jsonschema, the reference implementation, is asked only when the answer
is no, to explain every error. Where the two ever disagree, jsonschema's verdict stands.

jsonschema's own messages ("{'a': 1} is not valid under any of the given schemas") do not tell a
user what to change, so every error is translated into a Problem naming the field and the fix.
A schema may carry `x-message` (the reason to give) and `x-path` (the field to name when the
failure is about a combination of fields, such as "userId or anonymousId"). Every problem of a
payload is reported, not only the first, and sizes are checked here because JSON Schema cannot.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource

from contract.limits import (
    MAX_BATCH_BYTES,
    MAX_BATCH_MESSAGES,
    MAX_MESSAGE_BYTES,
    MAX_NESTING,
    encoded,
    encoded_size,
    too_deep,
)
from contract.problems import Problem, json_path
from contract.timestamps import is_utc, parse_timestamp

SEGMENT_CALL_TYPES = ("identify", "group", "track", "page", "screen", "alias")
AKITA_MESSAGE_TYPES = ("contact", "account", "event", "page")

_FORMATS = FormatChecker(formats=())


def _has_offset(value: str) -> bool:
    try:
        parse_timestamp(value)
    except ValueError:
        return False
    return True


# The same two format rules for both engines; a non-string is the `type` keyword's business.
_FORMAT_RULES = {"iso8601-offset": _has_offset, "iso8601-utc": is_utc}
for _name, _rule in _FORMAT_RULES.items():
    _FORMATS.checks(_name)(lambda value, rule=_rule: not isinstance(value, str) or rule(value))


def _load_schemas() -> dict[str, dict[str, Any]]:
    """Every schema file by its relative name, e.g. `segment/track`."""
    root = resources.files("contract") / "schemas"
    loaded = {}
    for side in ("segment", "akita", "rest"):
        for entry in (root / side).iterdir():
            if entry.name.endswith(".json"):
                loaded[f"{side}/{entry.name[:-5]}"] = json.loads(entry.read_text("utf-8"))
    return loaded


SCHEMAS: dict[str, dict[str, Any]] = _load_schemas()
_REGISTRY = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema)) for schema in SCHEMAS.values()
)
_VALIDATORS = {
    name: Draft202012Validator(schema, registry=_REGISTRY, format_checker=_FORMATS)
    for name, schema in SCHEMAS.items()
}

_GATES = {
    name: fastjsonschema.compile(
        schema,
        handlers={"https": {s["$id"]: s for s in SCHEMAS.values()}.__getitem__},
        formats=_FORMAT_RULES,
    )
    for name, schema in SCHEMAS.items()
}

_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
               int: "a number", float: "a number", type(None): "null"}


def _describe(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _reasons(error: ValidationError, root: str) -> Iterator[Problem]:
    """Turn one jsonschema error into the problems a user should read."""
    parts = list(error.absolute_path)
    custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
    if custom:
        extra = error.schema.get("x-path")
        yield Problem(json_path([*parts, extra] if extra else parts, root), custom)
        return
    validator, expected = error.validator, error.validator_value
    if validator == "required":
        for name in expected:
            if name not in error.instance:
                yield Problem(json_path([*parts, name], root), "is required")
    elif validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for name in sorted(set(error.instance) - set(allowed)):
            yield Problem(json_path([*parts, name], root),
                          f"is not a field of this message; allowed fields: {', '.join(allowed)}")
    elif validator == "type":
        names = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join("null" if n == "null" else f"{'an' if n[0] in 'aeio' else 'a'} {n}"
                             for n in names)
        yield Problem(json_path(parts, root), f"must be {wanted}, not {_describe(error.instance)}")
    elif validator == "minLength":
        reason = "must not be empty" if expected == 1 else f"must be at least {expected} characters"
        yield Problem(json_path(parts, root), reason)
    elif validator == "maxLength":
        yield Problem(json_path(parts, root),
                      f"must be at most {expected} characters, not {len(error.instance)}")
    elif validator == "const":
        yield Problem(json_path(parts, root), f"must be {json.dumps(expected)}")
    else:
        yield Problem(json_path(parts, root), error.message)


def _schema_problems(schema: str, payload: Any, root: str) -> list[Problem]:
    try:
        _GATES[schema](payload)
    except (fastjsonschema.JsonSchemaException, RecursionError):
        pass  # explained below
    else:
        return []
    found: set[Problem] = set()
    for error in _VALIDATORS[schema].iter_errors(payload):
        found.update(_reasons(error, root))
    return sorted(found)


# A lone surrogate, once encoded with "surrogatepass", is the only source of these byte pairs:
# UTF-8 proper never encodes U+D800..U+DFFF. One scan of bytes already made for the size check.
_SURROGATE_BYTES = re.compile(rb"\xed[\xa0-\xbf]")


def _has_lone_surrogate(value: Any) -> bool:
    return (isinstance(value, str) and not value.isascii()
            and any("\ud800" <= char <= "\udfff" for char in value))


def _is_non_finite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _paths_of(value: Any, bad: Callable[[Any], bool],
              parts: tuple[str | int, ...] = ()) -> Iterator[list[str | int]]:
    """Paths of the keys and values that `bad` picks out (walked only once one was found)."""
    if bad(value):
        yield list(parts)
    elif isinstance(value, dict):
        for key, child in value.items():
            if bad(key):
                yield [*parts, key]
            yield from _paths_of(child, bad, (*parts, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths_of(child, bad, (*parts, index))


def _measured(value: Any) -> int:
    """Bytes of a value that is already reported as invalid; 0 when it cannot be written."""
    if too_deep(value) is not None:
        return 0
    try:
        return encoded_size(value)
    except ValueError:
        return 0


def _checked(payload: Any, side: str, types: tuple[str, ...], root: str
             ) -> tuple[list[Problem], int | None]:
    """Validate one call or message against the schema its `type` names; with its size in
    bytes, measured once here so that a batch's size can be added up from its items' (None
    when it was not measured: it is not a message, or serialising it could exhaust recursion)."""
    if not isinstance(payload, dict):
        return [Problem(root, f"must be an object, not {_describe(payload)}")], None
    kind = payload.get("type")
    if kind not in types:
        if "type" not in payload:
            problem = Problem(json_path(["type"], root), f"is required; one of {', '.join(types)}")
        else:
            problem = Problem(json_path(["type"], root),
                              f"unknown type {json.dumps(kind)}; expected one of "
                              f"{', '.join(types)}",
                              "unsupported_type" if isinstance(kind, str) else "invalid")
        return [problem], None
    problems = _schema_problems(f"{side}/{kind}", payload, root)
    deep = too_deep(payload)
    if deep is not None:  # measured no further: serialising it could exhaust recursion
        return [*problems, Problem(json_path(deep, root), "nests objects and arrays more than "
                                                          f"{MAX_NESTING} levels deep")
                ], None
    try:
        data = encoded(payload)
    except ValueError:  # NaN or an infinity, which json.loads reads from `1e400`
        return [*problems, *(Problem(json_path(parts, root), "must be a finite number: JSON has "
                                                             "no NaN or Infinity")
                             for parts in _paths_of(payload, _is_non_finite))], None
    if _SURROGATE_BYTES.search(data):
        problems.extend(Problem(json_path(parts, root), "contains a lone UTF-16 surrogate, which "
                                                        "is not Unicode text")
                        for parts in _paths_of(payload, _has_lone_surrogate))
    size = len(data)
    if size > MAX_MESSAGE_BYTES:
        problems.append(Problem(root, f"is {size:,} bytes; a single message may be at most "
                                      f"{MAX_MESSAGE_BYTES:,} bytes (32 KB)", "too_large"))
    return problems, size


def _batch_problems(body: Any, side: str, types: tuple[str, ...]) -> list[Problem]:
    if not isinstance(body, dict):
        return [Problem("$", f"must be an object with a \"batch\" array, not {_describe(body)}")]
    batch = body.get("batch")
    if not isinstance(batch, list):
        return _schema_problems(f"{side}/batch", body, "$")
    # The envelope alone: each item is checked (and named) by _checked, and jsonschema would
    # otherwise descend into every item again, and recurse without bound into a deep one.
    problems = _schema_problems(f"{side}/batch", {**body, "batch": []}, "$")
    if len(batch) > MAX_BATCH_MESSAGES:
        problems.append(Problem("$.batch", f"holds {len(batch):,} messages; a batch may hold at "
                                           f"most {MAX_BATCH_MESSAGES:,}", "too_large"))
    item_problems: list[Problem] = []
    # Compact JSON of the body is its envelope with items and commas inside the empty array.
    size = _measured({**body, "batch": []}) + max(len(batch) - 1, 0)
    for index, entry in enumerate(batch):
        found, entry_size = _checked(entry, side, types, f"$.batch[{index}]")
        item_problems.extend(found)
        size += _measured(entry) if entry_size is None else entry_size
    if size > MAX_BATCH_BYTES:
        problems.append(Problem("$", f"is {size:,} bytes; a batch may be at most "
                                     f"{MAX_BATCH_BYTES:,} bytes (500 KB)", "too_large"))
    return [*problems, *item_problems]


def validate_segment_call(call: Any, *, root: str = "$") -> list[Problem]:
    """Every problem of one Segment call (identify, group, track, page, screen, alias).

    An empty list means the call is valid.
    """
    return _checked(call, "segment", SEGMENT_CALL_TYPES, root)[0]


def validate_segment_batch(body: Any) -> list[Problem]:
    """Every problem of a Segment `{"batch": [...]}` body, each call's under `$.batch[i]`."""
    return _batch_problems(body, "segment", SEGMENT_CALL_TYPES)


def validate_akita_message(message: Any, *, root: str = "$") -> list[Problem]:
    """Every problem of one Akita message (contact, account, event, page); [] if valid."""
    return _checked(message, "akita", AKITA_MESSAGE_TYPES, root)[0]


def validate_akita_batch(body: Any) -> list[Problem]:
    """Every problem of an Akita ingest body, each message's under `$.batch[i]`."""
    return _batch_problems(body, "akita", AKITA_MESSAGE_TYPES)


def validate_against(schema: str, payload: Any) -> list[Problem]:
    """Validate against one named schema, e.g. `akita/success` or `akita/error`."""
    return _schema_problems(schema, payload, "$")
