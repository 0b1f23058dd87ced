"""Segment calls out of files, in every shape people keep them in, read as a stream.

A file may hold JSON Lines (Segment's S3 archive: one call, or one `{"batch": [...]}` body, a
line), one call (a JSON object), a JSON array of calls, or the body of a `POST /v1/batch`;
gzipped or not. JSON Lines are read a line at a time, so a file of any size takes constant
memory, and a line that is not JSON is reported with its number while the rest go on; a file
that is one JSON document (its first line is not JSON alone) is read whole. Every call keeps
where it came from (`calls.jsonl:3`, `calls.json[2]`, `calls.jsonl:4 batch[1]`), and a
batch's calls keep the batch's `context`, `integrations` and `sentAt` for Segment's intake to
merge (`destination.pipeline.intake`).
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import IO, Any

from destination.errors import InputError

MERGED_ENVELOPE_FIELDS = ("context", "integrations")
BATCH_FIELDS = ("context", "integrations", "sentAt")  # merged into each call by the intake
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Sourced:
    """A call, where it was read (file and line, or file and position), and the batch-level
    fields of the batch it came in, if any."""

    origin: str
    call: Any
    batch: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Unreadable:
    """A line that is not a JSON value, and why: reported, then skipped."""

    origin: str
    reason: str


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
    """The calls one JSON value holds: an envelope's (with its batch fields), an array's
    items, or the value itself."""
    if is_envelope(value):
        fields = {name: value[name] for name in BATCH_FIELDS if name in value}
        for index, call in enumerate(value["batch"]):
            yield Sourced(f"{origin} batch[{index}]", call, fields)
    elif isinstance(value, list):
        for index, call in enumerate(value):
            yield Sourced(f"{origin}[{index}]", call)
    else:
        yield Sourced(origin, value)


def _parsed(line: bytes) -> tuple[Any, str | None]:
    """A line's JSON value, or the reason it has none."""
    try:
        return json.loads(line.decode("utf-8-sig")), None
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 text (byte {error.start})"
    except json.JSONDecodeError as error:
        return None, f"not a JSON line: {error.msg} (column {error.colno})"
    except RecursionError:
        return None, "not a JSON line: nested too deeply"


def line_calls(numbered: Iterable[tuple[int, bytes]], name: str) -> Iterator[Sourced | Unreadable]:
    """The calls of numbered JSON Lines, with an `Unreadable` for each line that is not JSON;
    blank lines are skipped. A part of a larger file is read the same way, numbered from
    wherever it starts."""
    for number, line in numbered:
        if not line.strip():
            continue
        value, reason = _parsed(line)
        if reason is None:
            yield from calls_in(value, f"{name}:{number}")
        else:
            yield Unreadable(f"{name}:{number}", reason)


def stream_calls(lines: Iterable[bytes], name: str) -> Iterator[Sourced | Unreadable]:
    """Every call in the lines of the file `name`, in order, with an `Unreadable` for each line
    of JSON Lines that is not JSON. InputError when the file is a JSON document that does not
    parse, naming the line and column where parsing stopped."""
    numbered = enumerate(lines, 1)
    first = next(((number, line) for number, line in numbered if line.strip()), None)
    if first is None:
        return
    value, reason = _parsed(first[1])
    if reason is None:
        yield from calls_in(value, f"{name}:{first[0]}")
        yield from line_calls(numbered, name)
        return
    # Not JSON alone: the first line begins a document spread over lines, read as one.
    text = b"".join(chain([first[1]], (line for _, line in numbered)))
    skipped = first[0] - 1
    try:
        document = json.loads(text.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: not UTF-8 text (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{name}:{error.lineno + skipped}:{error.colno}: not JSON: "
                         f"{error.msg}") from None
    yield from calls_in(document, name)


def is_json_line(line: bytes) -> bool:
    """Whether a file whose first non-blank line is `line` is JSON Lines (not one document
    spread over lines)."""
    return _parsed(line)[1] is None


@contextmanager
def opened(name: str) -> Iterator[IO[bytes]]:
    """A binary stream of the input `name` ('-' is stdin), inflated when it is gzip (by its
    first bytes, whatever its name); InputError naming it when it cannot be opened."""
    label = "<stdin>" if name == "-" else name
    try:
        raw = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
    except OSError as error:
        raise InputError(f"{label}: cannot read: {error.strerror or error}") from None
    with ExitStack() as closing:
        if name != "-":
            closing.enter_context(raw)
        peek = getattr(raw, "peek", None)
        head = peek(2)[:2] if peek else b""
        yield closing.enter_context(gzip.open(raw)) if head == GZIP_MAGIC else raw


def read_inputs(names: Sequence[str]) -> Iterator[Sourced | Unreadable]:
    """Every call of every input, in order, as they are read."""
    for name in names:
        label = "<stdin>" if name == "-" else name
        with opened(name) as stream:
            try:
                yield from stream_calls(stream, label)
            except (OSError, EOFError) as error:  # a truncated or corrupt gzip file
                raise InputError(f"{label}: cannot read: {error}") from None
