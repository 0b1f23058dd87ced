"""Segment's retry rule, Retry-After in both forms, and the bounds of the backoff."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from destination.errors import AkitaConnectionError, AkitaHTTPError, DestinationError
from destination.retry import RetryPolicy, is_retryable, parse_retry_after

NOW = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(("code", "retryable"), [
    (400, False), (401, False), (403, False), (404, False), (408, True), (409, False),
    (410, False), (413, False), (423, True), (429, True), (500, True), (501, False),
    (502, True), (503, True), (504, True), (505, True), (599, True), (302, False),
])
def test_http_errors_are_retried_as_segment_retries_them(code: int, retryable: bool) -> None:
    assert is_retryable(AkitaHTTPError(code, "m", None)) is retryable


def test_no_answer_is_retried_unless_retrying_cannot_help() -> None:
    assert is_retryable(AkitaConnectionError("reset"))
    assert not is_retryable(AkitaConnectionError("bad url", retryable=False))
    assert not is_retryable(DestinationError("closed"))


@pytest.mark.parametrize(("header", "seconds"), [
    ("7", 7.0), (" 0 ", 0.0), ("\u00b2", None), ("Sun, 29 Nov 2026 22:00:30 GMT", 30.0),
    ("Sun, 29 Nov 2026 21:00:00 GMT", 0.0), (None, None), ("", None), ("soon", None),
    ("-5", None), ("1.5", None),
])
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str | None,
                                                        seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=8, rng=random.Random(1))
    for failures, step in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 8), (12, 8)]:
        waits = [policy.backoff(failures) for _ in range(50)]
        assert all(step / 2 <= wait <= step for wait in waits)
        assert len(set(waits)) > 1


def test_next_delay_gives_up_on_attempts_and_on_time() -> None:
    policy = RetryPolicy(max_attempts=3, max_elapsed=10, base_delay=1, rng=random.Random(2))
    assert policy.next_delay(1, elapsed=0, retry_after=None) is not None
    assert policy.next_delay(3, elapsed=0, retry_after=None) is None
    assert policy.next_delay(1, elapsed=0, retry_after=4) == 4
    assert policy.next_delay(1, elapsed=7, retry_after=4) is None
