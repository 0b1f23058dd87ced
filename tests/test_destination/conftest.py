"""Fixtures for the destination's tests: a scripted Akita and clients that never sleep."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses

from destination.client import AkitaClient
from destination.retry import RetryPolicy

from .fake_akita import API_KEY, BASE_URL, FakeAkita


@pytest.fixture
def sleeps() -> list[float]:
    """Every wait the retry policy asked for, in order; nothing actually sleeps."""
    return []


@pytest.fixture
def retry(sleeps: list[float]) -> RetryPolicy:
    """A seeded retry policy that records its waits instead of sleeping."""
    return RetryPolicy(sleep=sleeps.append, rng=random.Random(4))


@pytest.fixture
def akita() -> Iterator[FakeAkita]:
    """A scripted Akita on BASE_URL (see fake_akita); append answers to `akita.script`."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeAkita().install(mock)


@pytest.fixture
def make_client(retry: RetryPolicy) -> Iterator[Callable[..., AkitaClient]]:
    """Clients against the scripted Akita, no interval thread unless asked; closed after."""
    made: list[AkitaClient] = []

    def make(**options: Any) -> AkitaClient:
        options = {"retry": retry, "flush_interval": None} | options
        client = AkitaClient(BASE_URL, API_KEY, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
