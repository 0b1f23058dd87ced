"""The destination against the live simulator: what the mapping sends, Akita accepts and
understands; retries of a delivered batch change nothing; `akita-map --send` does the same."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from destination.client import AkitaClient

from .segment_calls import segment_calls
from .test_cli import lines, run

JOURNEY: list[dict[str, Any]] = [
    {"type": "page", "anonymousId": "anon-1", "messageId": "p-1",
     "timestamp": "2026-11-29T09:50:00Z", "context": {"page": {"url": "https://x.example/"}}},
    {"type": "group", "userId": "u-1", "groupId": 1001, "traits": {"name": "Acme"},
     "messageId": "g-1", "timestamp": "2026-11-29T10:00:00+01:00"},
    {"type": "identify", "userId": "u-1", "anonymousId": "anon-1", "messageId": "i-1",
     "traits": {"groupId": 1001, "email": "ada@example.com"},
     "timestamp": "2026-11-29T10:01:00Z"},
    {"type": "track", "userId": "u-1", "event": "Signed Up", "messageId": "t-1",
     "context": {"groupId": 1001}, "timestamp": "2026-11-29T10:02:00Z"},
    {"type": "screen", "userId": "u-1", "messageId": "s-1", "timestamp": "2026-11-29T10:03:00Z"},
    {"type": "track", "userId": "u-1", "messageId": "bad-1"},
]


def test_a_journey_lands_in_akita_as_account_contact_and_session(akita_workspace: Any) -> None:
    with AkitaClient(akita_workspace.server_url, akita_workspace.api_key,
                     flush_interval=None) as client:
        report = client.deliver(JOURNEY)
        again = client.deliver(JOURNEY)
    assert [r.status for r in report.records] == ["delivered"] * 4 + ["skipped", "invalid"]
    assert [r.status for r in again.records] == ["duplicate"] * 4 + ["skipped", "invalid"]
    state = akita_workspace.state()
    assert [a["organization_id"] for a in state["accounts"]] == ["1001"]
    (contact,) = state["contacts"]
    assert (contact["person_id"], contact["organization_id"]) == ("u-1", "1001")
    assert contact["anonymous_ids"] == ["anon-1"]
    assert [len(s["items"]) for s in contact["sessions"]] == [2]  # the page joined the session
    assert state["counts"]["messages"] == 4


def test_a_wrong_key_is_rejected_once_with_akitas_message(akita_workspace: Any) -> None:
    with AkitaClient(akita_workspace.server_url, "not-a-key", flush_interval=None) as client:
        (record,) = client.deliver(JOURNEY[:1]).records
    assert (record.status, record.attempts, record.response["status"]) == ("rejected", 1, 401)
    assert "API key" in record.reason


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(segment_calls(), min_size=1, max_size=25))
def test_every_mapped_call_is_accepted_by_akita(akita_workspace: Any, calls: list[dict]) -> None:
    with AkitaClient(akita_workspace.server_url, akita_workspace.api_key,
                     flush_interval=None) as client:
        report = client.deliver(calls)
    assert {r.status for r in report.records} <= {"delivered", "duplicate", "skipped"}, \
        [(r.status, r.reason, r.problems) for r in report.records]


def test_akita_map_send_delivers_and_prints_the_report(akita_workspace: Any) -> None:
    stdin = "\n".join(json.dumps(call) for call in JOURNEY[:5])
    result = run("--send", akita_workspace.server_url, "--api-key", akita_workspace.api_key,
                 stdin=stdin)
    assert result.returncode == 0, result.stderr
    records = lines(result.stdout)
    assert [r["status"] for r in records] == ["delivered"] * 4 + ["skipped"]
    assert records[0]["request"]["headers"]["Authorization"] == "[redacted]"
    assert records[0]["response"] == {"status": 200, "body": {"accepted": 4, "duplicates": 0}}
    assert akita_workspace.api_key not in result.stdout + result.stderr
    summary = json.loads(result.stderr.splitlines()[-1])["summary"]
    assert (summary["delivered"], summary["skipped"], summary["total"]) == (4, 1, 5)
    again = run("--send", akita_workspace.server_url, "--api-key", akita_workspace.api_key,
                "--format", "text", stdin=stdin)
    assert again.returncode == 0 and "duplicate" in again.stdout
    assert akita_workspace.state()["counts"]["messages"] == 4
