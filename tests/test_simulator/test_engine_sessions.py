"""Engine: sessions from events and pages, the timeout boundary, late messages, and the
incremental timeline against the from-scratch reference."""

from __future__ import annotations

from datetime import timedelta

from engine_messages import at, contact, event, millis, page
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine import Timeline, Workspace, session_spans
from simulator.engine.records import Item

MINUTE = 60_000_000  # microseconds


def spans(ws: Workspace, person_id: str) -> list[tuple[str, str]]:
    """(start, end) of each of a person's sessions."""
    return [(s["start"], s["end"]) for s in ws.sessions(person_id)]


def test_a_session_lists_its_events_and_pages_in_order_with_counts() -> None:
    ws = Workspace()
    ws.apply(
        [
            event("m2", 5, "Signed Up", person_id="u1", properties={"plan": "pro"}),
            page("m1", 0, "Pricing", person_id="u1", category="Marketing"),
            event("m3", 5, "Invited", person_id="u1", organization_id="acme"),
        ]
    )

    assert ws.sessions("u1") == [
        {
            "id": f"u1:{millis(0)}",
            "person": "u1",
            "anonymous_id": None,
            "start": at(0),
            "end": at(5),
            "duration_ms": 5 * 60_000,
            "event_count": 2,
            "page_count": 1,
            "items": [
                {
                    "type": "page",
                    "message_id": "m1",
                    "timestamp": at(0),
                    "name": "Pricing",
                    "category": "Marketing",
                    "properties": {},
                    "organization_id": None,
                    "anonymous_id": None,
                },
                {
                    "type": "event",
                    "message_id": "m2",
                    "timestamp": at(5),
                    "event": "Signed Up",
                    "properties": {"plan": "pro"},
                    "organization_id": None,
                    "anonymous_id": None,
                },
                {
                    "type": "event",
                    "message_id": "m3",
                    "timestamp": at(5),
                    "event": "Invited",
                    "properties": {},
                    "organization_id": "acme",
                    "anonymous_id": None,
                },
            ],
        }
    ]


def test_a_gap_of_exactly_the_timeout_starts_a_new_session() -> None:
    ws = Workspace()
    ws.apply([event("m1", 0, person_id="u1"), event("m2", 30, person_id="u1")])

    assert spans(ws, "u1") == [(at(0), at(0)), (at(30), at(30))]


def test_a_gap_just_under_the_timeout_stays_in_the_session() -> None:
    ws = Workspace()
    ws.apply([event("m1", 0, person_id="u1"), event("m2", 30 - 1 / 60_000, person_id="u1")])

    assert len(ws.sessions("u1")) == 1


def test_the_timeout_is_configurable() -> None:
    ws = Workspace(session_timeout=timedelta(minutes=5))
    ws.apply(
        [
            event("m1", 0, person_id="u1"),
            event("m2", 4, person_id="u1"),
            page("m3", 9, person_id="u1"),
        ]
    )

    assert spans(ws, "u1") == [(at(0), at(4)), (at(9), at(9))]


def test_a_late_message_in_the_gap_merges_two_sessions_into_one() -> None:
    ws = Workspace()
    ws.apply([event("m1", 0, person_id="u1"), event("m3", 50, person_id="u1")])
    assert len(ws.sessions("u1")) == 2

    ws.apply([page("m2", 25, person_id="u1")])

    [session] = ws.sessions("u1")
    assert (session["id"], session["start"], session["end"]) == (f"u1:{millis(0)}", at(0), at(50))
    assert (session["event_count"], session["page_count"]) == (2, 1)


def test_a_late_earlier_message_extends_a_session_backwards_and_its_id_follows_the_start() -> None:
    ws = Workspace()
    ws.apply([event("m2", 20, person_id="u1")])

    ws.apply([event("m1", 0, person_id="u1")])

    assert [s["id"] for s in ws.sessions("u1")] == [f"u1:{millis(0)}"]


def test_a_contact_without_events_or_pages_has_no_sessions() -> None:
    ws = Workspace()
    ws.apply([contact("m1", 0, "u1", organization_id="acme")])

    assert ws.contact("u1")["sessions"] == []
    assert ws.counts()["sessions"] == 0


def test_all_sessions_are_ordered_by_start_then_id() -> None:
    ws = Workspace()
    ws.apply(
        [
            event("m1", 10, person_id="u2"),
            event("m2", 10, person_id="u1"),
            event("m3", 0, anonymous_id="a1"),
            event("m4", 60, person_id="u1"),
        ]
    )

    assert [s["id"] for s in ws.sessions()] == [
        f"anonymous:a1:{millis(0)}",
        f"u1:{millis(10)}",
        f"u2:{millis(10)}",
        f"u1:{millis(60)}",
    ]
    assert ws.snapshot()["sessions"] == ws.sessions()


def test_session_spans_from_scratch() -> None:
    assert session_spans([], 30) == []
    assert session_spans([5], 30) == [(5, 5)]
    assert session_spans([0, 29, 58, 88, 88], 30) == [(0, 58), (88, 88)]


def items_at(instants: list[int]) -> list[Item]:
    """Timeline items at these instants, each with its own message id."""
    return [
        Item(at_, f"m{i:03d}", "event", "Clicked", None, None, None, None)
        for i, at_ in enumerate(instants)
    ]


instants = st.lists(st.integers(0, 200).map(lambda minutes: minutes * MINUTE), max_size=40)


@settings(deadline=None)
@given(instants=instants, order=st.randoms(use_true_random=False))
def test_incremental_sessions_equal_sessions_from_scratch(instants: list[int], order) -> None:
    items = items_at(instants)
    order.shuffle(items)
    timeline = Timeline(30 * MINUTE)
    for item in items:
        timeline.add(item)

    assert timeline.spans() == session_spans(sorted(instants), 30 * MINUTE)
    assert timeline.items == sorted(items)


@settings(deadline=None)
@given(instants=instants, data=st.data())
def test_bulk_adds_and_removals_equal_sessions_from_scratch(instants: list[int], data) -> None:
    items = items_at(instants)
    moved = data.draw(st.lists(st.sampled_from(items), unique=True) if items else st.just([]))
    timeline = Timeline(30 * MINUTE)
    for item in items:
        if item not in moved:
            timeline.add(item)

    timeline.add_many(moved)
    assert timeline.spans() == session_spans(sorted(instants), 30 * MINUTE)

    timeline.remove({item.message_id for item in moved})
    kept = sorted(item.at for item in items if item not in moved)
    assert timeline.spans() == session_spans(kept, 30 * MINUTE)
    assert timeline.events == len(kept)
