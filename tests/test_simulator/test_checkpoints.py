"""Engine checkpoints: a restart loads the state and replays only what came after it, and gives
exactly the state a replay of every message gives; a checkpoint that cannot be trusted (another
engine version, damaged bytes, a workspace reset since) is ignored, never believed."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.generators.strategies import akita_messages
from simulator.engine import Workspace
from simulator.service import Simulator
from simulator.store import SQLiteStore
from simulator.store.checkpoints import folder_of, read

KEY = "checkpoint-key"


def opened(path: Path, **options: Any) -> tuple[Simulator, str]:
    simulator = Simulator(SQLiteStore(str(path)), **options)
    return simulator, simulator.ensure_workspace(KEY)


def ingest(simulator: Simulator, workspace_id: str, messages: list[dict[str, Any]]) -> None:
    for start in range(0, len(messages), 7):
        simulator.ingest(workspace_id, {"batch": messages[start:start + 7]})


def replayed(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The state a workspace fed every message once holds: what any restart must give."""
    workspace = Workspace()
    for message in messages:
        workspace.apply([message])
    return workspace.snapshot()


def stored_checkpoint(path: Path) -> tuple[str, int] | None:
    """(version, position) of the one workspace's checkpoint file beside the database."""
    found = list(folder_of(str(path)).glob("*.ckpt"))
    if not found:
        return None
    written = read(folder_of(str(path)), found[0].stem)
    return (written.version, written.position) if written is not None else None


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messages=st.lists(akita_messages(), min_size=1, max_size=25,
                         unique_by=lambda m: m["message_id"]),
       cut=st.integers(0, 25), every=st.integers(1, 10))
def test_a_restart_from_a_checkpoint_holds_what_a_full_replay_holds(
        tmp_path_factory: pytest.TempPathFactory, messages: list[dict[str, Any]], cut: int,
        every: int) -> None:
    path = tmp_path_factory.mktemp("db") / "akita.sqlite3"
    simulator, workspace_id = opened(path)
    simulator.checkpoints.every = every  # forked checkpoints on the way, too
    ingest(simulator, workspace_id, messages[:cut])
    simulator.close()  # checkpoints what the background ones did not cover
    simulator, workspace_id = opened(path)
    ingest(simulator, workspace_id, messages[cut:])

    assert simulator.snapshot(workspace_id) == replayed(messages)
    simulator.close()
    simulator, workspace_id = opened(path)
    assert simulator.snapshot(workspace_id) == replayed(messages)
    simulator.close()


def many(count: int, prefix: str = "m") -> list[dict[str, Any]]:
    return [{"type": "event", "message_id": f"{prefix}{n}", "timestamp": "2026-11-02T10:00:00Z",
             "person_id": f"p{n % 5}", "event": "Clicked", "properties": {"n": n}}
            for n in range(count)]


def test_a_checkpoint_is_written_in_the_background_while_ingest_goes_on(
        tmp_path: Path) -> None:
    path = tmp_path / "akita.sqlite3"
    simulator, workspace_id = opened(path)
    simulator.checkpoints.every = 20
    messages = many(60)
    ingest(simulator, workspace_id, messages[:21])  # crosses `every`: a child is forked
    ingest(simulator, workspace_id, messages[21:])  # and ingest is not held up by it
    deadline = time.monotonic() + 10
    while stored_checkpoint(path) is None and time.monotonic() < deadline:
        time.sleep(0.02)

    version, position = stored_checkpoint(path)
    assert version == simulator.checkpoints.version and position > 0
    with sqlite3.connect(path) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM messages WHERE seq <= ?",
                              (position,)).fetchone()
    assert count >= 21
    simulator.store.close()  # a crash: no checkpoint at stop
    restarted, workspace_id = opened(path)
    assert restarted.snapshot(workspace_id) == replayed(messages)
    restarted.close()


@pytest.mark.parametrize("damage", ["version", "state"])
def test_a_checkpoint_of_another_version_or_with_damaged_bytes_is_ignored(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str) -> None:
    path = tmp_path / "akita.sqlite3"
    simulator, workspace_id = opened(path)
    messages = many(30)
    ingest(simulator, workspace_id, messages)
    simulator.close()
    (file,) = folder_of(str(path)).glob("*.ckpt")
    header, _, state = file.read_bytes().partition(b"\n")
    if damage == "version":
        header = header.replace(b'"version": "engine', b'"version": "engine 0; was')
    else:
        state = state[:len(state) // 2]
    file.write_bytes(header + b"\n" + state)
    caplog.set_level(logging.WARNING, "akita_sim")

    restarted, workspace_id = opened(path)

    assert restarted.snapshot(workspace_id) == replayed(messages)
    if damage == "state":
        assert "checkpoint ignored" in caplog.text
    restarted.close()


def test_a_reset_workspace_never_comes_back_from_its_old_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "akita.sqlite3"
    simulator, workspace_id = opened(path)
    ingest(simulator, workspace_id, many(30, "old-"))
    simulator.close()
    simulator, workspace_id = opened(path)
    simulator.reset(workspace_id)
    fresh = many(3, "new-")
    ingest(simulator, workspace_id, fresh)
    simulator.store.close()  # a crash before any new checkpoint

    restarted, workspace_id = opened(path)

    assert restarted.snapshot(workspace_id) == replayed(fresh)
    restarted.close()


def test_a_checkpoint_built_with_another_session_timeout_is_not_used(tmp_path: Path) -> None:
    from datetime import timedelta

    path = tmp_path / "akita.sqlite3"
    simulator, workspace_id = opened(path)
    messages = many(10)
    ingest(simulator, workspace_id, messages)
    simulator.close()

    restarted, workspace_id = opened(path, session_timeout=timedelta(minutes=5))

    expected = Workspace(session_timeout=timedelta(minutes=5))
    expected.apply(messages)
    assert restarted.snapshot(workspace_id) == expected.snapshot()
    assert restarted.checkpoints.version != stored_checkpoint(path)[0]
    restarted.close()
