"""When to try a request to Akita again, and how long to wait first.

Segment's rule for partner destinations: retry timeouts, connection errors, 408, 423, 429 and
5xx except 501; never another 4xx (a bad key or an invalid payload will not get better). Waits
grow exponentially with jitter, so many senders recovering from one outage do not knock in step,
and a `Retry-After` from Akita is obeyed as it stands. Sleep, clock and randomness are
injectable so that tests never wait.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from destination.errors import AkitaConnectionError, AkitaHTTPError, DestinationError

RETRYABLE_4XX = frozenset({408, 423, 429})


def is_retryable(error: DestinationError) -> bool:
    """True when trying the same request again may succeed (Segment's rule, above)."""
    if isinstance(error, AkitaConnectionError):
        return error.retryable
    if isinstance(error, AkitaHTTPError):
        return error.status in RETRYABLE_4XX or (500 <= error.status < 600
                                                 and error.status != 501)
    return False


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` (delay-seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # str.isdigit() also admits '²', which float() refuses
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # HTTP dates are GMT by definition
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds and pacing of retries for one batch.

    `max_attempts` counts requests that failed in a retryable way; `max_elapsed` bounds the
    time spent on one batch, waits included (a `Retry-After` beyond it gives up at once rather
    than hold the batch hostage). Segment itself keeps trying for hours; a local tool should
    answer within a minute, so the defaults are smaller.
    """

    max_attempts: int = 6
    max_elapsed: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = _utc_now
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, failures: int) -> float:
        """Exponential backoff with equal jitter: half the step fixed, half random."""
        step = min(self.max_delay, self.base_delay * 2 ** max(0, failures - 1))
        return step / 2 + self.rng.uniform(0, step / 2)

    def next_delay(self, failures: int, elapsed: float, retry_after: float | None) -> float | None:
        """Seconds to wait before the next attempt, or None to give up."""
        if failures >= self.max_attempts:
            return None
        delay = retry_after if retry_after is not None else self.backoff(failures)
        if elapsed + delay > self.max_elapsed:
            return None
        return delay
