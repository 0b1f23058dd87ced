"""Store: schema version, persistence across reopen, journal cap and filters, threads."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from engine_messages import contact, event
from hypothesis import given
from hypothesis import strategies as st

from simulator.errors import SchemaVersionError, SimulatorError, StoreError
from simulator.store import SQLiteStore
from simulator.store import sqlite as store_module
from simulator.store.journal import trim_slack
from simulator.store.schema import SCHEMA_VERSION


def entry(status: str = "accepted", **fields: object) -> dict[str, object]:
    """A journal entry as the service writes it."""
    return {
        "status": status,
        "type": "contact",
        "message_id": "m",
        "person": "u1",
        "reasons": [],
        **fields,
    }


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """A path for a fresh database file."""
    return str(tmp_path / "sim.sqlite3")


def test_a_new_file_records_the_schema_version_and_uses_wal(db_path: str) -> None:
    SQLiteStore(db_path).close()
    with sqlite3.connect(db_path) as db:
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        mode = db.execute("PRAGMA journal_mode").fetchone()
    assert version == (str(SCHEMA_VERSION),)
    assert mode == ("wal",)


def test_a_file_from_a_newer_schema_is_refused_naming_both_versions(db_path: str) -> None:
    SQLiteStore(db_path).close()
    newer = SCHEMA_VERSION + 7
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(newer),))

    with pytest.raises(SchemaVersionError) as raised:
        SQLiteStore(db_path)

    assert isinstance(raised.value, StoreError)
    assert isinstance(raised.value, SimulatorError)
    assert f"version {newer}" in raised.value.message
    assert f"version {SCHEMA_VERSION}" in raised.value.message
    assert db_path in raised.value.message


def test_a_file_that_is_not_a_database_is_refused_clearly(db_path: str) -> None:
    Path(db_path).write_bytes(b"this is not SQLite" * 100)

    with pytest.raises(StoreError, match="not a usable simulator database"):
        SQLiteStore(db_path)


def test_everything_written_survives_closing_and_reopening(db_path: str) -> None:
    with SQLiteStore(db_path) as store:
        store.add_workspace("ws_a", "first", "hash-a")
        store.write(
            "ws_a",
            messages=[contact("m1", 0, "u1"), event("m2", 1, person_id="u1")],
            journal=[entry(message_id="m1"), entry(message_id="m2", type="event")],
            journal_cap=100,
        )
        before = (
            store.workspaces(),
            store.key_hashes(),
            list(store.messages("ws_a")),
            store.journal("ws_a", limit=10),
        )

    with SQLiteStore(db_path) as reopened:
        after = (
            reopened.workspaces(),
            reopened.key_hashes(),
            list(reopened.messages("ws_a")),
            reopened.journal("ws_a", limit=10),
        )

    assert after == before
    assert after[2] == [[contact("m1", 0, "u1"), event("m2", 1, person_id="u1")]]


def test_messages_replay_in_acceptance_order_across_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store_module, "_REPLAY_CHUNK", 3)
    store = SQLiteStore()
    store.add_workspace("ws_a", "a", "h")
    sent = [contact(f"m{i}", 10 - i, f"u{i}") for i in range(8)]
    for message in sent:
        store.write("ws_a", messages=[message], journal_cap=10)

    chunks = list(store.messages("ws_a"))

    assert [len(chunk) for chunk in chunks] == [3, 3, 2]
    assert [m for chunk in chunks for m in chunk] == sent


def test_a_failed_write_leaves_neither_messages_nor_journal() -> None:
    store = SQLiteStore()
    store.add_workspace("ws_a", "a", "h")
    store.write("ws_a", messages=[contact("m1", 0, "u1")], journal=[entry()], journal_cap=10)

    with pytest.raises(sqlite3.IntegrityError):
        store.write(
            "ws_a",
            messages=[contact("m2", 0, "u2"), contact("m1", 5, "u1")],
            journal=[entry(message_id="m2")],
            journal_cap=10,
        )

    assert [m["message_id"] for chunk in store.messages("ws_a") for m in chunk] == ["m1"]
    assert len(store.journal("ws_a", limit=10)) == 1


@given(writes=st.lists(st.integers(0, 40), max_size=8), cap=st.integers(1, 60))
def test_the_journal_keeps_the_newest_cap_entries_trimmed_in_chunks(writes: list[int],
                                                                     cap: int) -> None:
    store = SQLiteStore()
    store.add_workspace("ws_a", "a", "h")
    written = 0
    for size in writes:
        store.write(
            "ws_a",
            journal=[entry(message_id=f"m{written + i}") for i in range(size)],
            journal_cap=cap,
        )
        written += size

    kept = [e["message_id"] for e in store.journal("ws_a", limit=1000)]

    assert min(written, cap) <= len(kept) <= cap + trim_slack(cap)
    assert kept == [f"m{i}" for i in reversed(range(written - len(kept), written))]


def test_the_journal_cap_is_per_workspace() -> None:
    store = SQLiteStore()
    for name in ("ws_a", "ws_b"):
        store.add_workspace(name, name, f"hash-{name}")
    store.write("ws_a", journal=[entry()] * 3, journal_cap=5)
    store.write("ws_b", journal=[entry()] * 9, journal_cap=5)

    assert len(store.journal("ws_a", limit=100)) == 3
    assert len(store.journal("ws_b", limit=100)) == 5


def test_the_journal_filters_by_status_type_and_person_and_pages_back() -> None:
    store = SQLiteStore()
    store.add_workspace("ws_a", "a", "h")
    store.write(
        "ws_a",
        journal_cap=100,
        journal=[
            entry("accepted", message_id="m1", person="u1"),
            entry("rejected", message_id="m2", person="u2", reasons=["$.x: bad"]),
            entry("duplicate", message_id="m3", person="u1", type="event"),
            entry("accepted", message_id="m4", person="u1", type="event", akita_message={"a": 1}),
        ],
    )

    def ids(**filters: object) -> list[str]:
        return [e["message_id"] for e in store.journal("ws_a", limit=10, **filters)]

    assert ids() == ["m4", "m3", "m2", "m1"]
    assert ids(status="accepted") == ["m4", "m1"]
    assert ids(types=("event",)) == ["m4", "m3"]
    assert ids(person="u1", status="accepted") == ["m4", "m1"]
    newest_two = store.journal("ws_a", limit=2)
    assert ids(before=newest_two[-1]["id"]) == ["m2", "m1"]
    assert store.journal("ws_a", status="rejected", limit=1)[0]["reasons"] == ["$.x: bad"]
    assert newest_two[0]["akita_message"] == {"a": 1}


def test_clearing_one_workspace_leaves_the_others_and_every_key() -> None:
    store = SQLiteStore()
    for name in ("ws_a", "ws_b"):
        store.add_workspace(name, name, f"hash-{name}")
        store.write(name, messages=[contact("m1", 0, "u1")], journal=[entry()], journal_cap=9)

    store.clear("ws_a")
    assert list(store.messages("ws_a")) == [] and store.journal("ws_a", limit=9) == []
    assert list(store.messages("ws_b")) != [] and store.journal("ws_b", limit=9) != []

    store.clear()
    assert list(store.messages("ws_b")) == [] and store.journal("ws_b", limit=9) == []
    assert store.key_hashes() == {"hash-ws_a": "ws_a", "hash-ws_b": "ws_b"}


def test_writers_in_many_threads_lose_nothing(db_path: str) -> None:
    store = SQLiteStore(db_path)
    store.add_workspace("ws_a", "a", "h")
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            for i in range(40):
                store.write(
                    "ws_a",
                    messages=[contact(f"t{thread}-{i}", i, f"u{thread}")],
                    journal=[entry(message_id=f"t{thread}-{i}")],
                    journal_cap=10_000,
                )
                store.journal("ws_a", limit=5)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()

    assert errors == []
    with SQLiteStore(db_path) as reopened:
        assert sum(len(chunk) for chunk in reopened.messages("ws_a")) == 240
        assert len(reopened.journal("ws_a", limit=1000)) == 240
