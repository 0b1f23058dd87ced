"""The servers the HTTP benchmarks load, each in its own process, and how to start them.

Each server runs in a separate process so that it never shares a GIL with the load generator:
- `simulator`: `akita-sim serve` itself (waitress, 8 threads, a database file), so the numbers
  are those of the command users run;
- `flask`: a bare Flask endpoint that only parses the JSON body, under the same waitress
  settings: the floor any Flask app pays, to compare the simulator's own work against;
- `httpserver`: pytest-httpserver answering a fixed response, the generic mock a team would
  pick instead of a simulator.

Run as a script (`python servers.py flask|httpserver PORT`) it serves one baseline. Each
server's output goes to a log file beside its database: a pipe nobody reads would fill up and
stall the server (waitress warns about its queue depth under load).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness import python_script

INGEST_PATH = "/akita/v1/segment"
API_KEY = "bench-key"
_ANSWER = {"accepted": 1, "duplicates": 0}


@dataclass(frozen=True)
class Running:
    """A server process and the base URL it answers on."""

    name: str
    url: str
    pid: int


def _bare_flask() -> None:
    from flask import Flask, request
    from waitress import serve

    app = Flask("bare")

    @app.post(INGEST_PATH)
    def ingest() -> dict[str, int]:
        body = request.get_json()
        return {"accepted": len(body["batch"]), "duplicates": 0}

    serve(app, host="127.0.0.1", port=int(sys.argv[2]), threads=8, _quiet=True)


def _httpserver() -> None:
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=int(sys.argv[2]))
    server.expect_request(INGEST_PATH, method="POST").respond_with_json(_ANSWER)
    server.start()
    while True:
        time.sleep(3600)


def _command(name: str, port: int, db: Path) -> list[str]:
    if name == "simulator":
        return [sys.executable, "-c", "import sys; from simulator.cli import main; "
                "sys.exit(main())", "serve", "--port", str(port), "--db", str(db),
                "--api-key", API_KEY]
    return python_script("servers.py", name, str(port))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(name: str, workdir: Path) -> Iterator[Running]:
    """Start server `name` in a child process, wait until it answers, stop it afterwards."""
    port = _free_port()
    log = workdir / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(_command(name, port, workdir / f"{name}.sqlite3"),
                                   stdout=output, stderr=subprocess.STDOUT)
    try:
        url = _wait_until_listening(process, port, log)
        yield Running(name, url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on port {port} within 30 s")


if __name__ == "__main__":
    {"flask": _bare_flask, "httpserver": _httpserver}[sys.argv[1]]()
