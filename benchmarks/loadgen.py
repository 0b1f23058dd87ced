"""Load generation: wrk with `akita.lua` when installed, else several Python client processes.

Either way the generator runs in child processes, so its CPU time is read back from
`RUSAGE_CHILDREN` and reported beside the server's: a generator near 100% of a core would be
the bottleneck, and the numbers would describe it rather than the server.

Run as a script (`python loadgen.py URL BATCH SECONDS TAG AUTH`) it is one fallback client:
one keep-alive connection posting batches for SECONDS, then a JSON line of what it saw.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from harness import children_cpu, python_script
from servers import INGEST_PATH

LUA = Path(__file__).resolve().parent / "akita.lua"
CONNECTIONS = 8  # as many as waitress has threads under `akita-sim serve`


@dataclass(frozen=True)
class Load:
    """What one load run measured."""

    tool: str
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    generator_cpu: float  # CPU seconds the generator used, all its processes together

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    @property
    def generator_share(self) -> float:
        """Generator CPU as a percentage of one core over the run."""
        return 100 * self.generator_cpu / self.seconds


def run_load(url: str, auth: str, *, batch: int, seconds: float, tag: str) -> Load:
    """Post batches of `batch` messages to `url`'s ingest path for `seconds` seconds."""
    before = children_cpu()
    if shutil.which("wrk"):
        tool, summary = "wrk", _wrk(url, auth, batch, seconds, tag)
    else:
        tool, summary = "python", _python_clients(url, auth, batch, seconds, tag)
    return Load(tool=tool, requests=summary["requests"],
                seconds=summary["duration_us"] / 1e6, non_2xx=summary["non_2xx"],
                socket_errors=summary["socket_errors"], p50_ms=summary["p50_us"] / 1000,
                p99_ms=summary["p99_us"] / 1000, generator_cpu=children_cpu() - before)


def _wrk(url: str, auth: str, batch: int, seconds: float, tag: str) -> dict[str, int]:
    duration = max(1, round(seconds))
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency", "-s", str(LUA),
               url + INGEST_PATH, "--", str(batch), tag, auth]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _python_clients(url: str, auth: str, batch: int, seconds: float, tag: str) -> dict[str, int]:
    processes = min(CONNECTIONS, 2 * (os.cpu_count() or 1))
    clients = [subprocess.Popen(python_script("loadgen.py", url, str(batch), str(seconds),
                                              f"{tag}-{index}", auth),
                                stdout=subprocess.PIPE, text=True)
               for index in range(processes)]
    results = [json.loads(client.communicate()[0]) for client in clients]
    latencies = sorted(value for result in results for value in result.pop("latencies_us"))
    total = {key: sum(result[key] for result in results) for key in results[0]}
    total["duration_us"] = max(result["duration_us"] for result in results)
    total["p50_us"] = latencies[len(latencies) // 2] if latencies else 0
    total["p99_us"] = latencies[int(len(latencies) * 0.99)] if latencies else 0
    return total


def _client(url: str, batch: int, seconds: float, tag: str, auth: str) -> None:
    from workload import akita_messages, batches

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Basic {auth}"}
    bodies = batches(akita_messages(10_000_000, prefix=f"{tag}-"), batch)
    latencies, non_2xx, errors = [], 0, 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        body = json.dumps({"batch": next(bodies)}).encode()
        sent = time.perf_counter()
        try:
            connection.request("POST", INGEST_PATH, body, headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            continue
        latencies.append(int((time.perf_counter() - sent) * 1e6))
        non_2xx += not 200 <= response.status < 300
    print(json.dumps({"requests": len(latencies), "duration_us": int(
        (time.perf_counter() - started) * 1e6), "non_2xx": non_2xx, "socket_errors": errors,
        "latencies_us": latencies}))


if __name__ == "__main__":
    _client(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5])
