"""The dashboard's computing helpers: the time axis, wording, placing calls, before and after."""

from __future__ import annotations

import pytest
from engine_messages import at

from contract import validate_segment_call
from contract.mapping import Mapped, map_call
from simulator.web.dashboard import changes, render


def session(start: float, end: float, *items: tuple[str, float]) -> dict:
    """A session view from `start` to `end` (minutes after T0) with (type, minute) items."""
    return {"start": at(start), "end": at(end), "items": [
        {"type": kind, "timestamp": at(minute), "event": "Clicked", "name": "Home"}
        for kind, minute in items]}


def test_sessions_share_one_axis_and_items_spread_along_their_own_lane() -> None:
    lanes = render.timeline([session(100, 100, ("event", 100)),
                             session(0, 10, ("page", 0), ("event", 5), ("event", 10))],
                            items_per_lane=10)
    late, early = lanes
    assert early.x == 0 and early.width == pytest.approx(100)
    assert late.x == render.AXIS - late.width and late.width == render.MIN_BAR
    assert [m.x for m in early.marks] == [0, 500, 1000]
    assert [m.kind for m in early.marks] == ["page", "event", "event"]
    assert late.marks[0].x == render.AXIS / 2  # a one-instant session: its item in the middle
    assert render.timeline([], items_per_lane=10) == []


def test_a_lane_lists_at_most_the_items_asked_for() -> None:
    [lane] = render.timeline([session(0, 3, *[("event", m) for m in range(4)])],
                             items_per_lane=2)
    assert len(lane.marks) == 2


@pytest.mark.parametrize(("ms", "said"), [(0, "0 s"), (59_999, "59 s"), (252_000, "4 min 12 s"),
                                          (7_500_000, "2 h 5 min")])
def test_durations_read_as_people_say_them(ms: int, said: str) -> None:
    assert render.duration(ms) == said


def test_counts_agree_with_their_nouns() -> None:
    assert [render.counted(n, "event") for n in (0, 1, 1200)] == [
        "0 events", "1 event", "1,200 events"]


def test_reasons_split_into_path_and_why() -> None:
    assert render.split_reason("$.batch[0].person_id: is required") == (
        "$.batch[0].person_id", "is required")
    assert render.split_reason("not applied: the batch is invalid") == (
        None, "not applied: the batch is invalid")


@pytest.mark.parametrize("account", [None, "org/2"])
def test_placing_calls_are_valid_and_map_to_a_placement(account: str | None) -> None:
    for _, call in render.placing_calls("bob", account):
        assert validate_segment_call(call) == []
        mapped = map_call(call)
        assert isinstance(mapped, Mapped)
        assert mapped.message["person_id"] == "bob"
        assert mapped.message["organization_id"] == (account or render.PLACEHOLDER_ACCOUNT)


def test_a_change_compares_field_by_field() -> None:
    target = changes.Target("contact", "ada")
    created = changes.Change(target, None, {"events": 1})
    assert created.verdict == "created" and created.rows[0].before is changes.ABSENT
    same = changes.Change(target, {"events": 1, "traits.x": None}, {"events": 1, "traits.x": None})
    assert same.verdict == "unchanged" and not any(row.changed for row in same.rows)
    moved = changes.Change(target, {"events": 1}, {"events": 2, "traits.plan": "pro"})
    assert moved.verdict == "changed"
    assert [(r.field, r.changed) for r in moved.rows] == [("events", True), ("traits.plan", True)]
    assert changes.Change(target, {"events": 1}, None).verdict == "removed"
    assert changes.compare([target], [None], [None]) == []
