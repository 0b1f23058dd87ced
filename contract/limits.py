"""Size limits both sides of the wire share, and the one way to measure a payload against them.

Segment rejects a call over 32 KB and a batch over 500 KB or 2,500 calls; Akita is modelled with
the same limits so that anything Segment accepts fits in one Akita request.
"""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MAX_BATCH_MESSAGES = 2500
MAX_MESSAGE_ID_LENGTH = 100


def encoded(payload: Any) -> bytes:
    """`payload` as compact UTF-8 JSON: what goes on the wire, whoever indents it.

    A body may escape a lone surrogate (`"\\ud800"`) and json.loads keeps it; it is encoded as
    its three bytes rather than allowed to crash whatever measures it. NaN and the infinities
    (json.loads reads `1e400` as one) raise ValueError: JSON has no way to write them.
    """
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8", "surrogatepass")


def encoded_size(payload: Any) -> int:
    """Bytes of `payload` on the wire (see `encoded`)."""
    return len(encoded(payload))


MAX_NESTING = 64
"""Levels of objects and arrays one call or message may nest (the call itself is level 1).

Not a published Segment or Akita limit but this project's (an assumption): real traits and
properties nest a few levels, and a fixed limit keeps a pathological value from exhausting
recursion in whatever stores, validates or renders it. Because the contract checks it per
message, a batch with one such message rejects that message, not the whole batch.
"""


def nests_deeper(payload: Any, limit: int) -> bool:
    """Whether objects and arrays nest more than `limit` levels deep (the payload is level 1).

    Walked level by level, without recursion, so any depth Python could parse is measured; no
    paths are built, since nearly every payload passes (the ingest path asks for every message).
    """
    level = [payload] if isinstance(payload, dict | list) else []
    for _ in range(limit):
        level = [child
                 for container in level
                 for child in (container.values() if isinstance(container, dict) else container)
                 if isinstance(child, dict | list)]
        if not level:
            return False
    return True


def too_deep(payload: Any, limit: int = MAX_NESTING) -> list[str | int] | None:
    """The path of the first object or array nested deeper than `limit`, else None.

    The cheap walk answers for nearly every payload; only a failing one is walked again with
    paths, to name where it goes too deep.
    """
    if not nests_deeper(payload, limit):
        return None
    level: list[tuple[Any, list[str | int]]] = [(payload, [])]
    for _ in range(limit):
        deeper = []
        for container, parts in level:
            children = container.items() if isinstance(container, dict) else enumerate(container)
            deeper.extend((child, [*parts, key]) for key, child in children
                          if isinstance(child, dict | list))
        level = deeper
    return level[0][1]
