"""Faults lose nothing and double nothing: a customer journey delivered by the destination
through a simulator that fails on purpose ends in exactly the state it reaches without faults.

Each example sends the same journey to two fresh workspaces, one clean and one with a seeded
fault plan that opens with one of every fault (so each fires at least once) and then fails a
third of requests at random: error answers, 429s, dropped connections, and lost answers (the
batch applied, the answer never sent: the case only de-duplication makes safe). The client's
backoff never sleeps; the only real wait is the plan's one millisecond of latency.
"""

from __future__ import annotations

from collections import Counter

import requests
from contract_support import new_workspace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import TIMEOUT, set_faults, whole_journal

from contract.generators.strategies import Journey, journeys
from destination import AkitaClient, DeliveryReport
from destination.retry import RetryPolicy
from simulator.pytest_plugin import AkitaWorkspace
from simulator.web.live_server import LiveServer

EVERY_FAULT = [503, "drop", "lost_answer", 429, 500]
# Far more attempts than any batch needs: a failed record would mean the plan beat the client.
PATIENT = RetryPolicy(max_attempts=200, sleep=lambda _: None)


def deliver(workspace: AkitaWorkspace, journey: Journey, batch_size: int) -> DeliveryReport:
    """The journey's calls through the destination's client, retried without sleeping."""
    with AkitaClient(workspace.server_url, workspace.api_key, retry=PATIENT,
                     flush_interval=None, max_batch_messages=batch_size) as client:
        return client.deliver(journey.calls)


@settings(max_examples=min(settings.default.max_examples, 20),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(journey=journeys(shuffled=True), batch_size=st.integers(1, 8),
       seed=st.integers(0, 2**32 - 1))
def test_a_journey_through_faults_ends_as_without_them_and_nothing_is_applied_twice(
        akita_server: LiveServer, journey: Journey, batch_size: int, seed: int) -> None:
    clean, faulty = new_workspace(akita_server), new_workspace(akita_server)
    set_faults(faulty, sequence=EVERY_FAULT, error_rate=0.15, drop_rate=0.05,
               lost_answer_rate=0.1, latency_ms=1, retry_after=0, seed=seed)

    expected = deliver(clean, journey, batch_size)
    report = deliver(faulty, journey, batch_size)

    assert faulty.state() == clean.state()
    sent = {record.message_id for record in report.records if record.message is not None}
    assert all(record.status in ("delivered", "duplicate")
               for record in report.records if record.message is not None), [
        (record.status, record.reason) for record in report.records]
    assert [r.status for r in report.records if r.message is None] == [
        r.status for r in expected.records if r.message is None]
    counts = requests.get(f"{faulty.server_url}/_sim/workspaces/{faulty.id}/faults",
                          timeout=TIMEOUT).json()["counts"]
    assert all(counts[str(fault)] for fault in EVERY_FAULT)
    accepted = Counter(entry["message_id"] for entry in whole_journal(faulty)
                       if entry["status"] == "accepted")
    assert set(accepted) == sent and set(accepted.values()) <= {1}
