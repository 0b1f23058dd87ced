"""Engine: idempotency by message_id, latest-wins traits, batches that change nothing, reset."""

from __future__ import annotations

from datetime import timedelta

import pytest
from engine_messages import account, at, contact, event

from simulator.engine import Workspace


def test_a_message_id_seen_in_an_earlier_batch_is_a_duplicate_and_not_applied() -> None:
    ws = Workspace()
    ws.apply([contact("m1", 0, "u1", traits={"plan": "free"})])
    before = ws.snapshot()

    result = ws.apply([contact("m1", 5, "u1", traits={"plan": "pro"})])

    assert result.accepted == []
    assert result.duplicates == ["m1"]
    assert ws.snapshot() == before
    assert ws.message_count == 1


def test_a_message_id_repeated_within_one_batch_counts_once_accepted_then_duplicate() -> None:
    ws = Workspace()
    result = ws.apply(
        [
            contact("m1", 0, "u1", traits={"plan": "free"}),
            contact("m2", 0, "u2"),
            contact("m1", 9, "u1", traits={"plan": "pro"}),
        ]
    )

    assert result.accepted == ["m1", "m2"]
    assert result.duplicates == ["m1"]
    assert ws.contact("u1")["traits"] == {"plan": "free"}
    assert ws.message_count == 2


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_each_trait_key_keeps_the_value_of_its_latest_message(order: tuple[int, int]) -> None:
    messages = [
        contact("m1", 0, "u1", traits={"plan": "free", "email": "ann@example.com"}),
        contact("m2", 10, "u1", traits={"plan": "pro"}),
    ]
    ws = Workspace()
    for index in order:
        ws.apply([messages[index]])

    found = ws.contact("u1")
    assert found["traits"] == {"email": "ann@example.com", "plan": "pro"}
    assert found["trait_sources"] == {
        "email": {"message_id": "m1", "timestamp": at(0)},
        "plan": {"message_id": "m2", "timestamp": at(10)},
    }


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_equal_timestamps_are_broken_by_the_greater_message_id(order: tuple[int, int]) -> None:
    messages = [
        contact("b-msg", 0, "u1", traits={"plan": "b"}),
        contact("a-msg", 0, "u1", traits={"plan": "a"}),
    ]
    ws = Workspace()
    for index in order:
        ws.apply([messages[index]])

    assert ws.contact("u1")["traits"] == {"plan": "b"}


def test_z_and_zero_offset_spell_the_same_instant_so_message_id_decides() -> None:
    ws = Workspace()
    zulu = contact("m2", 0, "u1", traits={"plan": "zulu"})
    offset = contact("m1", 0, "u1", traits={"plan": "offset"}, timestamp=at(0, suffix="+00:00"))
    ws.apply([zulu, offset])

    assert ws.contact("u1")["traits"] == {"plan": "zulu"}


def test_fractions_of_a_second_order_messages_to_the_microsecond() -> None:
    ws = Workspace()
    ws.apply(
        [
            contact(
                "m9", 0, "u1", traits={"plan": "early"}, timestamp="2026-03-01T09:00:00.000100Z"
            ),
            contact("m1", 0, "u1", traits={"plan": "late"}, timestamp="2026-03-01T09:00:00.0002Z"),
        ]
    )

    found = ws.contact("u1")
    assert found["traits"] == {"plan": "late"}
    assert found["trait_sources"]["plan"]["timestamp"] == "2026-03-01T09:00:00.000200Z"


def test_a_latest_null_value_wins_like_any_other() -> None:
    ws = Workspace()
    ws.apply(
        [
            contact("m1", 0, "u1", traits={"phone": "555"}),
            contact("m2", 1, "u1", traits={"phone": None}),
        ]
    )

    assert ws.contact("u1")["traits"] == {"phone": None}


def test_account_traits_follow_the_same_rule_and_name_their_source() -> None:
    ws = Workspace()
    ws.apply(
        [
            account("m2", 10, "acme", traits={"plan": "enterprise"}),
            account("m1", 0, "acme", traits={"plan": "team", "name": "Acme"}),
        ]
    )

    found = ws.account("acme")
    assert found["traits"] == {"name": "Acme", "plan": "enterprise"}
    assert found["trait_sources"]["plan"] == {"message_id": "m2", "timestamp": at(10)}


def test_any_person_named_by_any_message_becomes_a_contact() -> None:
    ws = Workspace()
    ws.apply([event("m1", 0, person_id="u1"), account("m2", 0, "acme", person_id="u2")])

    assert [c["person_id"] for c in ws.contacts()] == ["u1", "u2"]
    assert ws.contact("u1")["traits"] == {}


def test_unknown_ids_are_none_or_empty() -> None:
    ws = Workspace()

    assert ws.contact("nobody") is None
    assert ws.account("nothing") is None
    assert ws.sessions("nobody") == []


@pytest.mark.parametrize(
    "bad",
    [
        contact("m2", 0, "u2", timestamp="2026-03-01T09:00:00"),
        {"type": "screen", "message_id": "m2", "timestamp": at(0), "person_id": "u2"},
    ],
    ids=["timestamp-without-offset", "unknown-type"],
)
def test_a_batch_the_engine_cannot_read_changes_nothing(bad: dict) -> None:
    ws = Workspace()

    with pytest.raises(ValueError, match="m2"):
        ws.apply([contact("m1", 0, "u1"), bad])

    assert ws.message_count == 0
    assert ws.snapshot() == Workspace().snapshot()


def test_reset_forgets_everything_including_which_ids_were_seen() -> None:
    ws = Workspace(session_timeout=timedelta(minutes=5), strict_accounts=True)
    ws.apply([contact("m1", 0, "u1", organization_id="acme"), event("m2", 1, person_id="u1")])

    ws.reset()

    assert ws.snapshot() == Workspace().snapshot()
    assert ws.message_count == 0
    assert ws.apply([contact("m1", 0, "u1")]).accepted == ["m1"]
    assert ws.strict_accounts is True


@pytest.mark.parametrize("timeout", [timedelta(0), timedelta(seconds=-1)])
def test_a_session_timeout_must_be_positive(timeout: timedelta) -> None:
    with pytest.raises(ValueError, match="session_timeout"):
        Workspace(session_timeout=timeout)


def test_an_empty_workspace_has_an_empty_snapshot() -> None:
    assert Workspace().snapshot() == {
        "accounts": [],
        "contacts": [],
        "pending": [],
        "visitors": [],
        "sessions": [],
        "counts": {
            "messages": 0,
            "accounts": 0,
            "contacts": 0,
            "placed": 0,
            "pending": 0,
            "visitors": 0,
            "sessions": 0,
            "events": 0,
            "pages": 0,
        },
    }
