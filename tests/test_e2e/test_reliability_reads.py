"""Reads never hold writers: a whole-workspace read answers from a read view, so ingest goes on
while it is built, and what it answers is still exactly the workspace's state.
"""

from __future__ import annotations

import threading
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.service import Simulator
from simulator.store import SQLiteStore


def contact(n: int, person: str, account: str) -> dict[str, Any]:
    """A contact message placing `person` in `account`, numbered `n`."""
    return {"type": "contact", "message_id": f"m{n}", "person_id": person,
            "organization_id": account, "timestamp": f"2026-11-29T10:{n // 60 % 60:02d}:"
                                                     f"{n % 60:02d}.000Z",
            "traits": {"seen": n}}


def test_ingest_completes_while_a_snapshot_is_being_built() -> None:
    simulator = Simulator(SQLiteStore())
    workspace = simulator.create_workspace()["id"]
    simulator.ingest(workspace, {"batch": [contact(n, f"u{n % 7}", "a") for n in range(50)]})
    simulator.snapshot(workspace)  # the read view exists now
    building, release = threading.Event(), threading.Event()
    view = simulator._views._views[workspace].engine
    real = view.snapshot

    def slow_snapshot() -> dict[str, Any]:
        building.set()
        assert release.wait(30)
        return real()

    view.snapshot = slow_snapshot
    taken: list[dict[str, Any]] = []
    reader = threading.Thread(target=lambda: taken.append(simulator.snapshot(workspace)))
    reader.start()
    assert building.wait(30)

    answer = simulator.ingest(workspace, {"batch": [contact(1000, "late", "b")]})

    assert answer == {"accepted": 1, "duplicates": 0}
    assert reader.is_alive()  # the snapshot is still being built: ingest did not wait for it
    release.set()
    reader.join(30)
    assert taken[0]["counts"]["messages"] == 50  # the state as of the read's start
    assert simulator.snapshot(workspace)["counts"]["messages"] == 51
    simulator.close()


STEPS = st.lists(st.one_of(
    st.tuples(st.just("ingest"), st.lists(st.tuples(st.integers(0, 40), st.integers(0, 4),
                                                    st.integers(0, 2)), min_size=1, max_size=5)),
    st.tuples(st.just("read"), st.none()),
    st.tuples(st.just("reset"), st.none()),
), max_size=12)


@settings(max_examples=40)
@given(steps=STEPS)
def test_whole_reads_always_equal_the_live_state(steps: list[tuple[str, Any]]) -> None:
    simulator = Simulator(SQLiteStore())
    workspace = simulator.create_workspace()["id"]
    for kind, argument in steps:
        if kind == "ingest":
            simulator.ingest(workspace, {"batch": [contact(n, f"u{p}", f"a{a}")
                                                   for n, p, a in argument]})
        elif kind == "reset":
            simulator.reset(workspace)
        with simulator._state(workspace) as live:
            expected = live.snapshot()
        assert simulator.snapshot(workspace) == expected
        assert simulator.contacts(workspace) == expected["contacts"]
    simulator.close()
