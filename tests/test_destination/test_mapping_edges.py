"""Every edge the mapping decides, one row each: the call in, the message or skip out."""

from __future__ import annotations

from typing import Any

import pytest

from contract import validate_akita_message, validate_segment_call
from contract.mapping import (
    NO_TIMESTAMP,
    NO_USER_ID,
    TABLE,
    Mapped,
    Skip,
    derived_message_id,
    map_call,
    stringify_id,
)

T = "2026-11-29T22:37:16.180Z"


def call(kind: str, **fields: Any) -> dict[str, Any]:
    """A valid call of `kind` with a message id and a timestamp unless overridden."""
    required = {"track": {"event": "Signed Up"}, "group": {"groupId": "acme"},
                "alias": {"previousId": "old"}}.get(kind, {})
    return {"type": kind, "messageId": "m-1", "timestamp": T, **required, **fields}


def mapped(kind: str, **fields: Any) -> dict[str, Any]:
    """The Akita message of a call of `kind` with the given fields (valid first)."""
    segment_call = call(kind, **fields)
    assert validate_segment_call(segment_call) == []
    outcome = map_call(segment_call)
    assert isinstance(outcome, Mapped), outcome
    assert validate_akita_message(outcome.message) == []
    return outcome.message


def skipped(segment_call: dict[str, Any]) -> Skip:
    assert validate_segment_call(segment_call) == []
    outcome = map_call(segment_call)
    assert isinstance(outcome, Skip), outcome
    return outcome


@pytest.mark.parametrize(("kind", "fields", "expected"), [
    ("identify", {"userId": "u1", "anonymousId": "a1", "traits": {"name": "Ada"}},
     {"type": "contact", "message_id": "m-1", "timestamp": T, "person_id": "u1",
      "anonymous_id": "a1", "traits": {"name": "Ada"}}),
    ("group", {"userId": "u1", "groupId": "acme", "traits": {"plan": "pro"}},
     {"type": "account", "message_id": "m-1", "timestamp": T, "organization_id": "acme",
      "person_id": "u1", "traits": {"plan": "pro"}}),
    ("group", {"anonymousId": "a1"},
     {"type": "account", "message_id": "m-1", "timestamp": T, "organization_id": "acme",
      "anonymous_id": "a1", "traits": {}}),
    ("track", {"userId": "u1", "properties": {"n": 1}, "context": {"groupId": "acme"}},
     {"type": "event", "message_id": "m-1", "timestamp": T, "person_id": "u1",
      "organization_id": "acme", "event": "Signed Up", "properties": {"n": 1}}),
    ("page", {"anonymousId": "a1", "name": "Pricing", "category": "Docs"},
     {"type": "page", "message_id": "m-1", "timestamp": T, "anonymous_id": "a1",
      "name": "Pricing", "category": "Docs", "properties": {}}),
], ids=["identify", "group", "group-anonymous", "track", "page"])
def test_each_supported_call_type_maps_field_by_field(kind: str, fields: dict,
                                                      expected: dict) -> None:
    assert mapped(kind, **fields) == expected


@pytest.mark.parametrize(("traits", "context", "organization_id"), [
    ({"groupId": "from-traits"}, {"groupId": "from-context"}, "from-traits"),
    ({}, {"groupId": "from-context"}, "from-context"),
    ({"groupId": None}, {"groupId": "from-context"}, "from-context"),
    ({"groupId": ""}, {"groupId": "from-context"}, "from-context"),
    ({"groupId": {"id": 1}}, {"groupId": "from-context"}, "from-context"),
    ({"groupId": True}, {}, None),
    ({"groupId": 7}, {}, "7"),
    ({"groupId": 7.0}, {"groupId": "from-context"}, "7"),
], ids=["traits-win", "context", "null-trait", "empty-trait", "object-trait", "bool-trait",
        "int-trait", "float-trait"])
def test_identify_takes_its_account_from_traits_then_context(traits: dict, context: dict,
                                                              organization_id: str | None) -> None:
    message = mapped("identify", userId="u1", traits=traits, context=context)
    assert message.get("organization_id") == organization_id
    assert message["traits"] == traits  # forwarded whole, groupId included


@pytest.mark.parametrize(("value", "expected"), [
    ("abc", "abc"), (42, "42"), (-7, "-7"), (0, "0"), (42.0, "42"), (1.5, "1.5"),
    (-0.0, "0"), (2.0**53, "9007199254740992"), (1e20, "100000000000000000000"),
    (1e21, "1e+21"), (1e300, "1e+300"), (1e-7, "1e-07"), (2**70, str(2**70)),
    (None, None), ("", None), (True, None), ({"id": 1}, None), ([1], None),
    (float("nan"), None), (float("inf"), None),
])
def test_ids_are_stringified_one_way(value: Any, expected: str | None) -> None:
    assert stringify_id(value) == expected


@pytest.mark.parametrize(("kind", "fields"), [
    ("track", {"userId": 12345}), ("page", {"userId": 3.0}), ("group", {"anonymousId": 9}),
])
def test_numeric_ids_reach_akita_as_strings(kind: str, fields: dict) -> None:
    source, value = next(iter(fields.items()))
    target = {"userId": "person_id", "anonymousId": "anonymous_id"}[source]
    assert mapped(kind, **fields)[target] == stringify_id(value)


def test_null_ids_are_ignored() -> None:
    message = mapped("track", userId=None, anonymousId="a1")
    assert "person_id" not in message and message["anonymous_id"] == "a1"
    assert "anonymous_id" not in mapped("identify", userId="u1", anonymousId=None)


def test_numeric_group_id_becomes_a_string_organization_id() -> None:
    assert mapped("group", userId="u1", groupId=1234)["organization_id"] == "1234"


@pytest.mark.parametrize(("kind", "reason"), [
    ("screen", "Akita does not support screen calls"),
    ("alias", "Akita does not support alias calls"),
])
def test_screen_and_alias_are_skipped_with_a_reason(kind: str, reason: str) -> None:
    assert skipped(call(kind, userId="u1")) == Skip(reason, "$.type")


@pytest.mark.parametrize("fields", [{"anonymousId": "a1"}, {"anonymousId": "a1", "userId": None}])
def test_identify_without_user_id_is_skipped(fields: dict) -> None:
    assert skipped(call("identify", traits={"name": "x"}, **fields)) == Skip(NO_USER_ID, "$.userId")


@pytest.mark.parametrize(("fields", "expected"), [
    ({"timestamp": "2026-11-30T00:37:16.180+02:00"}, "2026-11-29T22:37:16.180Z"),
    ({"timestamp": "2026-11-29T22:37:16Z"}, "2026-11-29T22:37:16.000Z"),
    ({"timestamp": "2026-11-29T22:37:16.180999+00:00"}, "2026-11-29T22:37:16.180Z"),
    ({"timestamp": "2026-11-29T17:07:16.18-05:30"}, "2026-11-29T22:37:16.180Z"),
    ({"timestamp": None, "originalTimestamp": "2026-11-29T22:37:16.180Z",
      "receivedAt": "2026-12-01T00:00:00Z"}, "2026-11-29T22:37:16.180Z"),
    ({"timestamp": None, "receivedAt": "2026-12-01T00:00:00+01:00"}, "2026-11-30T23:00:00.000Z"),
], ids=["offset", "no-fraction", "microseconds-truncated", "odd-offset", "original", "received"])
def test_timestamp_falls_back_and_becomes_canonical_utc(fields: dict, expected: str) -> None:
    segment_call = {key: value for key, value in (call("track", userId="u1") | fields).items()
                    if value is not None}
    assert validate_segment_call(segment_call) == []
    outcome = map_call(segment_call)
    assert isinstance(outcome, Mapped) and outcome.message["timestamp"] == expected


def test_a_call_without_any_timestamp_is_skipped() -> None:
    segment_call = call("track", userId="u1")
    del segment_call["timestamp"]
    assert skipped(segment_call) == Skip(NO_TIMESTAMP, "$.timestamp")


def test_message_id_is_kept_or_derived_deterministically() -> None:
    assert mapped("track", userId="u1", messageId="abc")["message_id"] == "abc"
    segment_call = call("track", userId="u1")
    del segment_call["messageId"]
    first = map_call(segment_call)
    assert isinstance(first, Mapped)
    assert first.message["message_id"] == derived_message_id(segment_call)
    assert len(first.message["message_id"]) == len("sha256:") + 64
    other = map_call(segment_call | {"properties": {"x": 1}})
    assert isinstance(other, Mapped) and other.message["message_id"] != first.message["message_id"]


def test_page_properties_are_filled_from_context_page_where_missing() -> None:
    message = mapped("page", userId="u1",
                     properties={"title": "Mine", "path": None, "plan": "pro"},
                     context={"page": {"url": "https://x.example/p?q=1", "path": "/p",
                                       "title": "Theirs", "referrer": None, "search": "?q=1",
                                       "hash": "#top"}})
    assert message["properties"] == {"title": "Mine", "path": "/p", "plan": "pro",
                                     "url": "https://x.example/p?q=1", "search": "?q=1"}


def test_page_name_and_category_are_left_out_when_null() -> None:
    message = mapped("page", userId="u1", name=None, category=None)
    assert "name" not in message and "category" not in message


def test_ids_longer_than_akita_allows_skip_the_call_naming_the_field() -> None:
    outcome = skipped(call("track", userId="u1", context={"groupId": "g" * 256}))
    assert outcome.path == "$.context.groupId" and "at most 255" in outcome.reason
    assert isinstance(map_call(call("track", userId="u" * 255)), Mapped)


def test_a_call_that_grows_past_32_kb_when_mapped_is_skipped_with_its_size() -> None:
    segment_call = {"type": "identify", "userId": "u", "timestamp": "2026-11-29T22:37:16Z",
                    "traits": {"blob": ""}}
    segment_call["traits"]["blob"] = "x" * (32 * 1024 - len(str(segment_call)) - 20)
    assert validate_segment_call(segment_call) == []
    outcome = skipped(segment_call)
    assert outcome.path == "$" and "32 KB" in outcome.reason


def test_context_traits_and_integrations_are_not_sent() -> None:
    message = mapped("track", userId="u1", context={"traits": {"email": "a@example.com"}},
                     integrations={"All": False})
    assert set(message) == {"type", "message_id", "timestamp", "person_id", "event",
                            "properties"}


def test_the_table_covers_every_segment_call_type() -> None:
    from contract import SEGMENT_CALL_TYPES

    assert set(TABLE) == set(SEGMENT_CALL_TYPES)
    with pytest.raises(ValueError, match="validate first"):
        map_call({"type": "boom"})


def test_a_timestamp_before_year_1000_keeps_four_year_digits() -> None:
    assert mapped("track", userId="u1", timestamp="0999-01-01T00:00:00Z")["timestamp"] == (
        "0999-01-01T00:00:00.000Z")
