"""A scripted Akita behind `responses`, counting what it was sent and what it applied.

Each request takes the next answer from the script (then 200 for ever). An `ok` answer applies
the batch the way Akita does, de-duplicating by message id, so tests can check "nothing lost,
nothing applied twice" and also "nothing sent again after it was accepted".
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import responses

BASE_URL = "http://akita.test"
INGEST_URL = f"{BASE_URL}/akita/v1/segment"
API_KEY = "key-123"

Answer = Callable[["FakeAkita", list[dict[str, Any]]], tuple[int, dict[str, str], str]]


def ok() -> Answer:
    """200 after applying every message not seen before."""
    def answer(akita: FakeAkita, batch: list[dict[str, Any]]) -> tuple[int, dict, str]:
        akita.answered_ok.update(m["message_id"] for m in batch)
        return 200, {}, json.dumps(akita.apply(batch))
    return answer


def status(code: int, body: Any = None, headers: dict[str, str] | None = None) -> Answer:
    """An error answer that applies nothing; the body defaults to Akita's `{"message": ...}`."""
    def answer(akita: FakeAkita, batch: list[dict[str, Any]]) -> tuple[int, dict, str]:
        payload = body if body is not None else {"message": f"scripted {code}"}
        text = payload if isinstance(payload, str) else json.dumps(payload)
        return code, headers or {}, text
    return answer


def drop(error: Exception, *, applied: bool = False) -> Answer:
    """No answer: raise `error`, after applying the batch when `applied` (a lost answer)."""
    def answer(akita: FakeAkita, batch: list[dict[str, Any]]) -> tuple[int, dict, str]:
        if applied:
            akita.apply(batch)
        raise error
    return answer


def timeout(*, applied: bool = False) -> Answer:
    """A read timeout."""
    return drop(requests.exceptions.ReadTimeout("read timed out"), applied=applied)


def dropped() -> Answer:
    """A connection reset before any answer."""
    return drop(requests.ConnectionError("connection reset by peer"))


@dataclass
class FakeAkita:
    """Registered on a RequestsMock; `script` is consumed one answer per request."""

    script: list[Answer] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    sent: Counter[str] = field(default_factory=Counter)
    answered_ok: Counter[str] = field(default_factory=Counter)  # in a batch the client saw 200
    applied: set[str] = field(default_factory=set)  # de-duplicated, as Akita does

    def install(self, mock: responses.RequestsMock) -> FakeAkita:
        mock.add_callback(responses.POST, INGEST_URL, callback=self._handle)
        return self

    def apply(self, batch: list[dict[str, Any]]) -> dict[str, int]:
        new = [m["message_id"] for m in batch if m["message_id"] not in self.applied]
        self.applied.update(new)
        return {"accepted": len(new), "duplicates": len(batch) - len(new)}

    def _handle(self, request: Any) -> tuple[int, dict, str]:
        self.raw.append(request.body)
        body = json.loads(request.body)
        self.bodies.append(body)
        self.headers.append(dict(request.headers))
        self.sent.update(m["message_id"] for m in body["batch"])
        answer = self.script.pop(0) if self.script else ok()
        return answer(self, body["batch"])

    @property
    def batch_sizes(self) -> list[int]:
        return [len(body["batch"]) for body in self.bodies]


def tracks(count: int, prefix: str = "m") -> list[dict[str, Any]]:
    """`count` valid track calls with message ids prefix-0, prefix-1, ..."""
    return [{"type": "track", "userId": f"u{i}", "event": "Clicked", "messageId": f"{prefix}-{i}",
             "timestamp": "2026-11-29T22:37:16.180Z"} for i in range(count)]


def ids(count: int, prefix: str = "m") -> set[str]:
    return {f"{prefix}-{i}" for i in range(count)}


def assert_exactly_once(akita: FakeAkita, expected: set[str]) -> None:
    """Nothing lost, nothing applied twice, nothing resent after Akita took it."""
    assert akita.applied == expected
    # Akita de-duplicates, so "applied twice" cannot happen there; what the client controls is
    # never sending a message again once Akita answered 200 for it.
    assert all(count == 1 for count in akita.answered_ok.values())
