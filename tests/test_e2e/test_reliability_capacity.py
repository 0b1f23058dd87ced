"""Idle and slow clients do not lock anyone out, and idle connections do not stay forever.

waitress's defaults (100 connections, select(), 120 s idle) let about a hundred keep-alive
clients (a parallel test run, a browser with a few tabs) or slowloris connections starve every
new client. Here a thousand idle keep-alive connections and two hundred clients that never
finish their headers are held open while a new client asks for an answer.
"""

from __future__ import annotations

import resource
import socket
from collections.abc import Iterator

import pytest
import requests

from simulator.web.live_server import LiveServer
from simulator.web.serving import opened_app

IDLE = 1000
SLOW = 200
REQUEST = b"GET /_sim/health HTTP/1.1\r\nHost: localhost\r\n\r\n"


@pytest.fixture(scope="module", autouse=True)
def descriptors() -> Iterator[None]:
    """Room for both ends of every connection in this one process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * (IDLE + SLOW) + 256
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"this machine allows {hard} open files; the test needs {wanted}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def connect(server: LiveServer) -> socket.socket:
    """A plain TCP connection to the server."""
    return socket.create_connection((server.host, server.port), timeout=10)


def answered(client: socket.socket) -> bytes:
    """Send one health request on `client` and read its whole answer (headers and body)."""
    client.sendall(REQUEST)
    received = b""
    while b"\r\n\r\n" not in received:
        received += client.recv(4096)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += client.recv(4096)
    return head


def test_a_thousand_idle_and_two_hundred_slow_clients_leave_room_for_a_new_one() -> None:
    held: list[socket.socket] = []
    with opened_app({"AKITA_DB": None}) as app, LiveServer(app) as server:
        try:
            for _ in range(IDLE):  # keep-alive: one answered request, then silence
                client = connect(server)
                held.append(client)
                assert answered(client).startswith(b"HTTP/1.1 200")
            for _ in range(SLOW):  # slowloris: headers begun, never finished
                client = connect(server)
                client.sendall(b"POST /akita/v1/segment HTTP/1.1\r\nHost: localhost\r\n")
                held.append(client)

            answer = requests.get(server.url_for("/_sim/health"), timeout=10)

            assert answer.status_code == 200
        finally:
            for client in held:
                client.close()


def test_an_idle_connection_is_closed_after_the_idle_timeout() -> None:
    with (opened_app({"AKITA_DB": None}) as app, LiveServer(app, idle_timeout=1) as server,
          connect(server) as client):
        assert answered(client).startswith(b"HTTP/1.1 200")

        client.settimeout(15)  # far beyond the timeout plus waitress's cleanup interval
        assert client.recv(4096) == b""  # the server closed it
