"""A database file has one owner, is refused when damaged or missing its WAL, and a server
started in the background stops cleanly on SIGINT or SIGTERM.

Each refusal names the file and what to do, and leaves the file as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from simulator.errors import DamagedDatabase, DatabaseInUse, StoreError
from simulator.service import Simulator
from simulator.store import SQLiteStore

AKITA_SIM = str(Path(sys.executable).with_name("akita-sim"))
KEY = "files-key"
CONTACT = {"type": "contact", "message_id": "m1", "timestamp": "2026-11-29T10:00:00.000Z",
           "person_id": "u1", "organization_id": "acme"}


def serve(db: Path, *, ignore_sigint: bool = False) -> tuple[subprocess.Popen, str]:
    """`akita-sim serve` on `db` and a free port; the process and its base URL."""
    def ignored() -> None:  # what a non-interactive shell does to a job started with `&`
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    process = subprocess.Popen(
        [AKITA_SIM, "serve", "--port", "0", "--db", str(db), "--api-key", KEY], text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=ignored if ignore_sigint else None)
    banner = ""
    while "Press Ctrl-C" not in banner:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"akita-sim exited: {banner}{process.communicate()[1]}")
        banner += line
    return process, re.search(r"listening on (http://\S+?)[,\s]", banner)[1]


def run(*args: str) -> subprocess.CompletedProcess:
    """An `akita-sim` command to its end."""
    return subprocess.run([AKITA_SIM, *args], capture_output=True, text=True, timeout=60)


def digest(path: Path) -> str:
    """What the file holds, to show a refusal changed nothing."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_second_server_export_and_reset_refuse_a_file_a_server_owns(tmp_path: Path) -> None:
    db = tmp_path / "owned.sqlite3"
    first, url = serve(db)
    try:
        assert requests.post(f"{url}/akita/v1/segment", json={"batch": [CONTACT]},
                             auth=(KEY, ""), timeout=10).status_code == 200

        second = run("serve", "--port", "0", "--db", str(db))
        export = run("export", "--db", str(db))
        reset = run("reset", "--db", str(db))

        for refused in (second, export, reset):
            assert refused.returncode == 1
            assert str(db) in refused.stderr
            assert f"process {first.pid}" in refused.stderr
        assert "GET /_sim/workspaces/ID/state" in export.stderr
        assert "POST /_sim/reset" in reset.stderr
        [workspace] = requests.get(f"{url}/_sim/workspaces", timeout=10).json()["workspaces"]
        state = requests.get(f"{url}/_sim/workspaces/{workspace['id']}/state", timeout=10).json()
        assert state["counts"]["messages"] == 1  # reset refused: nothing was emptied
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
    assert run("export", "--db", str(db)).returncode == 0  # the owner gone, the file is free


def test_an_owner_killed_with_sigkill_leaves_no_stale_lock(tmp_path: Path) -> None:
    db = tmp_path / "killed.sqlite3"
    process, _ = serve(db)
    process.kill()
    process.communicate(timeout=30)

    with SQLiteStore(str(db)) as store:  # the kernel released the lock with the process
        assert store.workspaces()


def test_in_one_process_a_second_store_on_the_same_file_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "twice.sqlite3")
    with SQLiteStore(path), pytest.raises(DatabaseInUse, match=re.escape(path)):
        SQLiteStore(path)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_server_started_in_the_background_stops_cleanly(tmp_path: Path, signum: int) -> None:
    process, _ = serve(tmp_path / "bg.sqlite3", ignore_sigint=True)
    process.send_signal(signum)
    out, err = process.communicate(timeout=30)

    assert process.returncode == 0, err
    assert "akita-sim stopped" in out


def fill(path: Path) -> None:
    """A file holding one workspace with one accepted message."""
    simulator = Simulator(SQLiteStore(str(path)))
    workspace = simulator.create_workspace("filled", KEY)["id"]
    simulator.ingest(workspace, {"batch": [CONTACT]})
    simulator.close()


def test_a_damaged_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    fill(path)
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(page, len(data), page):  # every page but the header's
        data[start + 8:start + page] = bytes(reversed(data[start + 8:start + page]))
    path.write_bytes(bytes(data))
    before = digest(path)

    with pytest.raises(DamagedDatabase, match="move it aside"):
        SQLiteStore(str(path))
    served = run("serve", "--port", "0", "--db", str(path))
    assert served.returncode == 1 and str(path) in served.stderr
    assert digest(path) == before


def test_a_file_copied_without_its_wal_is_refused_and_with_it_opens(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    simulator = Simulator(SQLiteStore(str(live)))
    workspace = simulator.create_workspace("live", KEY)["id"]
    simulator.ingest(workspace, {"batch": [CONTACT]})
    # A copy taken while the server runs, or after it was killed: the newest commits are in
    # the -wal file. Copied alone, the file must not open as an older state.
    alone, whole = tmp_path / "alone" / "db.sqlite3", tmp_path / "whole" / "db.sqlite3"
    for copy in (alone, whole):
        copy.parent.mkdir()
        shutil.copy(live, copy)
    shutil.copy(f"{live}-wal", f"{whole}-wal")
    simulator.close()

    with pytest.raises(DamagedDatabase, match=re.escape("db.sqlite3-wal file is missing")):
        SQLiteStore(str(alone))
    assert not os.path.exists(f"{alone}-wal") or os.path.getsize(f"{alone}-wal") == 0
    reopened = Simulator(SQLiteStore(str(whole)))
    assert reopened.counts(reopened.workspace_for_key(KEY))["messages"] == 1
    reopened.close()


def test_a_cleanly_closed_file_needs_no_wal(tmp_path: Path) -> None:
    path = tmp_path / "clean.sqlite3"
    fill(path)
    assert not os.path.exists(f"{path}-wal")  # the clean close checkpointed and removed it

    moved = tmp_path / "moved.sqlite3"
    shutil.move(path, moved)
    reopened = Simulator(SQLiteStore(str(moved)))
    assert reopened.counts(reopened.workspace_for_key(KEY))["messages"] == 1
    reopened.close()


def test_a_folder_the_lock_cannot_be_made_in_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "db.sqlite3"

    with pytest.raises(StoreError, match="cannot take"):
        SQLiteStore(str(missing))
