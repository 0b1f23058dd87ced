"""The engine alone, then the service writing a database file, at 10k, 100k and 1M messages.

Each size runs in a fresh child process, so its peak resident memory (`ru_maxrss`) is that
size's alone and nothing of one run warms the next. The engine numbers time `apply()` only
(messages are generated in batches of 100 outside the clock) and report CPU time beside wall
time: on a shared machine wall time says as much about the neighbours as about the engine.
The service run (`Simulator.ingest`: validation, engine, SQLite, journal) leaves the database
file the growth benchmark reads.

Run as a script (`python bench_engine.py engine|store N [PATH]`) it is one such child and
prints one JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import Mode, Table, python_script
from servers import API_KEY
from workload import akita_messages, batches

BATCH = 100  # as the destination sends them
ENGINE_TARGET = 50_000  # messages/s, DESIGN.md


def store_path(workdir: Path, size: int) -> Path:
    """Where the database of `size` messages lives during a run."""
    return workdir / f"store-{size}.sqlite3"


def child(*args: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its JSON line."""
    output = subprocess.run(python_script("bench_engine.py", *args), capture_output=True,
                            text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def ensure_store(workdir: Path, size: int) -> dict[str, Any] | None:
    """Build the database of `size` messages unless this run already did; its measurements."""
    path = store_path(workdir, size)
    return None if path.exists() else child("store", str(size), str(path))


def run(mode: Mode, workdir: Path) -> list[Table]:
    """Engine throughput and memory, then service throughput and database size, per size."""
    engine = Table("Engine alone (every rule on, batches of 100)",
                   ("messages", "messages/s (wall)", "messages/s (CPU)", "peak RSS MB",
                    "RSS MB per 1M messages"))
    service = Table("Service: validation + engine + SQLite file + journal (no HTTP)",
                    ("messages", "messages/s (wall)", "messages/s (CPU)", "database MB",
                     "database MB per 1M messages"))
    for size in mode.sizes:
        found = child("engine", str(size))
        grown = (found["peak_rss"] - found["base_rss"]) / 2**20
        engine.add(size, found["rate_wall"], found["rate_cpu"], found["peak_rss"] / 2**20,
                   grown * 1_000_000 / size)
        built = ensure_store(workdir, size)
        if built is not None:
            service.add(size, built["rate_wall"], built["rate_cpu"], built["bytes"] / 2**20,
                        built["bytes"] / 2**20 * 1_000_000 / size)
    slowest = min(row[1] for row in engine.rows)
    engine.notes += [
        "RSS per 1M: the process's peak RSS less its RSS before the first message, scaled to a "
        "million messages (small sizes overstate it: interpreter and allocator overheads)",
        f"slowest engine rate {slowest:,.0f} messages/s (target >= {ENGINE_TARGET:,}): "
        f"{'met' if slowest >= ENGINE_TARGET else 'MISSED'}",
    ]
    service.notes.append("database: the SQLite file with its WAL, messages plus a journal capped "
                         "at 10,000 entries")
    return [engine, service]


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _current_rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _measure_engine(size: int) -> dict[str, Any]:
    from simulator.engine import Workspace

    workspace = Workspace()
    base = _current_rss()
    wall = cpu = 0.0
    for batch in batches(akita_messages(size), BATCH):
        started, used = time.perf_counter(), time.process_time()
        workspace.apply(batch)
        wall += time.perf_counter() - started
        cpu += time.process_time() - used
    return {"rate_wall": size / wall, "rate_cpu": size / cpu, "base_rss": base,
            "peak_rss": _peak_rss(), "counts": workspace.counts()}


def _measure_store(size: int, path: str) -> dict[str, Any]:
    from simulator.service import Simulator
    from simulator.store import SQLiteStore

    simulator = Simulator(SQLiteStore(path))
    workspace_id = simulator.ensure_workspace(API_KEY)
    wall = cpu = 0.0
    for batch in batches(akita_messages(size), BATCH):
        started, used = time.perf_counter(), time.process_time()
        simulator.ingest(workspace_id, {"batch": batch})
        wall += time.perf_counter() - started
        cpu += time.process_time() - used
    simulator.close()
    files = [Path(path), Path(f"{path}-wal")]
    return {"rate_wall": size / wall, "rate_cpu": size / cpu,
            "bytes": sum(file.stat().st_size for file in files if file.exists())}


if __name__ == "__main__":
    kind, count = sys.argv[1], int(sys.argv[2])
    result = _measure_engine(count) if kind == "engine" else _measure_store(count, sys.argv[3])
    print(json.dumps(result), flush=True)
    os._exit(0)  # a million objects need no orderly teardown
