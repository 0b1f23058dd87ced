"""How reads grow with the workspace: 10k, 100k and 1M stored messages.

Each size opens the database the engine benchmark wrote, in a fresh child process, the way
`akita-sim serve` would after a restart (the replay is timed too), then times what users look
at: one contact's sessions, a full snapshot, and the dashboard's contact and account pages
through the Flask test client (templates and all, no sockets). A contact holds about fifty
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
from harness import Mode, Table, best_of, growth_ratio, python_script
from servers import API_KEY
from workload import organization_id, person_id

from simulator.web import simulator_of

CONTACT_PAGE_TARGET_MS = 100.0
MEASURES = ("replay s", "contact sessions ms", "snapshot ms", "contact page ms",
            "account page ms")


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
    largest, page = mode.sizes[-1], costs["contact page ms"][-1]
    table.notes += [
        "times are the best of several runs; replay is once, at start",
        f"contact page at {largest:,} messages: {page:.1f} ms (target < "
        f"{CONTACT_PAGE_TARGET_MS:.0f} ms at 1,000,000): "
        f"{'met' if page < CONTACT_PAGE_TARGET_MS else 'MISSED'}",
    ]
    return [table]


def _measure(size: int, path: str, repeats: int) -> dict[str, Any]:
    from simulator.web.app import create_app

    started = time.perf_counter()
    app = create_app({"AKITA_DB": path, "AKITA_API_KEY": API_KEY})
    simulator = simulator_of(app)
    workspace_id = simulator.workspace_for_key(API_KEY)
    simulator.counts(workspace_id)  # the first read replays the stored messages
    replay = time.perf_counter() - started
    client = app.test_client()
    person, organization = person_id(1), organization_id(1)

    def page(path: str) -> None:
        response = client.get(f"/workspaces/{workspace_id}/{path}")
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")

    few = 1 if size >= 1_000_000 else repeats  # a million-message snapshot takes seconds
    return {
        "replay s": replay,
        "contact sessions ms": 1000 * best_of(repeats, lambda: simulator.sessions(
            workspace_id, person)),
        "snapshot ms": 1000 * best_of(few, lambda: simulator.snapshot(workspace_id)),
        "contact page ms": 1000 * best_of(repeats, lambda: page(f"contacts/{person}")),
        "account page ms": 1000 * best_of(repeats, lambda: page(f"accounts/{organization}")),
    }


if __name__ == "__main__":
    print(json.dumps(_measure(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))), flush=True)
    os._exit(0)  # a million objects need no orderly teardown
