"""Starting with data: files of Segment calls and Akita messages, loaded idempotently."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from simulator.web import simulator_of
from simulator.web.seeding import seed
from simulator.web.serving import opened_app

AKITA_SIM = str(Path(sys.executable).with_name("akita-sim"))
KEY = "seed-key"
CALLS = [
    {"type": "identify", "userId": "ada", "traits": {"groupId": "acme", "plan": "pro"}},
    {"type": "track", "userId": "ada", "event": "Signed Up", "timestamp": "2026-03-01T09:00:00Z"},
]
MESSAGES = [{"type": "contact", "message_id": "c-1", "timestamp": "2026-03-01T09:00:00.000Z",
             "person_id": "grace", "organization_id": "initech"}]


@pytest.fixture
def app() -> Iterator[Flask]:
    """The served app, gateway included, in memory."""
    with opened_app({"AKITA_DB": None}) as app:
        yield app


def test_calls_and_messages_in_every_form_are_loaded_and_a_second_seeding_changes_nothing(
        app: Flask, tmp_path: Path) -> None:
    jsonl = tmp_path / "calls.jsonl.gz"
    with gzip.open(jsonl, "wt") as out:
        out.write("\n".join(json.dumps(call) for call in CALLS) + "\nnot json\n")
    envelope = tmp_path / "batch.json"
    envelope.write_text(json.dumps({"batch": [{"type": "group", "userId": "ada",
                                               "groupId": "acme"}],
                                    "context": {"library": {"name": "analytics-python"}}}))
    akita = tmp_path / "akita.json"
    akita.write_text(json.dumps(MESSAGES))
    files = [str(jsonl), str(envelope), str(akita)]

    first = seed(app, files, KEY)
    simulator = simulator_of(app)
    workspace = simulator.workspace_for_key(KEY)
    state = simulator.snapshot(workspace)
    again = seed(app, files, KEY)

    assert first == {"accepted": 1, "delivered": 3, "unreadable": 1}
    assert again == {"duplicate": 4, "unreadable": 1}
    assert simulator.snapshot(workspace) == state
    assert simulator.contact(workspace, "ada")["organization_id"] == "acme"
    assert simulator.contact(workspace, "grace")["organization_id"] == "initech"


def test_akita_sim_seed_loads_a_file_and_serve_seed_starts_with_it(tmp_path: Path) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text("\n".join(json.dumps(call) for call in CALLS))
    db = str(tmp_path / "seeded.sqlite3")

    loaded = subprocess.run([AKITA_SIM, "seed", str(calls), "--db", db], capture_output=True,
                            text=True, timeout=60)
    served = subprocess.Popen([AKITA_SIM, "serve", "--port", "0", "--db", db, "--seed",
                               str(calls)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    banner = ""
    while "Press Ctrl-C" not in banner:
        line = served.stdout.readline()
        assert line, served.communicate()[1]
        banner += line
    served.terminate()
    served.communicate(timeout=30)

    assert loaded.returncode == 0 and f"{calls}: 2 delivered" in loaded.stdout
    assert f"seeded:    2 duplicate from {calls}" in banner  # already there: nothing changed


def test_a_file_that_cannot_be_read_is_an_error_naming_it(tmp_path: Path) -> None:
    done = subprocess.run([AKITA_SIM, "seed", str(tmp_path / "nope.json"), "--db",
                           str(tmp_path / "x.sqlite3")], capture_output=True, text=True,
                          timeout=60)

    assert done.returncode == 1 and "nope.json: cannot read" in done.stderr
