"""Messages waiting for Akita, cut into request bodies that stay within the contract's limits.

The body size is tracked exactly and without re-encoding: a compact `{"batch": [m1, ..., mn]}`
is the empty body's bytes, plus each message's bytes, plus one comma between messages. Sizes
are measured with `wire`, the encoding the client sends, so a batch cut here is never a 413.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from typing import Any, Generic, TypeVar

from contract.limits import MAX_BATCH_BYTES, MAX_BATCH_MESSAGES

T = TypeVar("T")


def wire(payload: Any) -> bytes:
    """Compact UTF-8 JSON as sent to Akita.

    A lone surrogate (JSON allows `"\\ud800"`, Python keeps it) cannot be UTF-8: it is written
    back as its JSON escape, which parses to the same string, instead of failing the batch.
    """
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace")


EMPTY_BODY_BYTES = len(wire({"batch": []}))


def body_bytes(message_sizes: int, count: int) -> int:
    """Bytes of a compact batch body holding `count` messages of `message_sizes` bytes in all."""
    return EMPTY_BODY_BYTES + message_sizes + max(0, count - 1)


class BatchQueue(Generic[T]):
    """A thread-safe queue of items with their encoded sizes, handed out one batch at a time.

    Limits above the contract's are lowered to them; smaller ones suit tests and slow links.
    A single item always forms a batch, so an item larger than `max_bytes` still leaves.
    """

    def __init__(self, max_messages: int = MAX_BATCH_MESSAGES,
                 max_bytes: int = MAX_BATCH_BYTES) -> None:
        if max_messages < 1 or max_bytes < 1:
            raise ValueError("batch limits must be positive")
        self.max_messages = min(max_messages, MAX_BATCH_MESSAGES)
        self.max_bytes = min(max_bytes, MAX_BATCH_BYTES)
        self._items: deque[tuple[T, int]] = deque()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: T, size: int) -> bool:
        """Queue an item; True when a full batch is now waiting (time to send one)."""
        with self._lock:
            self._items.append((item, size))
            self._bytes += size
            return self._over_one_batch()

    def _over_one_batch(self) -> bool:
        return (len(self._items) >= self.max_messages
                or body_bytes(self._bytes, len(self._items)) > self.max_bytes)

    def take(self, *, full_only: bool = False) -> list[T]:
        """The oldest items that fit in one body; [] if none (with `full_only`: if none is full)."""
        with self._lock:
            if full_only and not self._over_one_batch():
                return []
            batch: list[T] = []
            taken_bytes = 0
            while self._items and len(batch) < self.max_messages:
                item, size = self._items[0]
                if batch and body_bytes(taken_bytes + size, len(batch) + 1) > self.max_bytes:
                    break
                self._items.popleft()
                batch.append(item)
                taken_bytes += size
            self._bytes -= taken_bytes
            return batch
