"""Concurrency: many writers moving the same people between accounts at once never break
rule 1, never apply a message twice, and end where the engine alone ends.

Eight writers (threads in one run, spawned processes in the other) send interleaved group
(`account` with a person) and identify (`contact` with `organization_id`) messages for the
same six people across three accounts, with equal timestamps on purpose and a quarter of the
messages also sent by another writer. A reader polls `/state` all along; every snapshot it
sees must satisfy rule 1.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import requests
from contract_support import new_workspace
from reliability_support import TIMEOUT, post_batches, rule_one_breaches

from simulator.engine import Workspace
from simulator.pytest_plugin import AkitaWorkspace
from simulator.web.live_server import LiveServer

WRITERS = 8
BATCHES_PER_WRITER = 20
PEOPLE = [f"person-{n}" for n in range(6)]
ACCOUNTS = ["acct-a", "acct-b", "acct-c"]


def message(rng: random.Random, number: int) -> dict[str, Any]:
    """A placement by group or identify, or a bare identify, at one of few instants."""
    person, org = rng.choice(PEOPLE), rng.choice(ACCOUNTS)
    timestamp = f"2026-03-01T09:{rng.randrange(20):02d}:00.000Z"  # many ties
    kind = rng.choice(("account", "contact", "contact-unplaced"))
    if kind == "account":
        return {"type": "account", "message_id": f"m{number}", "timestamp": timestamp,
                "organization_id": org, "person_id": person, "traits": {"name": org.upper()}}
    placed = {"organization_id": org} if kind == "contact" else {}
    return {"type": "contact", "message_id": f"m{number}", "timestamp": timestamp,
            "person_id": person, "traits": {"seen": number}, **placed}


def writers_batches(seed: int) -> tuple[list[list[list[dict]]], list[dict]]:
    """Each writer's batches, and every distinct message among them."""
    rng = random.Random(seed)
    plans: list[list[list[dict]]] = []
    sent: list[dict] = []
    for _ in range(WRITERS):
        batches = []
        for _ in range(BATCHES_PER_WRITER):
            batch = []
            for _ in range(rng.randint(1, 5)):
                if sent and rng.random() < 0.25:
                    batch.append(rng.choice(sent))  # also sent by another writer, or again
                else:
                    sent.append(message(rng, len(sent)))
                    batch.append(sent[-1])
            batches.append(batch)
        plans.append(batches)
    return plans, sent


def spawned_processes(workers: int) -> Executor:
    """Processes started fresh (spawn), each with its own connections to the server."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


class Reader(threading.Thread):
    """Polls the workspace's state until stopped, keeping rule 1's breaches of each snapshot."""

    def __init__(self, workspace: AkitaWorkspace) -> None:
        super().__init__(daemon=True)
        self.url = f"{workspace.server_url}/_sim/workspaces/{workspace.id}/state"
        self.stopping = threading.Event()
        self.snapshots = 0
        self.breaches: list[str] = []

    def run(self) -> None:
        with requests.Session() as session:
            while not self.stopping.is_set():
                state = session.get(self.url, timeout=TIMEOUT).json()
                self.breaches += rule_one_breaches(state)
                self.snapshots += 1


@pytest.mark.parametrize("pool", [ThreadPoolExecutor, spawned_processes],
                         ids=["threads", "processes"])
def test_parallel_writers_keep_rule_one_and_apply_each_message_once(
        akita_server: LiveServer, pool: Callable[[int], Executor]) -> None:
    workspace = new_workspace(akita_server)
    plans, distinct = writers_batches(seed=20260301)
    reader = Reader(workspace)
    reader.start()
    try:
        with pool(WRITERS) as executor:
            answers = list(executor.map(post_batches, [workspace.url] * WRITERS,
                                        [workspace.api_key] * WRITERS, plans))
    finally:
        reader.stopping.set()
        reader.join()
    final = workspace.state()

    assert reader.snapshots > 1 and reader.breaches == []
    assert rule_one_breaches(final) == []
    flat = [answer for writer in answers for answer in writer]
    assert sum(a["accepted"] for a in flat) == len(distinct) == final["counts"]["messages"]
    assert sum(a["accepted"] + a["duplicates"] for a in flat) == sum(
        len(batch) for batches in plans for batch in batches)
    alone = Workspace(session_timeout=timedelta(minutes=30), strict_accounts=False)
    alone.apply(distinct)
    assert final == alone.snapshot()
