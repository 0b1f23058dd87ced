"""The audit's one promise: for any calls, however they are split into files and partitions,
it finds the state the simulator holds after the same calls went through the local Segment.

The simulator side is the real path: a `POST /v1/batch` to the gateway of the serving app, which
runs Segment's pipeline (edge de-duplication included) and delivers into the simulator; its
snapshot is the expected state. Journeys give realistic histories; the extras add what crosses
partitions hardest: an anonymous id identified by two people, group calls known only by an
anonymous id, calls kept from Akita by `integrations`, invalid calls and re-sends.
"""

from __future__ import annotations

import copy
import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import dask
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.generators.journeys import journeys
from simulator.audit import Options, build, snapshot
from simulator.web import gateway_of, simulator_of
from simulator.web.serving import opened_app

CLOCK = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # the receiving clock of both sides
WRITE_KEY = "audit-write-key"


def simulator_snapshot(calls: list[Any]) -> dict[str, Any]:
    """The state a fresh serving app holds after its gateway received the calls, in order."""
    with opened_app({"AKITA_DB": None, "TESTING": True}) as app:
        gateway_of(app).clock = lambda: CLOCK
        answer = app.test_client().post("/v1/batch", json={"batch": calls,
                                                           "writeKey": WRITE_KEY})
        assert answer.status_code == 200, answer.json
        simulator = simulator_of(app)
        return json.loads(json.dumps(simulator.snapshot(simulator.workspace_for_key(WRITE_KEY))))


def audit_snapshot(files: list[Path], partitions: int) -> dict[str, Any]:
    """The state the audit finds in the files, on the synchronous scheduler."""
    with dask.config.set(scheduler="synchronous"):
        return snapshot(build([str(f) for f in files], Options(clock=CLOCK,
                                                               partitions=partitions)))


def write_files(folder: Path, calls: list[Any], cuts: list[int], gzipped: list[bool]
                ) -> list[Path]:
    """The calls as JSON Lines files cut at `cuts`, each gzipped or not; files are named in
    order, so a folder lists them in the calls' order."""
    bounds = [0, *sorted(cut % (len(calls) + 1) for cut in cuts), len(calls)]
    files = []
    for number, (start, end) in enumerate(pairwise(bounds)):
        text = "".join(json.dumps(call) + "\n" for call in calls[start:end]).encode()
        zipped = gzipped[number % len(gzipped)]
        path = folder / f"{number:03}.jsonl{'.gz' if zipped else ''}"
        path.write_bytes(gzip.compress(text) if zipped else text)
        files.append(path)
    return files


@st.composite
def archives(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A journey's calls with the extras of the module docstring, in any order."""
    journey = draw(journeys(max_users=4, max_calls=30, shuffled=True))
    start = datetime.fromisoformat(journey.calls[0]["timestamp"].replace("Z", "+00:00"))
    anonymous = [*journey.anonymous_ids.values(), *journey.visitors]
    when = st.integers(0, 3 * 24 * 60).map(
        lambda minutes: (start + timedelta(minutes=minutes)).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"))

    def extra(call: dict[str, Any]) -> dict[str, Any]:
        return {**call, "messageId": f"extra-{uuid.uuid4()}", "timestamp": draw(when)}

    calls = list(journey.calls)
    for _ in range(draw(st.integers(0, 2))):  # a second person identifies on someone's device
        calls.append(extra({"type": "identify", "userId": draw(st.sampled_from(journey.users)),
                            "anonymousId": draw(st.sampled_from(anonymous))}))
    for _ in range(draw(st.integers(0, 2))):  # a group call known by an anonymous id alone
        calls.append(extra({"type": "group", "anonymousId": draw(st.sampled_from(anonymous)),
                            "groupId": draw(st.sampled_from(journey.accounts)),
                            "traits": {"plan": draw(st.sampled_from(["free", "pro"]))}}))
    if draw(st.booleans()):  # kept from Akita by its sender
        calls.append(extra({"type": "track", "userId": journey.users[0], "event": "Hidden",
                            "integrations": {"All": False}}))
    if draw(st.booleans()):  # breaks the contract
        calls.append(extra({"type": "track", "userId": journey.users[0]}))
    resent = draw(st.lists(st.integers(0, len(calls) - 1), max_size=2))
    calls += [copy.deepcopy(calls[index]) for index in resent]
    return draw(st.permutations(calls))


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
@given(calls=archives(), cuts=st.lists(st.integers(0, 200), max_size=3),
       gzipped=st.lists(st.booleans(), min_size=1, max_size=3), partitions=st.integers(1, 5))
def test_the_audit_finds_the_simulators_state_however_the_calls_are_split(
        tmp_path_factory: pytest.TempPathFactory, calls: list[dict[str, Any]], cuts: list[int],
        gzipped: list[bool], partitions: int) -> None:
    files = write_files(tmp_path_factory.mktemp("archive"), calls, cuts, gzipped)

    assert audit_snapshot(files, partitions) == simulator_snapshot(calls)
