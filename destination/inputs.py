"""Segment calls out of text, in every shape people keep them in.

A file may hold one call (a JSON object), a JSON array of calls, JSON Lines, or the body of a
`POST /v1/batch` (`{"batch": [...]}`); an envelope's `context` and `integrations` are merged
into each call as Segment does, the call's own keys winning. Every call keeps where it came
from (`calls.jsonl:3`, `calls.json[2]`), so a reason can be traced back to its line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from destination.errors import InputError

MERGED_ENVELOPE_FIELDS = ("context", "integrations")


@dataclass(frozen=True)
class Sourced:
    """A call and where it was read (file and line, or file and position)."""

    origin: str
    call: Any


def is_envelope(value: Any) -> bool:
    """True for a Segment batch body: an object whose `batch` is an array."""
    return isinstance(value, Mapping) and isinstance(value.get("batch"), list)


def with_envelope(call: Mapping[str, Any], envelope: Mapping[str, Any]) -> dict[str, Any]:
    """The call with the envelope's `context` and `integrations` merged in one level deep, the
    call's own keys winning, as Segment does for a batch.

    The result is a new top-level object, so a gateway may stamp fields (`receivedAt`) on one
    call without touching the others; nested values are shared, not copied, and never modified.
    """
    merged = dict(call)
    for name in MERGED_ENVELOPE_FIELDS:
        outer, inner = envelope.get(name), call.get(name)
        if isinstance(outer, Mapping) and (inner is None or isinstance(inner, Mapping)):
            merged[name] = {**outer, **(inner or {})}
    return merged


def unbatch(envelope: Mapping[str, Any]) -> list[Any]:
    """The calls of a batch body, each `with_envelope`; non-objects left for validation."""
    return [with_envelope(item, envelope) if isinstance(item, Mapping) else item
            for item in envelope["batch"]]


def calls_in(value: Any, origin: str) -> Iterator[Sourced]:
    """The calls one JSON value holds: an envelope's, an array's items, or the value itself."""
    if is_envelope(value):
        for index, call in enumerate(unbatch(value)):
            yield Sourced(f"{origin} batch[{index}]", call)
    elif isinstance(value, list):
        for index, call in enumerate(value):
            yield Sourced(f"{origin}[{index}]", call)
    else:
        yield Sourced(origin, value)


def read_calls(text: str, name: str) -> list[Sourced]:
    """Every call in `text` (from the file `name`); InputError naming the line if it is not JSON.

    One JSON document is tried first; otherwise each non-blank line must be one (JSON Lines).
    A document whose first line is not JSON by itself is reported as a broken document, at the
    line and column where parsing stopped.
    """
    try:
        return list(calls_in(json.loads(text), name))
    except json.JSONDecodeError as whole:
        lines = [(number, line) for number, line in enumerate(text.splitlines(), 1)
                 if line.strip()]
        if not lines:
            return []
        if not _is_json(lines[0][1]):
            where = f"{name}:{whole.lineno}:{whole.colno}"
            raise InputError(f"{where}: not JSON: {whole.msg}") from None
    calls: list[Sourced] = []
    for number, line in lines:
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{name}:{number}: not a JSON line: {error.msg} "
                             f"(column {error.colno})") from None
        calls.extend(calls_in(value, f"{name}:{number}"))
    return calls


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return False
    return True
