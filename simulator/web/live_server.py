"""A real HTTP server around any WSGI app, in a background thread, for tests and scripts.

Tests need the whole HTTP stack (sockets, waitress's parsing, the destination's retries), not
just Flask's test client, and they must not care which port is free: the server binds port 0
and reads the real port back. It works without pytest, so a script or a notebook can use it:

    with LiveServer(create_app()) as server:
        requests.get(server.url_for("/_sim/health"))

Bodies: waitress reads a whole body before the app sees the request, so the app's size checks
cannot keep a huge body from being read. `MAX_REQUEST_BODY` makes waitress answer 413 from the
headers alone beyond twice the largest batch any route takes; below that the app answers, with
a JSON reason naming the exact limit (a batch slightly too large is the usual mistake).

Capacity: waitress's defaults (100 connections, then new clients wait; idle ones kept 120 s;
select(), which cannot watch a socket numbered past 1024) let about a hundred idle keep-alive
clients, or slow ones, lock everyone else out. `waitress_server` raises the limit, polls, and
closes idle connections sooner; reading a request is asynchronous in waitress, so slow clients
hold sockets, never threads. The CLI and `LiveServer` both build their server with it.

Stopping: waitress's own `run()` loops until its socket map is empty, and closing sockets from
another thread races that loop. So the loop here polls one round at a time and checks a stop
flag; `stop()` sets the flag and wakes the loop through waitress's trigger, and the serving
thread closes everything itself.
"""

from __future__ import annotations

import threading
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

from contract import limits

MAX_REQUEST_BODY = 2 * limits.MAX_BATCH_BYTES
DEFAULT_CONNECTION_LIMIT = 2000
DEFAULT_IDLE_TIMEOUT = 30  # seconds a connection may sit idle before it is closed
DEFAULT_THREADS = 8  # threads running requests; connections are waitress's async loop's


def waitress_server(app: Any, *, host: str, port: int, threads: int = DEFAULT_THREADS,
                    connection_limit: int = DEFAULT_CONNECTION_LIMIT,
                    idle_timeout: int = DEFAULT_IDLE_TIMEOUT,
                    socket_map: dict[int, Any] | None = None) -> Any:
    """A waitress server for `app` with the simulator's body limit and connection capacity."""
    options: dict[str, Any] = {"map": socket_map} if socket_map is not None else {}
    return create_server(
        app, host=host, port=port, threads=threads, max_request_body_size=MAX_REQUEST_BODY,
        connection_limit=connection_limit, channel_timeout=idle_timeout,
        cleanup_interval=max(1, min(30, idle_timeout // 2)), asyncore_use_poll=True,
        **options)


class LiveServer:
    """waitress serving `app` on `host:port` (0 = any free port) from a daemon thread."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, *,
                 threads: int = DEFAULT_THREADS,
                 connection_limit: int = DEFAULT_CONNECTION_LIMIT,
                 idle_timeout: int = DEFAULT_IDLE_TIMEOUT):
        self.app = app
        self.host = host
        self.port = port
        self.threads = threads
        self.connection_limit = connection_limit
        self.idle_timeout = idle_timeout
        self._map: dict[int, Any] = {}
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. `http://127.0.0.1:51234`."""
        if self._server is None:
            raise RuntimeError("the server is not running; call start() first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url_for(self, path: str) -> str:
        """Absolute URL of `path` on this server (`/_sim/health` -> `http://.../_sim/health`)."""
        return self.url + (path if path.startswith("/") else f"/{path}")

    def start(self) -> LiveServer:
        """Bind, read back the real port, and serve from a daemon thread; returns self."""
        if self._server is not None:
            raise RuntimeError("the server is already running")
        self._stopping.clear()
        self._map = {}
        self._server = waitress_server(
            self.app, host=self.host, port=self.port, threads=self.threads,
            connection_limit=self.connection_limit, idle_timeout=self.idle_timeout,
            socket_map=self._map)
        self.port = self._server.effective_port
        self._thread = threading.Thread(
            target=self._serve, name=f"akita-live-server-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def _serve(self) -> None:
        server = self._server
        while not self._stopping.is_set():
            wasyncore.loop(timeout=server.adj.asyncore_loop_timeout, map=self._map, count=1,
                           use_poll=server.adj.asyncore_use_poll)
        wasyncore.close_all(self._map)
        server.task_dispatcher.shutdown()

    def stop(self) -> None:
        """Stop serving and free the port; waits for requests in flight (a few seconds at most)."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.pull_trigger()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self.url if self._server is not None else "stopped"
        return f"<LiveServer {state}>"
