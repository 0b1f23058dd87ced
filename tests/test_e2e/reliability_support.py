"""What the reliability tests share: fault plans, the whole journal, rule 1 checked on any
snapshot, bare HTTP over a socket, and a sender a spawned process can run. (Fresh workspaces
inside Hypothesis examples come from `contract_support.new_workspace`.)
"""

from __future__ import annotations

import socket
from typing import Any

import requests

from simulator.pytest_plugin import AkitaWorkspace
from simulator.web.live_server import LiveServer

TIMEOUT = 10
_JOURNAL_PAGE = 1000  # the simulator's largest page


def set_faults(workspace: AkitaWorkspace, **plan: Any) -> dict[str, Any]:
    """PUT a fault plan on the workspace; the state the simulator answers with."""
    answer = requests.put(f"{workspace.server_url}/_sim/workspaces/{workspace.id}/faults",
                          json=plan, timeout=TIMEOUT)
    answer.raise_for_status()
    return answer.json()


def whole_journal(workspace: AkitaWorkspace) -> list[dict[str, Any]]:
    """Every journal entry of the workspace, newest first, page after page."""
    entries: list[dict[str, Any]] = []
    before = None
    while True:
        page = requests.get(f"{workspace.server_url}/_sim/workspaces/{workspace.id}/journal",
                            params={"limit": _JOURNAL_PAGE, "before": before},
                            timeout=TIMEOUT).json()
        entries += page["entries"]
        before = page["next_before"]
        if before is None:
            return entries


def rule_one_breaches(state: dict[str, Any]) -> list[str]:
    """How a snapshot breaks "every contact belongs to one, and only one, account": a person
    listed by two accounts, or an account and a contact that disagree. Empty when it holds."""
    breaches = []
    listed: dict[str, str] = {}
    for account in state["accounts"]:
        for person in account["contacts"]:
            if person in listed:
                breaches.append(f"{person} in {listed[person]} and {account['organization_id']}")
            listed[person] = account["organization_id"]
    for contact in state["contacts"]:
        person, placed = contact["person_id"], contact["organization_id"]
        if listed.get(person) != placed:
            breaches.append(f"{person} says {placed}, accounts say {listed.get(person)}")
        if (placed is None) != (contact["pending_reason"] is not None):
            breaches.append(f"{person} is placed in {placed} and pending at once")
    return breaches


def raw_exchange(server: LiveServer, request: bytes) -> bytes:
    """Send `request` bytes as they are over a fresh connection; every byte the server sent
    back before closing (send `Connection: close`) or before five silent seconds."""
    received = b""
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(request)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            pass  # the server keeps the connection open: what came is the answer
    return received


def post_batches(url: str, api_key: str, batches: list[list[dict[str, Any]]]
                 ) -> list[dict[str, Any]]:
    """POST each batch to ingest in turn on one connection; the answers. A top-level function,
    so a process started with `spawn` can run it too."""
    with requests.Session() as session:
        answers = []
        for batch in batches:
            answer = session.post(url, json={"batch": batch}, auth=(api_key, ""),
                                  timeout=TIMEOUT)
            answer.raise_for_status()
            answers.append(answer.json())
        return answers
