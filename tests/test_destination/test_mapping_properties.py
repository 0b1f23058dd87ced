"""Properties every mapping must have, over generated valid Segment calls."""

from __future__ import annotations

import copy
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from contract import validate_akita_message, validate_segment_call
from contract.generators import strategies as contract_strategies
from contract.mapping import (
    NO_TIMESTAMP,
    NO_USER_ID,
    TIME_FIELDS,
    Mapped,
    Skip,
    map_call,
    stringify_id,
)
from contract.timestamps import parse_timestamp

from .segment_calls import segment_calls as edge_calls


def segment_calls(*, types: tuple[str, ...] = ("identify", "group", "track", "page", "screen",
                                               "alias")) -> st.SearchStrategy[dict]:
    """Realistic calls from the contract's strategies and this package's edge cases."""
    return contract_strategies.segment_calls(types=types) | edge_calls(types)

DOCUMENTED_SKIPS = {"Akita does not support screen calls", "Akita does not support alias calls",
                    NO_USER_ID, NO_TIMESTAMP}
SOURCES = {"person_id": "userId", "anonymous_id": "anonymousId"}


@given(segment_calls())
def test_every_valid_call_maps_to_a_valid_message_or_a_documented_skip(call: dict) -> None:
    assert validate_segment_call(call) == []
    outcome = map_call(call)
    if isinstance(outcome, Skip):
        assert outcome.reason in DOCUMENTED_SKIPS or "at most" in outcome.reason
        assert outcome.path and outcome.path.startswith("$")
    else:
        assert validate_akita_message(outcome.message) == []


@given(segment_calls(types=("identify", "group", "track", "page")))
def test_ids_are_preserved(call: dict) -> None:
    outcome = map_call(call)
    if isinstance(outcome, Skip):
        return
    message = outcome.message
    for field, source in SOURCES.items():
        assert message.get(field) == stringify_id(call.get(source))
    if "messageId" in call:
        assert message["message_id"] == call["messageId"]
    if call["type"] == "group":
        assert message["organization_id"] == stringify_id(call["groupId"])


@given(segment_calls(types=("identify", "group", "track", "page")))
def test_timestamps_keep_the_instant_to_the_millisecond(call: dict) -> None:
    outcome = map_call(call)
    if isinstance(outcome, Skip):
        return
    source = next(call[name] for name in TIME_FIELDS if name in call)
    original, mapped = parse_timestamp(source), parse_timestamp(outcome.message["timestamp"])
    assert timedelta(0) <= original - mapped < timedelta(milliseconds=1)
    assert outcome.message["timestamp"].endswith("Z")


@given(segment_calls())
def test_mapping_is_deterministic_and_pure(call: dict) -> None:
    before = copy.deepcopy(call)
    first = map_call(call)
    assert call == before
    assert map_call(copy.deepcopy(call)) == first
    if isinstance(first, Mapped):
        for value in first.message.values():
            if isinstance(value, dict):
                value["changed"] = True  # the message owns its objects
        assert call == before


@given(segment_calls(types=("identify", "group", "track", "page")))
def test_a_resent_call_without_message_id_keeps_its_derived_id(call: dict) -> None:
    call.pop("messageId", None)
    call["timestamp"] = "2026-11-29T22:37:16.180Z"
    resent = call | {"sentAt": "2026-11-30T00:00:00Z", "receivedAt": "2026-11-30T00:00:01Z"}
    first, again = map_call(call), map_call(resent)
    if isinstance(first, Mapped):
        assert isinstance(again, Mapped)
        assert first.message["message_id"] == again.message["message_id"]
        assert first.message["message_id"].startswith("sha256:")
