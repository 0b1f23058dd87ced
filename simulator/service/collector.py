"""Pausing Python's cycle collector while building a whole workspace's worth of objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while building millions of objects that form no cycles.

    Each full collection walks every live object, and building a million-message workspace's
    state or snapshot set off enough of them to grow cost faster than n log n (a snapshot of
    300k messages: 1.9 s with it, 0.9 s without). Reference counting still frees everything.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
