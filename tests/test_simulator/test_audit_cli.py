"""`akita-map audit` as a user runs it: a folder of gzipped archive files in, what Akita would
hold and why out, as text, as JSON, and as Parquet tables."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from destination.cli import main
from simulator.engine import Workspace


def archive(folder: Path, hours: dict[str, list[Any]]) -> Path:
    """Segment's S3 layout: segment-logs/<source>/<day>/<hour>.gz, JSON Lines inside."""
    for name, calls in hours.items():
        path = folder / "segment-logs" / "src-1" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress("".join(json.dumps(c) + "\n" for c in calls).encode()))
    return folder / "segment-logs"


def call(kind: str, message_id: str, received: str = "2026-11-02T10:00:00.000Z",
         **fields: Any) -> dict[str, Any]:
    return {"type": kind, "messageId": message_id, "timestamp": "2026-11-02T09:59:00.000Z",
            "receivedAt": received, **fields}


HISTORY = {
    "2026-11-02/10.gz": [
        call("identify", "m1", userId="ann", anonymousId="dev-1", traits={"groupId": "acme"}),
        call("track", "m2", anonymousId="dev-1", event="Opened"),
        call("group", "m3", userId="ann", groupId="acme", traits={"plan": "pro"}),
        call("identify", "m4", userId="bob"),
    ],
    "2026-11-02/11.gz": [
        call("track", "m2", anonymousId="dev-1", event="Opened"),  # a re-send
        call("track", "m5", userId="bob"),  # no event: invalid
        call("screen", "m6", userId="bob", name="Home"),  # Akita takes no screens
        call("track", "m7", userId="bob", event="Hidden", integrations={"Akita": False}),
    ],
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["audit", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_json_counts_use_the_simulators_names_and_calls_group_their_reasons(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = archive(tmp_path, HISTORY)

    status, out, _ = run(capsys, str(folder), "--json", "--scheduler", "synchronous")

    found = json.loads(out)
    assert status == 1  # an invalid call
    assert set(found["counts"]) == set(Workspace().counts())
    assert found["counts"] == {"messages": 4, "accounts": 1, "contacts": 2, "placed": 1,
                               "pending": 1, "visitors": 0, "sessions": 1, "events": 1,
                               "pages": 0}
    calls = found["calls"]
    assert {k: calls[k] for k in ("mapped", "duplicate", "filtered", "skipped", "invalid",
                                  "total")} == {"mapped": 4, "duplicate": 1, "filtered": 1,
                                                "skipped": 1, "invalid": 1, "total": 8}
    hour = folder / "src-1" / "2026-11-02"
    by_status = {group["status"]: group for group in calls["reasons"]}
    assert by_status["duplicate"]["samples"] == [
        {"origin": f"{hour}/11.gz:1", "message_id": "m2", "repeats": f"{hour}/10.gz:2"}]
    assert by_status["invalid"]["path"] == "$.event"
    assert by_status["invalid"]["samples"][0]["origin"] == f"{hour}/11.gz:2"
    assert "Akita" in by_status["filtered"]["reason"]


def test_the_text_summary_shows_the_state_the_outcomes_and_where_each_reason_is(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = archive(tmp_path, HISTORY)

    status, out, _ = run(capsys, str(folder), str(tmp_path / "missing"),
                         "--scheduler", "synchronous")

    assert status == 1
    assert "What Akita would hold" in out and "What became of the calls" in out
    assert "$.event: " in out and "11.gz:2" in out
    assert f"unreadable: {tmp_path / 'missing'}: no such file or folder" in out


def test_out_writes_parquet_tables_that_pandas_reads(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = archive(tmp_path, HISTORY)

    run(capsys, str(folder), "--out", str(tmp_path / "audit"), "--scheduler", "threads")

    contacts = pd.read_parquet(tmp_path / "audit" / "contacts").set_index("person_id")
    accounts = pd.read_parquet(tmp_path / "audit" / "accounts")
    problems = pd.read_parquet(tmp_path / "audit" / "problems")
    sessions = pd.read_parquet(tmp_path / "audit" / "sessions")
    assert contacts.loc["ann", "organization_id"] == "acme"
    assert list(contacts.loc["ann", "anonymous_ids"]) == ["dev-1"]
    assert contacts.loc["bob", "pending_reason"].startswith("no ")
    assert json.loads(accounts.loc[0, "traits"]) == {"plan": "pro"}
    assert list(accounts.loc[0, "contacts"]) == ["ann"]
    assert sorted(problems["status"]) == ["duplicate", "filtered", "invalid", "skipped"]
    assert str(sessions["start"].dtype) == "datetime64[us, UTC]"


def test_a_repeat_past_the_edges_window_is_processed_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = call("track", "late", userId="ann", event="Sent", integrations={"All": False})
    again = call("track", "late", "2026-11-04T10:00:00.000Z", userId="ann", event="Sent")
    soon = call("track", "late", "2026-11-04T11:00:00.000Z", userId="ann", event="Sent")
    folder = archive(tmp_path, {"2026-11-02/10.gz": [first], "2026-11-04/10.gz": [again, soon]})

    _, out, _ = run(capsys, str(folder), "--json", "--scheduler", "synchronous")

    calls = json.loads(out)["calls"]
    assert (calls["filtered"], calls["mapped"], calls["duplicate"]) == (1, 1, 1)
    (repeat,) = [g for g in calls["reasons"] if g["status"] == "duplicate"]
    assert "24-hour window" in repeat["reason"]
    assert repeat["samples"][0]["repeats"].endswith("2026-11-04/10.gz:1")


def test_by_default_the_audit_runs_on_a_local_cluster_of_worker_processes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = archive(tmp_path, HISTORY)

    _, by_processes, _ = run(capsys, str(folder), "--json", "--workers", "1")
    _, in_process, _ = run(capsys, str(folder), "--json", "--scheduler", "synchronous")

    assert json.loads(by_processes) == json.loads(in_process)


def test_inputs_naming_no_file_exit_with_two_and_say_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, str(tmp_path / "nowhere"))

    assert status == 2
    assert f"{tmp_path / 'nowhere'}: no such file or folder" in err
    assert "no input file found" in err


def test_workers_with_a_clusters_address_is_a_usage_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["audit", "x", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"])

    assert stopped.value.code == 2
    assert "--workers sizes the local scheduler" in capsys.readouterr().err


def test_a_call_with_a_lone_surrogate_is_reported_and_written_with_its_escape(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "calls.jsonl"  # JSON may escape a lone surrogate; UTF-8 cannot hold one
    path.write_text('{"type": "track", "userId": "u1", "event": "E", "messageId": "m\\ud800",'
                    ' "timestamp": "2026-11-02T10:00:00Z", "properties": {"\\udfff": 1}}\n')

    status, out, _ = run(capsys, str(path), "--json", "--out", str(tmp_path / "audit"),
                         "--scheduler", "synchronous")

    assert status == 1
    (group,) = json.loads(out)["calls"]["reasons"]
    assert group["status"] == "invalid" and "surrogate" in group["reason"]
    assert group["samples"][0]["message_id"] == "m\\ud800"
    problems = pd.read_parquet(tmp_path / "audit" / "problems")
    assert list(problems["message_id"]) == ["m\\ud800"]
