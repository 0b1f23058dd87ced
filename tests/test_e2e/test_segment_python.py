"""segment-analytics-python, unmodified, pointed at the live simulator: after `flush()` the
journey is in Akita's state, whether the SDK batches in the background or sends each call,
with or without gzip."""

from __future__ import annotations

from typing import Any

import pytest
from segment import analytics
from segment.analytics.request import post
from segment_journey import JOURNEY, assert_journey_landed, at

FIELDS = {"userId": "user_id", "anonymousId": "anonymous_id", "groupId": "group_id",
          "traits": "traits", "properties": "properties", "event": "event", "name": "name",
          "context": "context"}


def send_journey(client: analytics.Client) -> list[dict[str, Any]]:
    """The journey as analytics-python calls (keyword arguments in snake case); the messages
    the SDK queued or sent, as it returns them."""
    sent = []
    for method, fields, minutes in JOURNEY:
        arguments = {FIELDS[name]: value for name, value in fields.items()}
        _, message = getattr(client, method)(timestamp=at(minutes), **arguments)
        sent.append(message)
    return sent


@pytest.mark.parametrize(("sync_mode", "compress"), [(False, False), (False, True),
                                                     (True, True)])
def test_analytics_python_journey_lands_in_akita(akita_workspace: Any, sync_mode: bool,
                                                 compress: bool) -> None:
    errors: list[Any] = []
    client = analytics.Client(akita_workspace.api_key, host=akita_workspace.server_url,
                              sync_mode=sync_mode, gzip=compress, max_retries=1,
                              upload_interval=0.05, on_error=lambda e, batch: errors.append(e))
    try:
        send_journey(client)
        client.flush()
    finally:
        if not sync_mode:
            client.join()

    assert errors == []
    assert_journey_landed(akita_workspace.state())
    journal = akita_workspace.journal(limit=100)
    assert {e["status"] for e in journal} == {"accepted"}
    library = {e["segment_call"]["context"]["library"]["name"] for e in journal}
    assert library == {"analytics-python"}


def test_analytics_python_resending_a_batch_changes_nothing(akita_workspace: Any) -> None:
    client = analytics.Client(akita_workspace.api_key, host=akita_workspace.server_url,
                              sync_mode=True)
    messages = send_journey(client)
    first = akita_workspace.state()

    # What the SDK's retry sends when an answer was lost: the same messages, same messageIds.
    post(akita_workspace.api_key, akita_workspace.server_url, batch=messages)

    assert akita_workspace.state() == first
    statuses = [e["status"] for e in akita_workspace.journal(limit=100)]
    assert sorted(statuses) == ["accepted"] * len(JOURNEY) + ["duplicate"] * len(JOURNEY)
