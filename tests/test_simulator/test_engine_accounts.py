"""Engine: account membership, pending contacts, moves kept in history, strict accounts."""

from __future__ import annotations

import pytest
from engine_messages import account, at, contact, event

from simulator.engine import Workspace
from simulator.engine.views import PENDING_REASON
from simulator.errors import Conflict


def history(ws: Workspace, person_id: str) -> list[tuple[str, str, str]]:
    """A contact's account history as (organization_id, since, message_id) tuples."""
    return [
        (entry["organization_id"], entry["since"], entry["message_id"])
        for entry in ws.contact(person_id)["account_history"]
    ]


def test_a_contact_nothing_has_placed_is_pending_with_the_reason() -> None:
    ws = Workspace()
    ws.apply([contact("m1", 0, "u1", traits={"email": "ann@example.com"})])

    assert ws.contact("u1")["organization_id"] is None
    assert ws.contact("u1")["pending_reason"] == PENDING_REASON
    assert ws.pending() == [{"person_id": "u1", "reason": PENDING_REASON}]


def test_events_with_an_organization_id_attribute_but_never_place() -> None:
    ws = Workspace()
    ws.apply([event("m1", 0, person_id="u1", organization_id="acme")])

    assert ws.account("acme") is None
    assert ws.contact("u1")["organization_id"] is None
    reason = ws.pending()[0]["reason"]
    assert reason.startswith(PENDING_REASON)
    assert "'acme'" in reason
    assert ws.sessions("u1")[0]["items"][0]["organization_id"] == "acme"


def test_a_group_call_places_its_person_and_the_account_lists_them() -> None:
    ws = Workspace()
    ws.apply([contact("m1", 0, "u1"), account("m2", 5, "acme", person_id="u1")])

    assert ws.contact("u1")["organization_id"] == "acme"
    assert ws.contact("u1")["pending_reason"] is None
    assert ws.account("acme")["contacts"] == ["u1"]
    assert ws.pending() == []


def test_a_group_id_trait_alone_creates_the_account_so_the_contact_is_placed() -> None:
    ws = Workspace()
    ws.apply([contact("m1", 0, "u1", organization_id="acme")])

    assert ws.account("acme") == {
        "organization_id": "acme",
        "traits": {},
        "trait_sources": {},
        "contacts": ["u1"],
    }
    assert ws.pending() == []


def test_a_group_call_without_a_person_creates_the_account_and_places_nobody() -> None:
    ws = Workspace()
    ws.apply([account("m1", 0, "acme", traits={"name": "Acme"}), contact("m2", 1, "u1")])

    assert ws.account("acme")["contacts"] == []
    assert [p["person_id"] for p in ws.pending()] == ["u1"]


def test_a_later_placement_moves_the_contact_and_the_move_is_kept() -> None:
    ws = Workspace()
    ws.apply(
        [
            account("m1", 0, "acme", person_id="u1"),
            contact("m2", 10, "u1", organization_id="initech"),
        ]
    )

    assert ws.contact("u1")["organization_id"] == "initech"
    assert ws.account("acme")["contacts"] == []
    assert ws.account("initech")["contacts"] == ["u1"]
    assert history(ws, "u1") == [("acme", at(0), "m1"), ("initech", at(10), "m2")]


def test_an_older_placement_arriving_late_joins_history_without_moving_the_contact() -> None:
    ws = Workspace()
    ws.apply([account("m2", 10, "initech", person_id="u1")])
    ws.apply([account("m1", 0, "acme", person_id="u1")])

    assert ws.contact("u1")["organization_id"] == "initech"
    assert ws.account("acme")["contacts"] == []
    assert history(ws, "u1") == [("acme", at(0), "m1"), ("initech", at(10), "m2")]


def test_consecutive_placements_in_one_account_collapse_into_the_first() -> None:
    ws = Workspace()
    ws.apply(
        [
            account("m4", 30, "acme", person_id="u1"),
            account("m1", 0, "acme", person_id="u1"),
            account("m3", 20, "initech", person_id="u1"),
            contact("m2", 10, "u1", organization_id="acme"),
        ]
    )

    assert history(ws, "u1") == [
        ("acme", at(0), "m1"),
        ("initech", at(20), "m3"),
        ("acme", at(30), "m4"),
    ]


@pytest.mark.parametrize("first", ["a-msg", "b-msg"])
def test_placements_at_the_same_instant_are_broken_by_the_greater_message_id(first: str) -> None:
    messages = {
        "a-msg": account("a-msg", 0, "acme", person_id="u1"),
        "b-msg": account("b-msg", 0, "initech", person_id="u1"),
    }
    ws = Workspace()
    ws.apply([messages[first]])
    ws.apply([messages["b-msg" if first == "a-msg" else "a-msg"]])

    assert ws.contact("u1")["organization_id"] == "initech"
    assert history(ws, "u1") == [("acme", at(0), "a-msg"), ("initech", at(0), "b-msg")]


def test_strict_accounts_refuse_a_move_and_apply_nothing_of_the_batch() -> None:
    ws = Workspace(strict_accounts=True)
    ws.apply([account("m1", 0, "acme", person_id="u1")])
    before = ws.snapshot()

    with pytest.raises(Conflict) as raised:
        ws.apply(
            [contact("m2", 1, "u2", traits={"x": 1}), account("m3", 10, "initech", person_id="u1")]
        )

    error = raised.value
    assert error.status == 409
    assert error.code == "account_conflict"
    assert "'u1'" in error.message and "'acme'" in error.message and "'initech'" in error.message
    assert error.details == [
        {
            "person_id": "u1",
            "organization_id": "acme",
            "conflicting_organization_ids": ["initech"],
            "message_ids": ["m3"],
        }
    ]
    assert ws.snapshot() == before
    assert ws.message_count == 1
    assert ws.apply([contact("m2", 1, "u2")]).accepted == ["m2"]


def test_strict_accounts_refuse_two_accounts_for_a_new_contact_in_one_batch() -> None:
    ws = Workspace(strict_accounts=True)

    with pytest.raises(Conflict, match="more than one account") as raised:
        ws.apply(
            [
                account("m1", 0, "acme", person_id="u1"),
                contact("m2", 1, "u1", organization_id="initech"),
            ]
        )

    assert raised.value.details[0]["conflicting_organization_ids"] == ["acme", "initech"]
    assert ws.contact("u1") is None


def test_strict_accounts_accept_the_same_account_again_and_resent_duplicates() -> None:
    ws = Workspace(strict_accounts=True)
    first = [account("m1", 0, "acme", person_id="u1"), account("m2", 0, "initech", person_id="u2")]
    ws.apply(first)

    result = ws.apply([*first, contact("m3", 5, "u1", organization_id="acme")])

    assert result.accepted == ["m3"]
    assert ws.contact("u1")["organization_id"] == "acme"


def test_strict_accounts_see_a_visitors_group_call_arriving_with_its_stitch() -> None:
    ws = Workspace(strict_accounts=True)
    ws.apply(
        [account("m1", 0, "acme", person_id="u1"), account("m2", 1, "initech", anonymous_id="a1")]
    )

    with pytest.raises(Conflict, match="'initech'"):
        ws.apply([contact("m3", 2, "u1", anonymous_id="a1")])

    assert ws.visitors()[0]["anonymous_id"] == "a1"


def test_strict_accounts_see_a_group_call_under_a_stitched_anonymous_id() -> None:
    ws = Workspace(strict_accounts=True)
    ws.apply([account("m1", 0, "acme", person_id="u1"), contact("m2", 1, "u1", anonymous_id="a1")])

    with pytest.raises(Conflict, match="'u1'"):
        ws.apply([account("m3", 5, "initech", anonymous_id="a1")])


def test_every_contact_is_listed_by_exactly_the_account_it_names() -> None:
    ws = Workspace()
    ws.apply(
        [
            account("m1", 0, "acme", person_id="u1"),
            account("m2", 0, "acme", person_id="u2"),
            contact("m3", 5, "u2", organization_id="initech"),
            contact("m4", 0, "u3"),
        ]
    )

    assert {a["organization_id"]: a["contacts"] for a in ws.accounts()} == {
        "acme": ["u1"],
        "initech": ["u2"],
    }
    assert ws.counts()["placed"] == 2
    assert ws.counts()["pending"] == 1


def test_switching_strict_accounts_on_judges_later_batches_against_the_current_account() -> None:
    ws = Workspace()
    ws.apply(
        [account("m1", 0, "acme", person_id="u1"), account("m2", 10, "initech", person_id="u1")]
    )

    ws.strict_accounts = True

    assert ws.apply([contact("m3", 20, "u1", organization_id="initech")]).accepted == ["m3"]
    with pytest.raises(Conflict, match="belongs to account 'initech'"):
        ws.apply([contact("m4", 30, "u1", organization_id="acme")])
