"""How building a whole workspace's worth of objects shares the interpreter with ingest.

Replaying a workspace and building a snapshot or a read view are long runs of pure Python that
make millions of objects with no cycles. While one runs:

- the cycle collector is paused: each full collection walks every live object, and these
  builds set off enough of them to grow cost faster than n log n (a snapshot of 300k
  messages: 1.9 s with it, 0.9 s without); reference counting still frees everything;
- the GIL's switch interval drops from 5 ms to 0.5 ms: an ingest beside a build waits for the
  GIL at every SQLite call, and at 5 ms a turn a single-message ingest took some 30 ms (0.5 ms:
  about 4 ms; `benchmarks/bench_contention.py`).

Both are settings of the whole process, so they are counted here: the first build to start
changes them and the last to finish puts them back, however builds overlap across threads.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BUILD_SWITCH_INTERVAL = 0.0005  # seconds


class _Builds:
    """How many builds are running, and the settings to restore when none is."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.collector_was_on = False
        self.interval = 0.0


_BUILDS = _Builds()  # mirrors interpreter-wide state, so it is interpreter-wide itself


@contextmanager
def building() -> Iterator[None]:
    """Run a whole-workspace build with the collector paused and a short switch interval."""
    with _BUILDS.lock:
        if _BUILDS.running == 0:
            _BUILDS.collector_was_on, _BUILDS.interval = gc.isenabled(), sys.getswitchinterval()
            gc.disable()
            sys.setswitchinterval(min(_BUILDS.interval, BUILD_SWITCH_INTERVAL))
        _BUILDS.running += 1
    try:
        yield
    finally:
        with _BUILDS.lock:
            _BUILDS.running -= 1
            if _BUILDS.running == 0:
                sys.setswitchinterval(_BUILDS.interval)
                if _BUILDS.collector_was_on:
                    gc.enable()
