"""Segment's server-side work before delivery: the type, batch defaults, messageId,
receivedAt, the timestamp rule by library kind, and the `integrations` filter."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from hypothesis import given

from contract.generators.strategies import segment_calls
from destination.pipeline import filter_reason
from destination.pipeline.intake import corrected_timestamp, intake, is_device_mode

RECEIVED = datetime(2026, 11, 29, 12, 0, 0, 500_000, tzinfo=UTC)
RECEIVED_WIRE = "2026-11-29T12:00:00.500Z"


def test_the_client_clock_skew_is_corrected_from_sent_at_and_original_timestamp() -> None:
    # The device's clock is 1 h 30 min fast: it says the call was made 10 s before sending.
    call = {"type": "track", "userId": "u", "event": "E",
            "originalTimestamp": "2026-11-29T13:29:50Z", "sentAt": "2026-11-29T13:30:00Z"}

    enriched = intake(call, RECEIVED)

    assert enriched["timestamp"] == "2026-11-29T11:59:50.500Z"  # received - 10 s
    assert enriched["receivedAt"] == RECEIVED_WIRE
    assert enriched["originalTimestamp"] == call["originalTimestamp"]


def test_the_batch_sent_at_serves_calls_without_their_own() -> None:
    call = {"type": "track", "userId": "u", "event": "E",
            "originalTimestamp": "2026-11-29T10:00:00+02:00"}  # 08:00Z, sent 4 min later

    enriched = intake(call, RECEIVED, batch={"sentAt": "2026-11-29T08:04:00.000Z"})

    assert enriched["sentAt"] == "2026-11-29T08:04:00.000Z"
    assert enriched["timestamp"] == "2026-11-29T11:56:00.500Z"


@pytest.mark.parametrize(("times", "expected"), [
    # analytics-python and analytics-node send `timestamp` alone: kept as given.
    ({"timestamp": "2026-11-29T09:00:00+01:00", "sentAt": "2026-11-29T13:00:00Z"},
     "2026-11-29T09:00:00+01:00"),
    ({"originalTimestamp": "2026-11-29T08:00:00Z"}, "2026-11-29T08:00:00.000Z"),
    ({}, RECEIVED_WIRE),
    ({"timestamp": None}, RECEIVED_WIRE),
])
def test_timestamp_rules(times: dict, expected: str) -> None:
    enriched = intake({"type": "page", "anonymousId": "a", **times}, RECEIVED)

    assert enriched["timestamp"] == expected


def test_a_given_timestamp_is_also_the_original_timestamp() -> None:
    enriched = intake({"type": "page", "anonymousId": "a",
                       "timestamp": "2026-11-29T09:00:00Z"}, RECEIVED)

    assert enriched["originalTimestamp"] == "2026-11-29T09:00:00Z"


@pytest.mark.parametrize("times", [
    {"originalTimestamp": "yesterday", "sentAt": "2026-11-29T13:00:00Z"},
    {"originalTimestamp": "2026-11-29T08:00:00Z", "sentAt": "soon"},
    {"originalTimestamp": "0001-01-01T00:00:00Z", "sentAt": "9999-12-31T00:00:00Z"},
])
def test_an_unusable_time_leaves_timestamp_unset_for_the_validator_or_mapping(times: dict) -> None:
    assert corrected_timestamp(times, RECEIVED) is None
    assert "timestamp" not in intake({"type": "page", "anonymousId": "a", **times}, RECEIVED)


def test_a_client_received_at_is_replaced_by_the_gateways() -> None:
    enriched = intake({"type": "page", "anonymousId": "a",
                       "receivedAt": "2020-01-01T00:00:00Z"}, RECEIVED)

    assert enriched["receivedAt"] == RECEIVED_WIRE


def test_batch_context_and_integrations_merge_one_level_deep_and_the_call_wins() -> None:
    batch = {"context": {"library": {"name": "analytics-python"}, "ip": "10.0.0.1",
                         "traits": {"plan": "pro", "seats": 3}},
             "integrations": {"All": False, "Akita": True}}
    call = {"type": "identify", "userId": "u", "context": {"ip": "10.0.0.2",
                                                           "traits": {"plan": "free"}},
            "integrations": {"Akita": False}}

    enriched = intake(call, RECEIVED, batch=batch)

    assert enriched["context"] == {"library": {"name": "analytics-python"}, "ip": "10.0.0.2",
                                   "traits": {"plan": "free"}}
    assert enriched["integrations"] == {"All": False, "Akita": False}
    assert call["context"] == {"ip": "10.0.0.2", "traits": {"plan": "free"}}  # untouched


def test_intake_changes_neither_the_call_nor_its_batch() -> None:
    batch = {"context": {"library": {"name": "analytics.js"}, "ip": "10.0.0.1"},
             "sentAt": "2026-11-29T10:00:01.000Z", "integrations": {"All": True}}
    call = {"type": "page", "anonymousId": "a", "timestamp": "2026-11-29T10:00:00.000Z",
            "context": {"page": {"path": "/"}}, "writeKey": "k"}
    before = copy.deepcopy((call, batch))

    enriched = intake(call, RECEIVED, batch=batch)

    assert (call, batch) == before
    assert enriched is not call and enriched["context"] is not batch["context"]
    assert enriched["context"] == {"library": {"name": "analytics.js"}, "ip": "10.0.0.1",
                                   "page": {"path": "/"}}


def test_a_context_that_is_not_an_object_is_left_for_the_validator() -> None:
    enriched = intake({"type": "page", "anonymousId": "a", "context": "web"}, RECEIVED,
                      batch={"context": {"ip": "10.0.0.1"}})

    assert enriched["context"] == "web"


def test_a_missing_message_id_is_assigned_a_new_unique_one_as_the_http_api_does() -> None:
    call = {"type": "track", "userId": "u", "event": "E", "context": {"ip": "1"}}

    first, again = intake(call, RECEIVED), intake(call, RECEIVED)

    assert first["messageId"] != again["messageId"]  # two calls alike are two events
    assert intake({**call, "messageId": None}, RECEIVED)["messageId"].startswith("api-")
    assert intake({**call, "messageId": "m-1"}, RECEIVED)["messageId"] == "m-1"


def test_the_path_sets_the_type_and_legacy_action_bodies_name_theirs() -> None:
    assert intake({"type": "identify", "userId": "u"}, RECEIVED, kind="track")["type"] == "track"
    legacy = intake({"action": "Track", "userId": "u", "event": "E"}, RECEIVED)
    assert legacy["type"] == "track" and "action" not in legacy
    assert intake({"type": "page", "action": "track", "anonymousId": "a"},
                  RECEIVED)["type"] == "page"


BROWSER = {"library": {"name": "analytics.js", "version": "npm:next-1.84.0"}}


def test_a_browser_clock_hours_ahead_is_corrected_from_sent_at() -> None:
    # analytics.js stamps `timestamp` from the device clock, two hours fast, and sends 3 s later
    call = {"type": "track", "anonymousId": "a", "event": "E", "context": BROWSER,
            "timestamp": "2026-11-29T13:59:57.500Z", "sentAt": "2026-11-29T14:00:00.500Z"}

    arrived = intake(call, RECEIVED)

    assert arrived["timestamp"] == "2026-11-29T11:59:57.500Z"  # received - 3 s
    assert arrived["originalTimestamp"] == call["timestamp"]


def test_a_device_timestamp_without_sent_at_is_kept_and_a_bad_one_is_left_as_sent() -> None:
    kept = intake({"type": "page", "anonymousId": "a", "context": BROWSER,
                   "timestamp": "2026-11-29T09:00:00Z"}, RECEIVED)
    bad = intake({"type": "page", "anonymousId": "a", "context": BROWSER,
                  "timestamp": "tuesday", "sentAt": "2026-11-29T09:00:00Z"}, RECEIVED)

    assert kept["timestamp"] == "2026-11-29T09:00:00.000Z"
    assert (bad["timestamp"], "originalTimestamp" in bad) == ("tuesday", False)


def test_a_server_library_timestamp_is_kept_and_a_bad_one_is_not_copied() -> None:
    server = {"type": "track", "userId": "u", "event": "E",
              "context": {"library": {"name": "analytics-python"}},
              "timestamp": "2025-01-01T00:00:00Z", "sentAt": "2026-11-29T12:00:00Z"}

    assert intake(server, RECEIVED)["timestamp"] == "2025-01-01T00:00:00Z"  # history import
    assert "originalTimestamp" not in intake({**server, "timestamp": "later"}, RECEIVED)


@pytest.mark.parametrize(("library", "device"), [
    ("analytics.js", True), ("analytics-ios", True), ("analytics-kotlin-android", True),
    ("analytics-python", False), ("analytics-node", False), (None, False)])
def test_library_kinds(library: str | None, device: bool) -> None:
    context = {"library": {"name": library}} if library else {}
    assert is_device_mode({"context": context}) is device


def test_the_write_key_never_stays_in_a_call() -> None:
    enriched = intake({"type": "page", "anonymousId": "a", "writeKey": "secret"}, RECEIVED)

    assert "writeKey" not in enriched
    assert "secret" not in str(enriched)


def test_something_that_is_not_a_call_is_returned_as_it_is() -> None:
    assert intake(["not", "a", "call"], RECEIVED, batch={"context": {}}) == ["not", "a", "call"]


@pytest.mark.parametrize(("integrations", "filtered"), [
    (None, False),
    ({}, False),
    ({"All": True}, False),
    ({"Mixpanel": False}, False),
    ({"Akita": True}, False),
    ({"Akita": False}, True),
    ({"All": True, "Akita": False}, True),
    ({"All": False}, True),
    ({"All": False, "Akita": True}, False),
    ({"All": False, "Akita": {"someOption": 1}}, False),  # options enable it
    ({"All": False, "akita": True}, True),  # names are case sensitive
    ({"All": False, "Akita Customer Success": True}, False),
    ({"Akita User Tracking": False}, True),
])
def test_integrations_decide_whether_akita_gets_the_call(integrations: dict | None,
                                                         filtered: bool) -> None:
    call = {"type": "track", "userId": "u", "event": "E"}
    if integrations is not None:
        call["integrations"] = integrations

    reason = filter_reason(call)

    assert (reason is not None) == filtered
    if filtered:
        assert "integrations" in reason


def test_integrations_that_are_not_an_object_filter_nothing() -> None:
    assert filter_reason({"integrations": "none"}) is None
    assert filter_reason("not a call") is None


@given(segment_calls())
def test_every_valid_call_keeps_its_fields_and_gains_the_three_segment_sets(call: dict) -> None:
    arrived = intake(call, RECEIVED)

    assert arrived["receivedAt"] == RECEIVED_WIRE
    assert isinstance(arrived["messageId"], str) and arrived["messageId"]
    assert isinstance(arrived["timestamp"], str)
    corrected = ("timestamp", "originalTimestamp") if is_device_mode(call) else ()
    for name, value in call.items():
        if name not in ("receivedAt", "writeKey", *corrected) and value is not None:
            assert arrived[name] == value
