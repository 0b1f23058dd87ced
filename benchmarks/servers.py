"""The servers the HTTP benchmarks load, each in its own process, and how to start them.

Each server runs in a separate process so that it never shares a GIL with the load generator:
- `simulator`: `akita-sim serve` itself (waitress with its default threads, a database file),
  so the numbers are those of the command users run; `simulator-t<N>` with `--threads N`;
- `simulator-granian`, `simulator-cheroot`: the same app under granian (a Rust server) or
  cheroot (CherryPy's threaded one), to show what another server would change;
- `flask`: a bare Flask endpoint that only parses the JSON body, under the simulator's
  waitress settings: the floor any Flask app pays;
- `flask-commit`: the same, plus one SQLite commit a request (WAL, synchronous=NORMAL, one
  connection, as the store): the floor of any design that commits before it answers;
- `httpserver`: pytest-httpserver answering a fixed response, the generic mock a team would
  pick instead of a simulator;
- `wiremock`, `mockttp`: the stubs other ecosystems use (WireMock's standalone jar, from the
  npm package `wiremock`, on the machine's Java; mockttp on Node.js), each answering the same
  fixed response; installed with npm into `benchmarks/.cache/` on first use, and skipped with
  the reason when they cannot be.

Run as a script (`python servers.py NAME PORT [DB]`) it serves one of the baselines. Each
server's output goes to a log file beside its database: a pipe nobody reads would fill up and
stall the server (waitress warns about its queue depth under load).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import python_script

HERE = Path(__file__).resolve().parent
INGEST_PATH = "/akita/v1/segment"
API_KEY = "bench-key"
_ANSWER = {"accepted": 1, "duplicates": 0}


@dataclass(frozen=True)
class Running:
    """A server process and the base URL it answers on."""

    name: str
    url: str
    pid: int


def _bare_flask(commit: bool) -> None:
    import sqlite3
    import threading

    from flask import Flask, request

    from simulator.web.live_server import DEFAULT_THREADS, waitress_server

    app = Flask("bare")
    if commit:
        db = sqlite3.connect(sys.argv[3], check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, body TEXT)")
        lock = threading.Lock()

    @app.post(INGEST_PATH)
    def ingest() -> dict[str, int]:
        body = request.get_json()
        if commit:
            rows = [(m["message_id"], json.dumps(m)) for m in body["batch"]]
            with lock:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT INTO messages VALUES (?, ?)", rows)
                db.execute("COMMIT")
        return {"accepted": len(body["batch"]), "duplicates": 0}

    waitress_server(app, host="127.0.0.1", port=int(sys.argv[2]), threads=DEFAULT_THREADS).run()


def _httpserver() -> None:
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=int(sys.argv[2]))
    server.expect_request(INGEST_PATH, method="POST").respond_with_json(_ANSWER)
    server.start()
    while True:
        time.sleep(3600)


def simulator_app() -> Any:
    """The served app, for servers that import it (granian, cheroot): `AKITA_DB` names the
    database, and the key is the benchmark's."""
    from simulator.web.serving import create_serving_app

    return create_serving_app({"AKITA_DB": os.environ["AKITA_DB"], "AKITA_API_KEY": API_KEY})


def _cheroot() -> None:
    from cheroot.wsgi import Server

    from simulator.web.live_server import DEFAULT_THREADS, MAX_REQUEST_BODY

    server = Server(("127.0.0.1", int(sys.argv[2])), simulator_app(), numthreads=DEFAULT_THREADS)
    server.max_request_body_size = MAX_REQUEST_BODY
    server.start()


NPM_PEERS = {"wiremock": "wiremock@3.13.2", "mockttp": "mockttp@4.6.5"}
CACHE = HERE / ".cache"
MOCKTTP = f"""
const mockttp = require("mockttp");
(async () => {{
  const server = mockttp.getLocal();
  await server.start(Number(process.argv[1]));
  await server.forPost("{INGEST_PATH}").thenJson(200, {json.dumps(_ANSWER)});
}})();
"""


def _npm_modules(name: str) -> Path | str:
    """The node_modules folder holding an npm peer, installed on first use; else why not."""
    modules = CACHE / name / "node_modules"
    if (modules / name).is_dir():
        return modules
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed"
    try:
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save",
                               "--prefix", str(CACHE / name), NPM_PEERS[name]],
                              capture_output=True, text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        return f"npm install {NPM_PEERS[name]} took over 300 s"
    if done.returncode != 0:
        return f"npm install {NPM_PEERS[name]} failed: {done.stderr.strip()[-200:]}"
    return modules


def available(name: str) -> str | None:
    """Why server `name` cannot run here, or None when it can."""
    needs = {"simulator-granian": "granian", "simulator-cheroot": "cheroot",
             "httpserver": "pytest_httpserver"}.get(name)
    if needs is not None and importlib.util.find_spec(needs) is None:
        return f"{needs} is not installed"
    runtime = {"wiremock": "java", "mockttp": "node"}.get(name)
    if runtime is not None:
        if shutil.which(runtime) is None:
            return f"{runtime} is not installed"
        found = _npm_modules(name)
        if isinstance(found, str):
            return found
    return None


def _command(name: str, port: int, db: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "AKITA_DB": str(db)}
    if name == "simulator" or name.startswith("simulator-t"):
        threads = ["--threads", name.removeprefix("simulator-t")] if "-t" in name else []
        return [sys.executable, "-c", "import sys; from simulator.cli import main; "
                "sys.exit(main())", "serve", "--port", str(port), "--db", str(db),
                "--api-key", API_KEY, *threads], env
    if name == "simulator-granian":
        from simulator.web.live_server import DEFAULT_THREADS

        return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1", "--blocking-threads",
                str(DEFAULT_THREADS), "--log-level", "warning", "--factory",
                "servers:simulator_app"], {**env, "PYTHONPATH": str(HERE)}
    if name == "wiremock":
        [jar] = (CACHE / "wiremock" / "node_modules" / "wiremock" / "build").glob("*.jar")
        return ["java", "-jar", str(jar), "--port", str(port), "--bind-address", "127.0.0.1",
                "--disable-banner", "--no-request-journal"], env
    if name == "mockttp":
        env["NODE_PATH"] = str(CACHE / "mockttp" / "node_modules")
        return ["node", "-e", MOCKTTP, str(port)], env
    return python_script("servers.py", name, str(port), str(db)), env


def _stub_wiremock(url: str) -> None:
    """Give WireMock the fixed answer every stub here gives."""
    import urllib.request

    mapping = {"request": {"method": "POST", "urlPath": INGEST_PATH},
               "response": {"status": 200, "jsonBody": _ANSWER}}
    request = urllib.request.Request(f"{url}/__admin/mappings", method="POST",
                                     data=json.dumps(mapping).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10):
        pass


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
        command, env = _command(name, port, workdir / f"{name}.sqlite3")
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env,
                                   cwd=HERE)
    try:
        url = _wait_until_listening(process, port, log)
        if name == "wiremock":
            _stub_wiremock(url)
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
    {"flask": lambda: _bare_flask(commit=False), "flask-commit": lambda: _bare_flask(commit=True),
     "httpserver": _httpserver, "simulator-cheroot": _cheroot}[sys.argv[1]]()
