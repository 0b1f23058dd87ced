"""Segment's side: validation and mapping in calls/s, then delivery to `akita-sim serve`.

Mapping is pure, so it is timed in process; delivery goes through `AkitaClient` to the real
server in a child process, once with the client's batching and once with one request per call,
which is what batching buys a pipeline.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from harness import Mode, Table, best_of
from servers import API_KEY, serving
from workload import segment_calls

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
    return [prepared, delivered]
