"""What is wrong with a payload, in words a user can act on.

A Problem names the JSON path of the field at fault and the reason. Its `kind` lets an HTTP layer
choose a status without parsing words: an oversize payload is a 413 and an unknown call type a
501 where the rest is a 400.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

ProblemKind = Literal["invalid", "too_large", "unsupported_type"]


@dataclass(frozen=True, order=True)
class Problem:
    """One field at fault: where (`$.context.groupId`) and why."""

    path: str
    reason: str
    kind: ProblemKind = "invalid"

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def json_path(parts: Iterable[str | int], root: str = "$") -> str:
    """`["batch", 3, "user id"]` -> `$.batch[3]["user id"]`: readable and unambiguous."""
    path = root
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.isidentifier():
            path += f".{part}"
        else:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"')
            path += f'["{escaped}"]'
    return path
