"""`akita-map` runs Segment's pipeline as the gateway does: the type from `--type`, the
`integrations` filter, calls stamped on receipt, repeats dropped at the edge, gzipped archives,
and output that streams while the input is still arriving."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

from .test_cli import COMMAND, lines, run

T = "2026-11-29T22:37:16.180Z"
TRACK = {"type": "track", "userId": "u1", "event": "Signed Up", "timestamp": T, "messageId": "t-1"}


def jsonl(*calls: object) -> str:
    """Calls as JSON Lines."""
    return "\n".join(json.dumps(call) for call in calls)


def test_type_gives_http_api_bodies_their_path_type() -> None:
    body = {"userId": "u1", "event": "Signed Up", "timestamp": T}

    untyped, typed = run(stdin=json.dumps(body)), run("--type", "track", stdin=json.dumps(body))

    assert lines(untyped.stdout)[0]["problems"][0]["path"] == "$.type"
    assert lines(typed.stdout)[0]["message"]["type"] == "event"


def test_a_call_kept_from_akita_by_integrations_is_filtered_and_not_a_problem() -> None:
    result = run(stdin=json.dumps({**TRACK, "integrations": {"All": False}}))

    (record,) = lines(result.stdout)
    assert result.returncode == 0
    assert record["status"] == "filtered" and "integrations.All is false" in record["reason"]


def test_a_call_without_a_timestamp_is_stamped_on_receipt_and_without_an_id_given_one() -> None:
    result = run(stdin=json.dumps({"type": "identify", "userId": "u1"}))

    (record,) = lines(result.stdout)
    assert record["status"] == "mapped"
    assert record["message"]["timestamp"] == record["call"]["receivedAt"]
    assert record["message"]["message_id"].startswith("api-")


def test_a_repeated_message_id_is_a_duplicate_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(jsonl(TRACK))
    second.write_text(jsonl({**TRACK, "event": "Changed"}))

    records = lines(run(str(first), str(second)).stdout)

    assert [r["status"] for r in records] == ["mapped", "duplicate"]
    assert f"received before ({first}:1" in records[1]["reason"]


def test_gzipped_archives_are_read_as_they_are(tmp_path: Path) -> None:
    archive = tmp_path / "segment-logs" / "src" / "1764460800000" / "part.gz"
    archive.parent.mkdir(parents=True)
    with gzip.open(archive, "wt") as out:
        out.write(jsonl(TRACK, {**TRACK, "messageId": "t-2"}))

    records = lines(run(str(archive)).stdout)

    assert [(r["source"], r["status"]) for r in records] == [
        (f"{archive}:1", "mapped"), (f"{archive}:2", "mapped")]


def test_problems_shows_only_what_did_not_map_cleanly_and_the_totals_count_all() -> None:
    calls = [TRACK, {**TRACK, "messageId": "t-2", "event": None}, {**TRACK, "type": "screen",
                                                                   "messageId": "s-1"}]

    result = run("--problems", stdin=jsonl(*calls))

    assert [r["status"] for r in lines(result.stdout)] == ["invalid", "skipped"]
    summary = json.loads(result.stderr.splitlines()[-1])["summary"]
    assert (summary["mapped"], summary["invalid"], summary["skipped"], summary["total"]) == (
        1, 1, 1, 3)


def test_output_streams_while_the_input_is_still_arriving() -> None:
    process = subprocess.Popen(COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        process.stdin.write(json.dumps(TRACK) + "\n")
        process.stdin.flush()
        first = json.loads(process.stdout.readline())  # answered before the input ends
        assert first["status"] == "mapped" and first["source"] == "<stdin>:1"
        process.stdin.write(json.dumps({**TRACK, "messageId": "t-2"}) + "\n")
        process.stdin.close()
        assert json.loads(process.stdout.readline())["message_id"] == "t-2"
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        process.stdout.close()
        process.stderr.close()
