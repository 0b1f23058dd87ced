"""The delivery client against a scripted Akita: every failure path loses nothing and applies
nothing twice, retries only what Segment retries, and says what happened to each message."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from destination.client import AkitaClient
from destination.errors import DestinationError
from destination.report import DeliveryReport
from destination.retry import RetryPolicy

from .fake_akita import (
    API_KEY,
    INGEST_URL,
    FakeAkita,
    assert_exactly_once,
    dropped,
    ids,
    ok,
    status,
    timeout,
    tracks,
)

MakeClient = Callable[..., AkitaClient]


def test_a_batch_goes_out_with_segments_headers_and_is_delivered(
        akita: FakeAkita, make_client: MakeClient) -> None:
    report = make_client().deliver(tracks(3))
    assert [r.status for r in report.records] == ["delivered"] * 3
    headers = akita.headers[0]
    assert headers["Authorization"] == "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Segment.io/1.0"
    assert akita.raw[0].startswith(b'{"batch":[{')  # compact, as measured against the limits
    assert_exactly_once(akita, ids(3))


def test_429_waits_as_long_as_retry_after_says(akita: FakeAkita, make_client: MakeClient,
                                               sleeps: list[float]) -> None:
    akita.script += [status(429, headers={"Retry-After": "7"}), ok()]
    report = make_client().deliver(tracks(2))
    assert sleeps == [7.0]
    assert [(r.status, r.attempts) for r in report.records] == [("delivered", 2)] * 2
    assert_exactly_once(akita, ids(2))


def test_retry_after_as_an_http_date_is_honoured(akita: FakeAkita, sleeps: list[float]) -> None:
    now = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)
    akita.script += [status(503, headers={"Retry-After": format_datetime(now + timedelta(
        seconds=12), usegmt=True)}), ok()]
    policy = RetryPolicy(sleep=sleeps.append, now=lambda: now)
    with AkitaClient("http://akita.test", API_KEY, retry=policy, flush_interval=None) as client:
        assert client.deliver(tracks(1)).ok
    assert sleeps == [12.0]


def test_500_then_200_delivers_once_after_a_backoff(akita: FakeAkita, make_client: MakeClient,
                                                    sleeps: list[float]) -> None:
    akita.script += [status(500), status(502), ok()]
    report = make_client().deliver(tracks(4))
    assert {r.status for r in report.records} == {"delivered"}
    assert len(sleeps) == 2 and 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0
    assert_exactly_once(akita, ids(4))


@pytest.mark.parametrize("code", [408, 423, 429, 500, 502, 503, 504, 599])
def test_segments_retryable_statuses_are_retried(akita: FakeAkita, make_client: MakeClient,
                                                 code: int) -> None:
    akita.script += [status(code), ok()]
    assert make_client().deliver(tracks(1)).ok
    assert len(akita.bodies) == 2


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 413, 415, 501])
def test_other_errors_are_not_retried_and_reject_the_batch(
        akita: FakeAkita, make_client: MakeClient, sleeps: list[float], code: int) -> None:
    akita.script += [status(code, {"message": "no such workspace"})]
    report = make_client().deliver(tracks(2))
    assert len(akita.bodies) == 1 and sleeps == []
    for record in report.records:
        assert (record.status, record.reason, record.attempts) == (
            "rejected", "no such workspace", 1)
        assert record.response == {"status": code, "body": {"message": "no such workspace"}}
    assert not akita.applied


def test_a_timeout_is_retried_and_akitas_deduplication_absorbs_a_lost_answer(
        akita: FakeAkita, make_client: MakeClient) -> None:
    akita.script += [timeout(applied=True), timeout()]
    report = make_client().deliver(tracks(3))
    assert [r.status for r in report.records] == ["duplicate"] * 3
    assert [r.attempts for r in report.records] == [3] * 3
    assert akita.applied == ids(3)
    assert akita.sent == {i: 3 for i in ids(3)}  # the same message ids every time


def test_a_dropped_connection_is_retried(akita: FakeAkita, make_client: MakeClient) -> None:
    akita.script += [dropped(), dropped(), ok()]
    report = make_client().deliver(tracks(2))
    assert report.ok and {r.attempts for r in report.records} == {3}
    assert_exactly_once(akita, ids(2))


def test_retries_stop_after_max_attempts_with_the_last_error(
        akita: FakeAkita, sleeps: list[float]) -> None:
    akita.script += [status(503)] * 2 + [dropped()]
    policy = RetryPolicy(max_attempts=3, sleep=sleeps.append)
    with AkitaClient("http://akita.test", API_KEY, retry=policy, flush_interval=None) as client:
        report = client.deliver(tracks(2))
    assert len(akita.bodies) == 3 and len(sleeps) == 2
    for record in report.records:
        assert record.status == "failed" and record.attempts == 3
        assert record.note == "gave up after 3 failed attempts"
        assert "connection reset by peer" in record.reason
        assert record.response is None  # the last attempt got no answer
    assert not akita.applied


def test_a_retry_after_beyond_the_time_budget_fails_without_waiting(
        akita: FakeAkita, sleeps: list[float]) -> None:
    akita.script += [status(429, headers={"Retry-After": "3600"})]
    policy = RetryPolicy(max_elapsed=60, sleep=sleeps.append)
    with AkitaClient("http://akita.test", API_KEY, retry=policy, flush_interval=None) as client:
        report = client.deliver(tracks(1))
    assert sleeps == [] and report.records[0].status == "failed"
    assert report.records[0].response["status"] == 429


def test_a_400_naming_items_rejects_exactly_those_and_resends_the_rest(
        akita: FakeAkita, make_client: MakeClient, sleeps: list[float]) -> None:
    errors = [{"index": 1, "message_id": "m-1", "path": "$.batch[1].person_id", "reason": "bad"},
              {"index": 1, "message_id": "m-1", "path": "$.batch[1].event", "reason": "worse"},
              {"message_id": "m-3", "path": "$.batch[3].traits", "reason": "by id only"}]
    akita.script += [status(400, {"message": "2 of 5 messages are invalid", "errors": errors})]
    report = make_client().deliver(tracks(5))
    statuses = {r.message_id: r.status for r in report.records}
    assert statuses == {"m-0": "delivered", "m-1": "rejected", "m-2": "delivered",
                        "m-3": "rejected", "m-4": "delivered"}
    first, second = report.records[1], report.records[3]
    assert first.reason == "2 of 5 messages are invalid"
    assert [(p.path, p.reason) for p in first.problems] == [
        ("$.batch[1].person_id", "bad"), ("$.batch[1].event", "worse")]
    assert first.response["body"]["errors"] == errors[:2]  # only its own item errors
    assert second.path == "$.batch[3].traits"
    assert akita.batch_sizes == [5, 3] and sleeps == []
    assert akita.bodies[1]["batch"] == [akita.bodies[0]["batch"][i] for i in (0, 2, 4)]
    assert_exactly_once(akita, {"m-0", "m-2", "m-4"})


def test_a_400_naming_no_item_rejects_the_whole_batch(akita: FakeAkita,
                                                      make_client: MakeClient) -> None:
    akita.script += [status(400, {"message": "the body is invalid", "errors": [
        {"path": "$.batch", "reason": "must be an array"},
        {"index": 99, "path": "$", "reason": "?"}]})]
    report = make_client().deliver(tracks(2))
    assert [r.status for r in report.records] == ["rejected"] * 2 and len(akita.bodies) == 1


def test_a_strict_accounts_409_naming_an_item_resends_the_rest(
        akita: FakeAkita, make_client: MakeClient) -> None:
    akita.script += [status(409, {"message": "conflict", "errors": [
        {"index": 0, "message_id": "m-0", "path": "$.batch[0].organization_id",
         "reason": "contact 'u0' belongs to account 'a'"}]})]
    report = make_client().deliver(tracks(2))
    assert [r.status for r in report.records] == ["rejected", "delivered"]
    assert_exactly_once(akita, {"m-1"})


def test_a_non_json_error_body_is_reported_as_text(akita: FakeAkita,
                                                   make_client: MakeClient) -> None:
    akita.script += [status(502, "<html>Bad Gateway</html>")] * 6
    report = make_client().deliver(tracks(1))
    record = report.records[0]
    assert record.status == "failed" and "<html>Bad Gateway</html>" in record.reason
    assert record.response == {"status": 502, "body": "<html>Bad Gateway</html>"}


def test_a_partly_duplicate_batch_is_delivered_with_a_note(akita: FakeAkita,
                                                           make_client: MakeClient) -> None:
    client = make_client()
    client.deliver(tracks(1))
    report = client.deliver(tracks(3))
    assert [r.status for r in report.records] == ["delivered"] * 3
    assert report.records[0].note == "Akita had 1 of the 3 messages of this batch already"


def test_invalid_calls_are_reported_locally_and_never_sent(akita: FakeAkita,
                                                           make_client: MakeClient) -> None:
    report = make_client().deliver([{"type": "track", "userId": "u1"}, {"type": "screen",
                                    "userId": "u1", "timestamp": "2026-11-29T22:37:16Z"}])
    invalid, skipped = report.records
    assert (invalid.status, invalid.path, invalid.problems[0].reason) == (
        "invalid", "$.event", "is required")
    assert (skipped.status, skipped.reason) == ("skipped", "Akita does not support screen calls")
    assert akita.bodies == [] and not report.ok


def test_the_report_is_json_and_never_shows_the_api_key(akita: FakeAkita,
                                                        make_client: MakeClient) -> None:
    akita.script += [status(500)]
    report = make_client().deliver([*tracks(2), {"type": "alias", "userId": "x"}])
    text = json.dumps(report.to_dict())
    assert API_KEY not in text and base64.b64encode(f"{API_KEY}:".encode()).decode() not in text
    record = report.to_dict()["records"][1]
    assert record["request"] == {
        "method": "POST", "url": INGEST_URL,
        "headers": {"Authorization": "[redacted]", "Content-Type": "application/json",
                    "User-Agent": "Segment.io/1.0"},
        "body": {"batch": [record["message"]]}, "batch": {"index": 1, "size": 2}}
    assert record["response"] == {"status": 200, "body": {"accepted": 2, "duplicates": 0}}
    assert record["attempts"] == 2 and record["call"] == tracks(2)[1]
    assert report.summary() == {"mapped": 0, "delivered": 2, "duplicate": 0, "filtered": 0,
                                "skipped": 0, "invalid": 1, "rejected": 0, "failed": 0,
                                "total": 3}
    assert isinstance(report, DeliveryReport) and not report.ok


def test_a_client_refuses_a_base_url_that_is_not_http() -> None:
    with pytest.raises(ValueError, match="http"):
        AkitaClient("akita.test", API_KEY)


def test_a_closed_client_refuses_calls(make_client: MakeClient) -> None:
    client = make_client()
    client.close()
    with pytest.raises(DestinationError, match="closed"):
        client.enqueue(tracks(1)[0])
