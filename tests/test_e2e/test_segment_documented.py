"""Segment's documented payloads get the same outcome from every tool, and the one the docs
and Akita's rules imply: through the local Segment gateway (over its HTTP paths), through
`akita-map`'s run (in process, one run for the whole corpus, as one file would be), and on the
playground's page.

The playground checks a call without sending it, so it neither uses up a messageId nor has a
path or a batch to give the call a type or context: it is compared on the standalone calls.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from segment_documented import CORPUS, Documented

from contract.timestamps import parse_timestamp
from destination.cli import Run
from destination.inputs import Sourced
from destination.report import DeliveryRecord
from simulator.web import simulator_of
from simulator.web.serving import opened_app

KEY = "documented-key"
Outcome = tuple[str, str | None, dict[str, Any] | None]
JOURNALED = {"accepted": "mapped", "duplicate": "duplicate", "filtered": "filtered",
             "skipped": "skipped", "failed": "invalid"}


def sendings(case: Documented) -> int:
    """How often the case is sent: twice when it repeats itself."""
    return 2 if case.repeat_of == case.name else 1


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    """The served app, gateway included, one workspace keyed KEY."""
    with opened_app({"AKITA_DB": None, "AKITA_API_KEY": KEY}) as app:
        yield app


def _path_of(reasons: list[str]) -> str | None:
    found = re.match(r"(?:invalid Segment call: )?(\$[^:]*):", reasons[0]) if reasons else None
    return found[1] if found else None


@pytest.fixture(scope="module")
def gateway_outcomes(app: Flask) -> dict[str, list[Outcome]]:
    """Each case's outcomes through the gateway, read back from the journal."""
    client, simulator = app.test_client(), simulator_of(app)
    workspace = simulator.workspace_for_key(KEY)
    found: dict[str, list[Outcome]] = {}
    for case in CORPUS:
        for _ in range(sendings(case)):
            path = f"/v1/{case.kind}" if case.kind else "/v1/batch"
            body = case.call if case.kind else {"batch": [case.call], **case.batch}
            assert client.post(path, json=body, auth=(KEY, "")).status_code == 200
            (entry,) = simulator.journal(workspace, limit=1)
            status = JOURNALED[entry["status"]]
            path_named = _path_of(entry["reasons"]) if status in ("invalid", "skipped") else None
            found.setdefault(case.name, []).append((status, path_named, entry["akita_message"]))
    return found


class Collected:
    """A renderer that keeps what `akita-map` would print."""

    def __init__(self) -> None:
        self.records: list[tuple[str, DeliveryRecord]] = []

    def record(self, origin: str, record: DeliveryRecord) -> None:
        """Keep one record."""
        self.records.append((origin, record))

    def summary(self, counts: dict[str, int]) -> None:
        """Nothing to keep: the records say it all."""


@pytest.fixture(scope="module")
def map_outcomes() -> dict[str, list[Outcome]]:
    """Each case's outcomes through one `akita-map` run over the whole corpus."""
    found: dict[str, list[Outcome]] = {}
    for case in CORPUS:  # one run per path type, as `--type` is one per run
        collected = Collected()
        run = Run(argparse.Namespace(type=case.kind, problems=False), collected, None)
        for number in range(sendings(case)):
            run.take(Sourced(f"{case.name}:{number}", case.call, case.batch or None))
        run.finish()
        found[case.name] = [(r.status, r.path if r.status in ("invalid", "skipped") else None,
                             r.message) for _, r in collected.records]
    return found


def comparable(message: dict[str, Any] | None) -> dict[str, Any] | None:
    """A message without what each tool stamps for itself (ids assigned, times of receipt)."""
    if message is None:
        return None
    return {k: v for k, v in message.items() if k not in ("message_id", "timestamp")}


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_the_gateway_and_akita_map_agree_and_are_right(
        case: Documented, gateway_outcomes: dict[str, list[Outcome]],
        map_outcomes: dict[str, list[Outcome]]) -> None:
    through_gateway, through_map = gateway_outcomes[case.name], map_outcomes[case.name]

    assert [(s, p, comparable(m)) for s, p, m in through_gateway] == [
        (s, p, comparable(m)) for s, p, m in through_map]
    status, path, message = through_gateway[-1]
    assert (status, path) == case.outcome, case.source
    for name, value in case.message.items():
        assert message[name] == value, (case.source, name)
    if sendings(case) == 2 and status == "mapped":  # two events, two ids
        assert through_gateway[0][2]["message_id"] != message["message_id"]


def test_a_device_clock_hours_off_lands_at_the_time_it_was_received(
        gateway_outcomes: dict[str, list[Outcome]]) -> None:
    (_, _, message) = gateway_outcomes["a browser clock two hours ahead"][0]
    landed = parse_timestamp(message["timestamp"])

    assert abs(datetime.now(landed.tzinfo) - landed) < timedelta(minutes=5)  # not in 2099


STANDALONE = [case for case in CORPUS if not (case.kind or case.batch or case.repeat_of)]


@pytest.mark.parametrize("case", STANDALONE, ids=[case.name for case in STANDALONE])
def test_the_playground_shows_the_same_outcome(
        app: Flask, case: Documented, map_outcomes: dict[str, list[Outcome]]) -> None:
    workspace = simulator_of(app).workspace_for_key(KEY)
    html = app.test_client().get(f"/workspaces/{workspace}/playground",
                                 query_string={"call": json.dumps(case.call)}).get_data(True)

    status = re.search(r'id="outcome-status">(\w+)<', html)[1]
    assert status == map_outcomes[case.name][0][0]
    if status == "invalid":  # the field at fault, as the sender sent it
        assert f'<code class="path">{case.outcome[1]}</code>' in html
    if status == "skipped":
        assert f"Akita does not support {case.call['type']} calls" in html
