"""Ingest latency while whole-workspace reads run: does a snapshot hold writers?

One workspace of 200,000 stored messages (20,000 quick, 500 tiny), in process on a SQLite
file. Single-message ingests are timed, one every 2 ms for half the mode's load time, three
ways in the same run: with nothing else going on; while another thread takes snapshots one
after another through the read view (what `GET .../state` does); and, as the baseline the read
view replaced, while that thread builds each snapshot from the live engine under the
workspace's lock. Latencies are wall clock in milliseconds: the GIL is shared, so a busy reader
still costs a writer some milliseconds, but it must never cost it a whole snapshot.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

from harness import Mode, Table
from workload import akita_messages

from simulator.service import Simulator
from simulator.store import SQLiteStore

SIZES = {"full": 200_000, "quick": 20_000, "tiny": 500}
BATCH = 500


def filled(path: Path, size: int) -> tuple[Simulator, str]:
    """A simulator on `path` holding one workspace of `size` messages, read once whole."""
    simulator = Simulator(SQLiteStore(str(path)))
    workspace = simulator.create_workspace("contention")["id"]
    batch: list[dict] = []
    for message in akita_messages(size):
        batch.append(message)
        if len(batch) == BATCH:
            simulator.ingest(workspace, {"batch": batch})
            batch = []
    if batch:
        simulator.ingest(workspace, {"batch": batch})
    simulator.snapshot(workspace)  # both engines built before anything is timed
    return simulator, workspace


def latencies(simulator: Simulator, workspace: str, seconds: float,
              reader: Callable[[], object] | None) -> tuple[list[float], int]:
    """Milliseconds of each single-message ingest over `seconds`, and reads completed."""
    stop, reads = threading.Event(), [0]

    def read_on() -> None:
        while not stop.is_set():
            reader()
            reads[0] += 1

    thread = threading.Thread(target=read_on) if reader else None
    if thread:
        thread.start()
    timings: list[float] = []
    deadline = time.perf_counter() + seconds
    number = 0
    while time.perf_counter() < deadline or (thread and reads[0] == 0):
        number += 1
        message = {"type": "event", "message_id": f"c-{id(timings)}-{number}",
                   "timestamp": "2026-06-01T12:00:00.000Z", "person_id": "user-0000001",
                   "event": "Contention"}
        started = time.perf_counter()
        simulator.ingest(workspace, {"batch": [message]})
        timings.append((time.perf_counter() - started) * 1000)
        time.sleep(0.002)
    stop.set()
    if thread:
        thread.join()
    return timings, reads[0]


def run(mode: Mode, workdir: Path) -> list[Table]:
    """Ingest latency percentiles per reader, at the mode's size."""
    size = SIZES[mode.name]
    table = Table(f"Ingest latency during whole-workspace reads ({size:,} messages)",
                  ("reader", "ingests", "reads done", "p50 ms", "p99 ms", "max ms"))
    simulator, workspace = filled(workdir / "contention.sqlite3", size)

    def locked_snapshot() -> object:  # the baseline: the snapshot as it was built before
        with simulator._state(workspace) as engine:
            return engine.snapshot()

    readers: list[tuple[str, Callable[[], object] | None]] = [
        ("none", None),
        ("snapshots from the read view (GET .../state)", lambda: simulator.snapshot(workspace)),
        ("baseline: snapshots under the workspace lock", locked_snapshot),
    ]
    worst: dict[str, float] = {}
    for name, reader in readers:
        timings, reads = latencies(simulator, workspace, mode.seconds / 2, reader)
        ordered = sorted(timings)
        worst[name] = ordered[-1]
        table.add(name, len(timings), reads, statistics.median(ordered),
                  ordered[int(0.99 * (len(ordered) - 1))], ordered[-1])
    simulator.close()
    view, locked = worst[readers[1][0]], worst[readers[2][0]]
    table.notes.append(f"the longest ingest wait: {view:.1f} ms beside the read view, "
                       f"{locked:.1f} ms beside snapshots under the lock ({locked / view:.0f}x)")
    return [table]
