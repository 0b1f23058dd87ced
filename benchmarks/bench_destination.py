"""Segment's side: validation and mapping in calls/s, then delivery to `akita-sim serve`.

Mapping is pure, so it is timed in process; delivery goes through `AkitaClient` to the real
server in a child process, once with the client's batching and once with one request per call,
which is what batching buys a pipeline.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from harness import Mode, Table, best_of, measured_command, target_table, verdict
from servers import API_KEY, serving
from workload import segment_call_stream, segment_calls

from contract import validate_segment_call
from contract.mapping import map_call
from destination import AkitaClient, prepare

DELIVERIES = (("batched (up to 2,500 messages / 500 KB a request)", None, 1),
              ("one request per call", 1, 10))  # label, max_batch_messages, share of calls


def run(mode: Mode) -> list[Table]:
    """One table for preparing calls, one for delivering them."""
    calls = segment_calls(mode.calls)
    prepared = Table("Destination: validation and mapping (in process)", ("step", "calls/s"))
    for step, work in (("validate_segment_call", validate_segment_call),
                       ("map_call", map_call), ("prepare (validate + map)", prepare)):
        seconds = best_of(mode.repeats, lambda work=work: [work(call) for call in calls])
        prepared.add(step, len(calls) / seconds)

    delivered = Table("Destination: delivery to akita-sim serve (AkitaClient)",
                      ("delivery", "calls", "requests", "calls/s", "all delivered"))
    with tempfile.TemporaryDirectory(prefix="akita-bench-") as workdir, \
            serving("simulator", Path(workdir)) as server:
        for label, per_request, share in DELIVERIES:
            count = max(10, mode.calls // share)
            batch = segment_calls(count, prefix=f"{per_request or 'b'}-{time.time_ns()}-")
            limits = {"max_batch_messages": per_request} if per_request else {}
            with AkitaClient(server.url, API_KEY, flush_interval=None, **limits) as client:
                started = time.perf_counter()
                report = client.deliver(batch)
                seconds = time.perf_counter() - started
            # The first message of each request carries index 0 of its batch.
            requests = sum(record.request["batch"]["index"] == 0 for record in report.records)
            accepted = report.summary()["delivered"] == count
            delivered.add(label, count, requests, count / seconds,
                          "yes" if accepted else f"no: {report.summary()}")
    delivered.notes.append("one request per call sends a tenth as many calls: it is that slow")
    mapped, targets = _akita_map(mode, prepared.rows[-1][1])
    return [prepared, delivered, mapped, targets]


AKITA_MAP_RATE = 40_000  # calls/s, on two cores
AKITA_MAP = str(Path(sys.executable).with_name("akita-map"))


def _akita_map(mode: Mode, prepare_rate: float) -> tuple[Table, Table]:
    """`akita-map` over JSON Lines of archived calls at two sizes, ten times apart: its rate,
    and whether its memory stays the same."""
    table = Table("akita-map over an archive (JSON Lines, one process)",
                  ("calls", "seconds", "calls/s", "CPU µs a call", "peak MB"))
    found = []
    with tempfile.TemporaryDirectory(prefix="akita-bench-") as workdir:
        for count in (mode.calls, mode.calls * 10):
            path = Path(workdir) / f"calls-{count}.jsonl"
            with path.open("w") as out:
                for call in segment_call_stream(count, archived=True, prefix=f"map-{count}-"):
                    out.write(json.dumps(call) + "\n")
            run = measured_command([AKITA_MAP, str(path), "--format", "json", "--problems"])
            found.append(run)
            table.add(count, run["seconds"], count / run["seconds"],
                      run["cpu"] / count * 1e6, run["peak_mb"])
    table.notes.append("the edge de-duplicates by messageId over 24 hours of receivedAt, so "
                       "the ids of a day of calls stay in memory however they are read")
    targets = target_table("akita-map")
    rate = mode.calls * 10 / found[1]["seconds"]
    targets.add(f"akita-map validates and maps {AKITA_MAP_RATE:,} calls/s on two cores",
                f"{rate:,.0f} calls/s", f"prepare alone, in process, one core: "
                f"{prepare_rate:,.0f} calls/s", verdict(rate >= AKITA_MAP_RATE))
    small, large = found[0]["peak_mb"], found[1]["peak_mb"]
    targets.add("akita-map: constant memory whatever the input's size",
                f"{small:,.0f} MB at {mode.calls:,} calls, {large:,.0f} MB at "
                f"{mode.calls * 10:,}", "-", verdict(large <= small * 1.2))
    return table, targets

