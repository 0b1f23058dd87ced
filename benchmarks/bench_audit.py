"""`akita-map audit` on a generated archive, beside single-process `akita-map` on the same files.

The archive is what Segment's S3 destination writes: gzipped JSON Lines, an hour of a busy
product (100,000 calls) a file, every call with its `receivedAt`, some anonymous pages later
stitched, 1% re-sent. Each configuration runs as its own command, so its figures are its whole
process tree's: wall time, CPU time, and the peak memory of its largest process (a worker's).

    akita-map               one process, every call streamed (the baseline)
    processes scheduler     Dask's single-machine multiprocessing scheduler, two processes
    local cluster           the default: a Dask cluster of two worker processes
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

from harness import Mode, Table, measured_command
from workload import segment_call_stream

CALLS_PER_FILE = 100_000
# The multiprocessing scheduler sends every partition through its parent process: at the
# quick size it is already four times slower than a cluster and holds 1.4 GB, so it is not
# run on the ten-million-call archive.
PROCESSES_UP_TO = 1_000_000
AKITA_MAP = str(Path(sys.executable).with_name("akita-map"))


def write_archive(folder: Path, total: int) -> list[Path]:
    """`total` archived calls as hourly gzipped JSON Lines under segment-logs/<source>/<day>/."""
    calls = segment_call_stream(total, archived=True, prefix="arch-")
    files, written = [], 0
    while written < total:
        count = min(CALLS_PER_FILE, total - written)
        day, hour = divmod(len(files), 24)
        path = folder / "segment-logs" / "src-bench" / f"2026-01-{day + 1:02}" / f"{hour:02}.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", compresslevel=1) as out:
            for _, call in zip(range(count), calls, strict=False):
                out.write(json.dumps(call, separators=(",", ":")) + "\n")
        files.append(path)
        written += count
    return files


def run(mode: Mode, workdir: Path) -> list[Table]:
    """One table: calls/s, CPU per call and peak memory for each way of auditing."""
    files = write_archive(workdir / "archive", mode.archive)
    root = str(workdir / "archive" / "segment-logs")
    size = sum(os.path.getsize(f) for f in files) / 2**20
    configurations = (
        ("akita-map (one process, the baseline)",
         [AKITA_MAP, *map(str, files), "--format", "json", "--problems"]),
        ("audit, Dask processes scheduler (2 processes)",
         [AKITA_MAP, "audit", root, "--json", "--scheduler", "processes", "--workers", "2"]),
        ("audit, Dask local cluster (2 workers; the default)",
         [AKITA_MAP, "audit", root, "--json", "--workers", "2"]),
    )
    if mode.name == "tiny":  # the smoke test: the table, not Dask (its tests run the audit)
        configurations = configurations[:1]
    elif mode.archive > PROCESSES_UP_TO:
        configurations = (configurations[0], configurations[2])
    table = Table(f"Archive audit: {mode.archive:,} calls in {len(files)} gzipped files "
                  f"({size:,.0f} MB)",
                  ("run", "seconds", "calls/s", "CPU µs a call", "peak MB (largest process)",
                   "vs akita-map"))
    baseline = None
    for label, command in configurations:
        found = measured_command(command)
        rate = mode.archive / found["seconds"]
        baseline = baseline or rate
        table.add(label, found["seconds"], rate, found["cpu"] / mode.archive * 1e6,
                  found["peak_mb"], f"x{rate / baseline:.2f}")
    table.notes.append("akita-map holds one call at a time; the audit also computes the state "
                       "Akita would hold (three shuffles and the engine per partition)")
    if mode.archive > PROCESSES_UP_TO:
        table.notes.append("the processes scheduler is measured at the quick size only "
                           "(`--quick`): it routes every partition through one process")
    return [table]
