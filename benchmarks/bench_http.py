"""HTTP ingest under the production server, beside a bare Flask endpoint and pytest-httpserver.

Every server gets the same load generator, the same connections and the same bodies (unique
message ids, so the simulator applies every message rather than acknowledging duplicates).
Single-message requests show the per-request overhead against the floor of any Flask app
under waitress; batches of 100 show messages/s, the number CI pipelines care about.
"""

from __future__ import annotations

import base64
import tempfile
import time
from pathlib import Path

from harness import Mode, Table, process_cpu
from loadgen import CONNECTIONS, run_load
from servers import API_KEY, serving

SERVERS = ("flask", "httpserver", "simulator")
LABELS = {"flask": "bare Flask, parses JSON (waitress, 8 threads)",
          "httpserver": "pytest-httpserver, fixed answer",
          "simulator": "akita-sim serve (waitress, 8 threads, SQLite file)"}
BATCHES = (1, 100)
BATCHED_TARGET = 20_000  # messages/s, DESIGN.md
SINGLE_TARGET = 0.7  # of the bare Flask endpoint's requests/s


def run(mode: Mode) -> list[Table]:
    """Load each server with single messages, then batches of 100; one table of all of it."""
    table = Table("HTTP ingest (POST /akita/v1/segment)",
                  ("server", "messages/request", "requests/s", "messages/s", "p50 ms", "p99 ms",
                   "non-2xx", "server CPU %", "server CPU µs/message", "generator CPU %",
                   "vs bare Flask"))
    auth = base64.b64encode(f"{API_KEY}:".encode()).decode("ascii")
    rates: dict[tuple[str, int], float] = {}
    costs: dict[tuple[str, int], float] = {}  # server CPU seconds per message
    tool = ""
    with tempfile.TemporaryDirectory(prefix="akita-bench-") as workdir:
        for name in SERVERS:
            with serving(name, Path(workdir)) as server:
                if mode.name != "tiny":  # warm up: imports, first workspace load, JIT of Lua
                    run_load(server.url, auth, batch=1, seconds=1, tag=f"warm-{time.time_ns()}")
                for batch in BATCHES:
                    cpu = process_cpu(server.pid)
                    load = run_load(server.url, auth, batch=batch, seconds=mode.seconds,
                                    tag=f"{name}-{batch}-{time.time_ns()}")
                    cpu = process_cpu(server.pid) - cpu
                    rates[name, batch] = load.rate
                    costs[name, batch] = cpu / (load.requests * batch)
                    tool = load.tool
                    bare = rates.get(("flask", batch))
                    table.add(LABELS[name], batch, load.rate, load.rate * batch, load.p50_ms,
                              load.p99_ms, load.non_2xx + load.socket_errors,
                              100 * cpu / load.seconds, 1e6 * costs[name, batch],
                              load.generator_share, f"{load.rate / bare:.2f}" if bare else "-")
    table.notes += _verdicts(rates, costs, tool)
    return [table]


def _verdicts(rates: dict[tuple[str, int], float], costs: dict[tuple[str, int], float],
              tool: str) -> list[str]:
    batched = rates["simulator", 100] * 100
    per_core = 1 / costs["simulator", 100]
    ratio = rates["simulator", 1] / rates["flask", 1]
    return [
        f"load generator: {tool}, {CONNECTIONS} connections; CPU % is of one core. Server CPU "
        "per message does not depend on how busy the machine is; the rates do",
        f"batches of 100: {batched:,.0f} messages/s (target >= {BATCHED_TARGET:,}): "
        f"{'met' if batched >= BATCHED_TARGET else 'MISSED'}; with a whole core to itself the "
        f"server's CPU per message would allow {per_core:,.0f} messages/s",
        f"single messages: {ratio:.2f} of bare Flask's requests/s (target >= {SINGLE_TARGET}): "
        f"{'met' if ratio >= SINGLE_TARGET else 'MISSED'}",
    ]
