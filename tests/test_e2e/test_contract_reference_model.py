"""The reference model's own rules, by hand: the contract suite trusts it as its oracle, so each
rule where it could plausibly be wrong (and where the engine's docstring decides an edge) is
pinned here without any server."""

from __future__ import annotations

from typing import Any

from reference_model import differences, expected_view

T0, T30, T31 = "2026-03-02T09:00:00.000Z", "2026-03-02T09:30:00.000Z", "2026-03-02T09:31:00.000Z"


def contact(message_id: str, at: str, person: str, **fields: Any) -> dict[str, Any]:
    return {"type": "contact", "message_id": message_id, "timestamp": at, "person_id": person,
            **fields}


def page(message_id: str, at: str, **who: str) -> dict[str, Any]:
    return {"type": "page", "message_id": message_id, "timestamp": at, **who}


def test_the_first_copy_of_a_message_id_is_the_one_applied() -> None:
    view = expected_view([contact("m1", T0, "ada", traits={"plan": "free"}),
                          contact("m1", T30, "ada", traits={"plan": "pro"})])
    assert view.contacts["ada"]["traits"] == {"plan": "free"}
    assert view.messages == 1


def test_latest_wins_per_trait_and_a_tie_goes_to_the_greater_message_id() -> None:
    view = expected_view([contact("m2", T0, "ada", traits={"plan": "pro", "seats": 2}),
                          contact("m1", T0, "ada", traits={"plan": "free"}),
                          contact("m0", T30, "ada", traits={"seats": None})])
    assert view.contacts["ada"]["traits"] == {"plan": "pro", "seats": None}


def test_the_latest_placement_names_the_account_and_the_old_one_stays() -> None:
    view = expected_view([contact("m1", T30, "ada", organization_id="globex"),
                          {"type": "account", "message_id": "m2", "timestamp": T0,
                           "person_id": "ada", "organization_id": "acme"}])
    assert view.contacts["ada"]["account"] == "globex"
    assert view.members == {"acme": frozenset(), "globex": frozenset({"ada"})}


def test_the_earliest_identify_owns_an_anonymous_id_and_its_visits() -> None:
    view = expected_view([page("m1", T0, anonymous_id="a1"),
                          contact("m2", T31, "grace", anonymous_id="a1"),
                          contact("m3", T30, "ada", anonymous_id="a1"),
                          page("m4", T31, anonymous_id="a2")])
    assert view.sessions["ada"] == [("2026-03-02T09:00:00+00:00", "2026-03-02T09:00:00+00:00", 1)]
    assert "grace" not in view.sessions
    assert view.visitors == frozenset({"a2"})


def test_a_gap_of_exactly_the_timeout_starts_a_new_session() -> None:
    view = expected_view([page("m1", T0, person_id="ada"), page("m2", T30, person_id="ada"),
                          page("m3", T31, person_id="ada")])
    assert [count for _, _, count in view.sessions["ada"]] == [1, 2]


def test_differences_name_the_key_where_two_views_part() -> None:
    one = expected_view([contact("m1", T0, "ada", traits={"plan": "free"})])
    other = expected_view([contact("m1", T0, "ada", traits={"plan": "pro"})])
    assert differences(one, other) == [
        "contacts['ada']: Akita has {'account': None, 'traits': {'plan': 'free'}}, "
        "the model expects {'account': None, 'traits': {'plan': 'pro'}}"]
    assert differences(one, one) == []
