"""Service: workspaces and keys, ingest's error paths, all or nothing, journal, reset, restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from engine_messages import account, contact, event, page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract import limits, validate_against
from simulator.errors import (
    BadRequest,
    Conflict,
    InvalidParameter,
    KeyInUse,
    NotFound,
    PayloadTooLarge,
    SimulatorError,
    Unsupported,
)
from simulator.service import Simulator
from simulator.store import SQLiteStore

JOURNEY = [
    contact("m1", 0, "u1", traits={"email": "ann@example.com"}, organization_id="org1"),
    account("m2", 1, "org1", person_id="u1", traits={"plan": "pro"}),
    event("m3", 2, person_id="u1"),
    page("m4", 3, person_id="u1"),
    contact("m5", 4, "u2"),
]


@pytest.fixture
def sim() -> Simulator:
    """A simulator over an in-memory store."""
    return Simulator(SQLiteStore())


@pytest.fixture
def ws(sim: Simulator) -> str:
    """A fresh workspace id on `sim`."""
    return sim.create_workspace("test")["id"]


def test_a_new_workspace_gets_a_key_only_its_creator_sees(sim: Simulator) -> None:
    created = sim.create_workspace("mine")

    assert created["id"].startswith("ws_") and created["name"] == "mine"
    assert sim.workspace_for_key(created["api_key"]) == created["id"]
    assert sim.workspace_for_key(created["api_key"] + "x") is None
    assert all("api_key" not in w and "key_hash" not in w for w in sim.list_workspaces())


def test_a_key_names_one_workspace(sim: Simulator) -> None:
    first = sim.ensure_workspace("key-1")

    assert sim.ensure_workspace("key-1") == first
    with pytest.raises(KeyInUse):
        sim.create_workspace(api_key="key-1")
    with pytest.raises(InvalidParameter):
        sim.create_workspace(api_key="  ")


def test_keys_never_reach_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "sim.sqlite3"
    sim = Simulator(SQLiteStore(str(path)))
    sim.create_workspace(api_key="very-secret-key-4242")
    sim.close()

    for file in tmp_path.iterdir():
        assert b"very-secret-key-4242" not in file.read_bytes()


def test_accepted_and_duplicate_counts(sim: Simulator, ws: str) -> None:
    assert sim.ingest(ws, {"batch": JOURNEY}) == {"accepted": 5, "duplicates": 0}
    assert sim.ingest(ws, {"batch": JOURNEY[:2]}) == {"accepted": 0, "duplicates": 2}
    repeated = [contact("m9", 9, "u9"), contact("m9", 9, "u9")]
    assert sim.ingest(ws, {"batch": repeated}) == {"accepted": 1, "duplicates": 1}

    statuses = [e["status"] for e in sim.journal(ws, limit=4)]
    assert statuses == ["duplicate", "accepted", "duplicate", "duplicate"]
    assert sim.contact(ws, "u1")["organization_id"] == "org1"
    assert sim.workspace(ws)["message_count"] == 6


def test_every_bad_item_is_listed_with_index_message_id_path_and_reason(
    sim: Simulator, ws: str
) -> None:
    batch = [contact("ok", 0, "u1"), {"type": "contact", "message_id": "no-person",
             "timestamp": "2026-01-01T00:00:00Z"}, event("no-event", 1, person_id="u1"),
             {"type": "account"}]
    del batch[2]["event"]

    with pytest.raises(BadRequest) as raised:
        sim.ingest(ws, {"batch": batch})

    body = raised.value.to_body()
    assert validate_against("akita/error", body) == []
    assert {(e["index"], e["message_id"]) for e in body["errors"]} == {
        (1, "no-person"), (2, "no-event"), (3, None)}
    assert {"index": 1, "message_id": "no-person", "path": "$.batch[1].person_id",
            "reason": "is required"} in body["errors"]
    assert "3 of 4 messages are invalid" in body["message"]


@pytest.mark.parametrize("body", [[], "batch", None, {}, {"batch": {}}, {"batch": [], "x": 1}])
def test_a_body_that_is_not_a_batch_is_a_bad_request(sim: Simulator, ws: str, body: Any) -> None:
    with pytest.raises(BadRequest) as raised:
        sim.ingest(ws, body)

    assert raised.value.message.startswith("the body is invalid")
    assert all("index" not in e for e in raised.value.details)
    assert sim.journal(ws)[0]["status"] == "rejected"


def test_unknown_types_alone_are_unsupported_and_with_other_faults_a_bad_request(
    sim: Simulator, ws: str
) -> None:
    screen = {**contact("s1", 0, "u1"), "type": "screen"}
    with pytest.raises(Unsupported) as raised:
        sim.ingest(ws, {"batch": [contact("ok", 0, "u1"), screen]})
    assert raised.value.status == 501
    assert raised.value.details[0]["index"] == 1
    assert "'screen'" in raised.value.message

    with pytest.raises(BadRequest):
        sim.ingest(ws, {"batch": [screen, {**contact("bad", 0, "u1"), "person_id": 7}]})
    with pytest.raises(BadRequest):
        sim.ingest(ws, {"batch": [{**screen, "type": 42}]})


def test_too_many_messages_or_one_too_big_is_payload_too_large(sim: Simulator, ws: str) -> None:
    many = [contact(f"m{i}", 0, "u1") for i in range(limits.MAX_BATCH_MESSAGES + 1)]
    with pytest.raises(PayloadTooLarge, match="2,500"):
        sim.ingest(ws, {"batch": many})

    big = contact("big", 0, "u1", traits={"blob": "x" * limits.MAX_MESSAGE_BYTES})
    with pytest.raises(PayloadTooLarge) as raised:
        sim.ingest(ws, {"batch": [contact("ok", 0, "u2"), big]})
    assert [(e["index"], e["message_id"]) for e in raised.value.details] == [(1, "big")]
    assert sim.snapshot(ws)["counts"]["messages"] == 0


def test_strict_accounts_refuse_a_move_with_a_located_conflict() -> None:
    sim = Simulator(SQLiteStore(), strict_accounts=True)
    ws = sim.create_workspace()["id"]
    sim.ingest(ws, {"batch": [contact("m1", 0, "u1", organization_id="org1")]})

    with pytest.raises(Conflict) as raised:
        sim.ingest(ws, {"batch": [event("m2", 1, person_id="u1"),
                                  account("m3", 2, "org2", person_id="u1")]})

    body = raised.value.to_body()
    assert body["code"] == "account_conflict" and validate_against("akita/error", body) == []
    [detail] = body["errors"]
    assert (detail["index"], detail["message_id"]) == (1, "m3")
    assert detail["path"] == "$.batch[1].organization_id" and "org1" in detail["reason"]
    journal = sim.journal(ws, limit=2)
    assert [e["message_id"] for e in journal] == ["m3", "m2"]
    assert "org2" in journal[0]["reasons"][0]
    assert journal[1]["reasons"][0].startswith("not applied:")
    assert sim.contact(ws, "u1")["event_count"] == 0


def _corrupt(message: dict[str, Any], how: str) -> dict[str, Any]:
    broken = dict(message)
    if how == "drop-timestamp":
        del broken["timestamp"]
    elif how == "bad-timestamp":
        broken["timestamp"] = "yesterday"
    elif how == "extra-field":
        broken["colour"] = "red"
    else:
        broken["message_id"] = ""
    return broken


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_batch_with_any_bad_item_applies_nothing_and_journals_every_item(
    sim: Simulator, data: st.DataObject
) -> None:
    ws = sim.create_workspace()["id"]
    sim.ingest(ws, {"batch": JOURNEY[:2]})
    before = sim.snapshot(ws)
    batch = data.draw(st.permutations([*JOURNEY[2:], contact("m6", 5, "u3")]))
    index = data.draw(st.integers(0, len(batch) - 1))
    how = data.draw(st.sampled_from(["drop-timestamp", "bad-timestamp", "extra-field", "id"]))
    batch[index] = _corrupt(batch[index], how)

    with pytest.raises(BadRequest) as raised:
        sim.ingest(ws, {"batch": batch})

    assert sim.snapshot(ws) == before
    assert {e["index"] for e in raised.value.details} == {index}
    journal = list(reversed(sim.journal(ws, limit=len(batch))))
    assert [e["status"] for e in journal] == ["rejected"] * len(batch)
    assert [e["akita_message"] for e in journal] == batch
    for position, item in enumerate(journal):
        own = all(r.startswith(f"$.batch[{index}]") for r in item["reasons"])
        assert own if position == index else item["reasons"][0].startswith("not applied:")


def test_the_journal_records_accepted_messages_with_the_answer(sim: Simulator, ws: str) -> None:
    sim.ingest(ws, {"batch": JOURNEY[:1]})

    [entry] = sim.journal(ws)
    assert entry["status"] == "accepted" and entry["reasons"] == []
    assert (entry["type"], entry["message_id"], entry["person"]) == ("contact", "m1", "u1")
    assert entry["akita_message"] == JOURNEY[0] and entry["response"] == {"status": 200}


def test_gateway_entries_are_recorded_and_filterable(sim: Simulator, ws: str) -> None:
    sim.record(ws, [{"status": "skipped", "type": None, "message_id": "s1", "person": "u1",
                     "reasons": ["screen calls are not supported"],
                     "segment_call": {"type": "screen"}}])

    [entry] = sim.journal(ws, status="skipped")
    assert entry["segment_call"] == {"type": "screen"}
    with pytest.raises(ValueError, match="journal status"):
        sim.record(ws, [{"status": "lost"}])


@pytest.mark.parametrize("query", [{"status": "lost"}, {"limit": 0}, {"limit": 1001}])
def test_bad_journal_queries_are_refused(sim: Simulator, ws: str, query: Any) -> None:
    with pytest.raises(InvalidParameter):
        sim.journal(ws, **query)


def test_unknown_workspaces_are_not_found(sim: Simulator) -> None:
    calls = [lambda: sim.ingest("ws_nope", {"batch": []}), lambda: sim.snapshot("ws_nope"),
             lambda: sim.journal("ws_nope"), lambda: sim.reset("ws_nope"),
             lambda: sim.record("ws_nope", []), lambda: sim.workspace("ws_nope")]
    for call in calls:
        with pytest.raises(NotFound):
            call()


def test_lookups_of_unknown_contacts_and_accounts_are_not_found(sim: Simulator, ws: str) -> None:
    with pytest.raises(NotFound, match="contact 'ghost'"):
        sim.contact(ws, "ghost")
    with pytest.raises(NotFound, match="account 'ghost'"):
        sim.account(ws, "ghost")


def test_a_reset_workspace_is_exactly_a_new_one_and_keeps_its_key(sim: Simulator) -> None:
    created = sim.create_workspace()
    fresh = sim.create_workspace()["id"]
    sim.ingest(created["id"], {"batch": JOURNEY})

    sim.reset(created["id"])

    assert sim.snapshot(created["id"]) == sim.snapshot(fresh)
    assert sim.journal(created["id"]) == []
    assert sim.workspace_for_key(created["api_key"]) == created["id"]
    assert sim.ingest(created["id"], {"batch": JOURNEY}) == {"accepted": 5, "duplicates": 0}


def test_reset_of_everything_empties_every_workspace(sim: Simulator) -> None:
    spaces = [sim.create_workspace()["id"] for _ in range(3)]
    for space in spaces:
        sim.ingest(space, {"batch": JOURNEY})

    sim.reset()

    assert all(sim.snapshot(s)["counts"]["messages"] == 0 for s in spaces)


def test_state_is_rebuilt_from_the_file_after_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "sim.sqlite3")
    first = Simulator(SQLiteStore(path))
    created = first.create_workspace()
    first.ingest(created["id"], {"batch": JOURNEY})
    before = first.snapshot(created["id"])
    first.close()

    second = Simulator(SQLiteStore(path))
    assert second.workspace_for_key(created["api_key"]) == created["id"]
    assert second.snapshot(created["id"]) == before
    assert second.ingest(created["id"], {"batch": JOURNEY}) == {"accepted": 0, "duplicates": 5}
    second.close()


def test_moves_accepted_by_a_lenient_run_replay_under_strict_accounts(tmp_path: Path) -> None:
    path = str(tmp_path / "sim.sqlite3")
    lenient = Simulator(SQLiteStore(path))
    ws = lenient.create_workspace()["id"]
    lenient.ingest(ws, {"batch": [contact("m1", 0, "u1", organization_id="org1")]})
    lenient.ingest(ws, {"batch": [account("m2", 1, "org2", person_id="u1")]})
    before = lenient.snapshot(ws)
    lenient.close()

    strict = Simulator(SQLiteStore(path), strict_accounts=True)
    assert strict.snapshot(ws) == before
    with pytest.raises(Conflict):
        strict.ingest(ws, {"batch": [account("m3", 2, "org3", person_id="u1")]})
    strict.close()


def test_a_failed_write_leaves_the_state_as_the_file_has_it(
    sim: Simulator, ws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.ingest(ws, {"batch": JOURNEY[:2]})
    before = sim.snapshot(ws)

    def broken_write(*args: Any, **kwargs: Any) -> None:
        raise SimulatorError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(sim.store, "write", broken_write)
        with pytest.raises(SimulatorError, match="disk full"):
            sim.ingest(ws, {"batch": JOURNEY[2:]})

    assert sim.snapshot(ws) == before
