"""HTTP ingest under the production server, beside the floors and the stubs people use instead.

Every server gets the same load generator, the same connections and the same bodies (unique
message ids, so the simulator applies every message rather than acknowledging duplicates).
Single-message requests are held to a bare Flask endpoint that parses the JSON and commits one
SQLite transaction under the same server (the floor of any design that commits before it
answers) and to pytest-httpserver's fixed answer; the simulator also runs with fewer threads
and under granian and cheroot, which is how its server and thread count were chosen. Batches
of 100 show server CPU a message, the number CI pipelines care about.
"""

from __future__ import annotations

import base64
import tempfile
import time
from pathlib import Path

from harness import Mode, Table, process_cpu, target_table, verdict
from loadgen import CONNECTIONS, run_load
from servers import API_KEY, available, serving

from simulator.web.live_server import DEFAULT_THREADS

# (server, messages a request): every server answers single messages; batches of 100 are
# for the simulator and the floor it is held to.
SCENARIOS = (
    ("flask", 1), ("flask-commit", 1), ("httpserver", 1), ("wiremock", 1), ("mockttp", 1),
    ("simulator", 1),
    ("simulator-t1", 1), ("simulator-t2", 1), ("simulator-t4", 1),
    ("simulator-granian", 1), ("simulator-cheroot", 1),
    ("flask-commit", 100), ("simulator", 100),
)
LABELS = {"flask": "bare Flask, parses JSON (waitress)",
          "flask-commit": "bare Flask, parses JSON, commits one SQLite transaction (waitress)",
          "httpserver": "pytest-httpserver, fixed answer",
          "wiremock": "WireMock 3.13 standalone (Java), fixed answer",
          "mockttp": "mockttp 4.6 (Node.js), fixed answer",
          "simulator": f"akita-sim serve (waitress, {DEFAULT_THREADS} threads, the default)",
          "simulator-t1": "akita-sim serve --threads 1",
          "simulator-t2": "akita-sim serve --threads 2",
          "simulator-t4": "akita-sim serve --threads 4",
          "simulator-granian": "the simulator's app under granian (Rust, WSGI)",
          "simulator-cheroot": "the simulator's app under cheroot (CherryPy's)"}
SINGLE_FLOOR = 0.9  # of flask-commit's requests/s
BATCHED_CPU_TARGET = 25.0  # µs of server CPU a message in batches of 100: 40,000/s on a core


def run(mode: Mode) -> list[Table]:
    """Load each server; one table of all of it, one of the targets."""
    table = Table("HTTP ingest (POST /akita/v1/segment)",
                  ("server", "messages/request", "requests/s", "messages/s", "p50 ms", "p99 ms",
                   "non-2xx", "server CPU %", "server CPU µs/message", "generator CPU %",
                   "vs flask-commit"))
    auth = base64.b64encode(f"{API_KEY}:".encode()).decode("ascii")
    rates: dict[tuple[str, int], float] = {}
    costs: dict[tuple[str, int], float] = {}  # server CPU seconds per message
    tool = ""
    # The smoke test only proves the script runs: one server, both request sizes.
    scenarios = SCENARIOS if mode.name != "tiny" else (("simulator", 1), ("simulator", 100))
    with tempfile.TemporaryDirectory(prefix="akita-bench-") as workdir:
        for name in dict.fromkeys(server for server, _ in scenarios):
            missing = available(name)
            if missing is not None:
                table.notes.append(f"{LABELS[name]}: not measured, {missing}")
                continue
            with serving(name, Path(workdir)) as server:
                if mode.name != "tiny":  # warm up: imports, first workspace load, JIT of Lua
                    run_load(server.url, auth, batch=1, seconds=1, tag=f"warm-{time.time_ns()}")
                for batch in (b for n, b in scenarios if n == name):
                    cpu = process_cpu(server.pid)
                    load = run_load(server.url, auth, batch=batch, seconds=mode.seconds,
                                    tag=f"{name}-{batch}-{time.time_ns()}")
                    cpu = process_cpu(server.pid) - cpu
                    rates[name, batch] = load.rate
                    costs[name, batch] = cpu / (load.requests * batch)
                    tool = load.tool
                    floor = rates.get(("flask-commit", batch))
                    table.add(LABELS[name], batch, load.rate, load.rate * batch, load.p50_ms,
                              load.p99_ms, load.non_2xx + load.socket_errors,
                              100 * cpu / load.seconds, 1e6 * costs[name, batch],
                              load.generator_share, f"{load.rate / floor:.2f}" if floor else "-")
    table.notes.append(f"load generator: {tool}, {CONNECTIONS} connections; CPU % is of one "
                       "core. Server CPU per message does not depend on how busy the machine "
                       "is; the rates do")
    return [table, _targets(rates, costs)]


def _targets(rates: dict[tuple[str, int], float], costs: dict[tuple[str, int], float]
             ) -> Table:
    """Each target beside its baseline; a baseline this run could not measure reads '-'."""
    targets = target_table("HTTP ingest")
    single = rates["simulator", 1]
    floor, mock = rates.get(("flask-commit", 1)), rates.get(("httpserver", 1))
    targets.add(f"single messages >= {SINGLE_FLOOR} of bare Flask + one commit (req/s)",
                f"{single:,.0f} req/s" + (f" ({single / floor:.2f})" if floor else ""),
                f"{floor:,.0f} req/s" if floor else "-",
                verdict(single >= SINGLE_FLOOR * floor) if floor else "-")
    targets.add("single messages >= pytest-httpserver's fixed answer (req/s)",
                f"{single:,.0f} req/s", f"{mock:,.0f} req/s" if mock else "-",
                verdict(single >= mock) if mock else "-")
    cpu, floor_cpu = 1e6 * costs["simulator", 100], costs.get(("flask-commit", 100))
    targets.add(f"batches of 100: <= {BATCHED_CPU_TARGET:.0f} µs server CPU a message "
                "(40,000 messages/s on one core)",
                f"{cpu:.1f} µs ({1e6 / cpu:,.0f}/s a core)",
                f"bare Flask + commit: {1e6 * floor_cpu:.1f} µs" if floor_cpu else "-",
                verdict(cpu <= BATCHED_CPU_TARGET))
    return targets
