"""How start, memory and reads grow with the workspace: 10k, 100k, 1M and 3M stored messages.

Each size opens the database the engine benchmark wrote, in a fresh child process, the way
`akita-sim serve` would after a restart (from the checkpoint written when that database was
closed; a replay of every message is timed beside it), then times what users look at: one
contact's sessions, a full snapshot, and the dashboard's contact and account pages through the
Flask test client (templates and all, no sockets). A contact holds about fifty
messages at every size, as real contacts do, so per-contact costs should stay flat while the
snapshot grows with everything; each step prints its ratio beside n log n's.

Run as a script (`python bench_growth.py N PATH`) it is one such child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_engine import ensure_store, store_path
from harness import (
    Mode,
    Table,
    best_of,
    growth_ratio,
    growth_steps,
    python_script,
    target_table,
    verdict,
)
from servers import API_KEY
from workload import organization_id, person_id

from simulator.web import simulator_of

CONTACT_PAGE_TARGET_MS = 100.0
MEASURES = ("start s", "replay s", "RSS MB", "contact sessions ms", "snapshot ms",
            "contact page ms", "account page ms")
GROWING = ("replay s", "snapshot ms")  # held to n log n
START_TARGET_S, RSS_TARGET_MB = 1.0, 300.0  # at 1,000,000 messages


def run(mode: Mode, workdir: Path) -> list[Table]:
    """One row per size, then one row of growth ratios per step."""
    table = Table("Growth with stored messages", ("messages", *MEASURES))
    costs: dict[str, list[float]] = {name: [] for name in MEASURES}
    for size in mode.sizes:
        ensure_store(workdir, size)
        command = python_script("bench_growth.py", str(size), str(store_path(workdir, size)),
                                str(mode.repeats))
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        found = json.loads(output.strip().splitlines()[-1])
        table.add(size, *(found[name] for name in MEASURES))
        for name in MEASURES:
            costs[name].append(found[name])
    ratios = {name: growth_ratio(costs[name], mode.sizes) for name in MEASURES}
    for step, (small, large) in enumerate(zip(mode.sizes, mode.sizes[1:], strict=False)):
        table.add(f"{small:,} -> {large:,}", *(ratios[name][step] for name in MEASURES))
    table.notes += [
        "start: opening the file to the first answered read, from the checkpoint the last stop "
        "wrote plus the messages after it; replay: the same state from every stored message "
        "(what a start cost before checkpoints, and still costs without one); RSS: the "
        "server process after start",
        "times are the best of several runs; start and replay are once each",
    ]
    return [table, _targets(mode, costs)]


def _targets(mode: Mode, costs: dict[str, list[float]]) -> Table:
    targets = target_table("growth")
    at_million = mode.sizes.index(1_000_000) if 1_000_000 in mode.sizes else len(mode.sizes) - 1
    size = mode.sizes[at_million]
    start, replay = costs["start s"][at_million], costs["replay s"][at_million]
    rss, page = costs["RSS MB"][at_million], costs["contact page ms"][at_million]
    targets.add(f"start to first answered read < {START_TARGET_S:.0f} s at 1,000,000 messages",
                f"{start:.2f} s at {size:,}", f"full replay: {replay:.2f} s",
                verdict(start < START_TARGET_S))
    targets.add(f"memory of akita-sim serve < {RSS_TARGET_MB:.0f} MB at 1,000,000 messages",
                f"{rss:,.0f} MB at {size:,}", "-", verdict(rss < RSS_TARGET_MB))
    for name in GROWING:
        ratios = [actual <= allowed for actual, allowed in
                  growth_steps(costs[name], mode.sizes)]
        targets.add(f"{name.split()[0]} grows as n log n or better up to {mode.sizes[-1]:,}",
                    ", ".join(growth_ratio(costs[name], mode.sizes)) or "one size only",
                    "n log n, per step", verdict(all(ratios)) if ratios else "-")
    targets.add(f"contact page < {CONTACT_PAGE_TARGET_MS:.0f} ms at 1,000,000 messages",
                f"{page:.1f} ms at {size:,}", "-", verdict(page < CONTACT_PAGE_TARGET_MS))
    return targets


def _measure(size: int, path: str, repeats: int) -> dict[str, Any]:
    from simulator.engine import Workspace
    from simulator.service.replay import catch_up
    from simulator.web.app import create_app

    started = time.perf_counter()
    app = create_app({"AKITA_DB": path, "AKITA_API_KEY": API_KEY})
    simulator = simulator_of(app)
    workspace_id = simulator.workspace_for_key(API_KEY)
    simulator.counts(workspace_id)  # the first read loads the checkpoint and what follows it
    start = time.perf_counter() - started
    rss = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    started = time.perf_counter()
    catch_up(Workspace(), simulator.store, workspace_id)  # built, then dropped
    replay = time.perf_counter() - started
    client = app.test_client()
    person, organization = person_id(1), organization_id(1)

    def page(path: str) -> None:
        response = client.get(f"/workspaces/{workspace_id}/{path}")
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")

    few = 1 if size >= 1_000_000 else repeats  # a million-message snapshot takes seconds
    return {
        "start s": start,
        "replay s": replay,
        "RSS MB": rss / 2**20,
        "contact sessions ms": 1000 * best_of(repeats, lambda: simulator.sessions(
            workspace_id, person)),
        "snapshot ms": 1000 * best_of(few, lambda: simulator.snapshot(workspace_id)),
        "contact page ms": 1000 * best_of(repeats, lambda: page(f"contacts/{person}")),
        "account page ms": 1000 * best_of(repeats, lambda: page(f"accounts/{organization}")),
    }


if __name__ == "__main__":
    print(json.dumps(_measure(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))), flush=True)
    os._exit(0)  # a million objects need no orderly teardown
