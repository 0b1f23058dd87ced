"""The nesting limit: a value nested too deep is named by its path, per call or message."""

from __future__ import annotations

import json
from typing import Any

from contract import limits, validate_akita_batch, validate_segment_call


def nested(levels: int) -> Any:
    """A value that is `levels` objects deep: {"a": {"a": ... {}}}."""
    value: Any = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def test_a_call_at_the_limit_is_valid_and_one_level_more_is_named() -> None:
    call = {"type": "track", "userId": "u1", "event": "Nested",
            "timestamp": "2026-11-29T10:00:00Z"}
    at_limit = {**call, "properties": nested(limits.MAX_NESTING - 1)}  # the call is level 1
    over = {**call, "properties": nested(limits.MAX_NESTING)}

    assert validate_segment_call(at_limit) == []
    [problem] = validate_segment_call(over)
    assert problem.path == "$.properties" + ".a" * (limits.MAX_NESTING - 1)  # level 65
    assert "more than 64 levels deep" in problem.reason


def test_far_deeper_than_recursion_allows_is_still_reported_not_raised() -> None:
    value: Any = []
    for _ in range(5000):
        value = [value]
    problems = validate_segment_call({"type": "track", "userId": "u1", "event": "Deep",
                                      "properties": {"x": value}})
    assert [p.reason for p in problems] == [
        f"nests objects and arrays more than {limits.MAX_NESTING} levels deep"]


def test_in_a_batch_only_the_deep_message_is_named() -> None:
    good = {"type": "event", "message_id": "m1", "timestamp": "2026-11-29T10:00:00.000Z",
            "person_id": "u1", "event": "Fine"}
    deep = {**good, "message_id": "m2", "properties": nested(limits.MAX_NESTING)}

    problems = validate_akita_batch({"batch": [good, deep]})

    assert {p.path.split(".")[1] for p in problems} == {"batch[1]"}


def test_numbers_json_cannot_write_are_named_where_they_are() -> None:
    """json.loads reads 1e400 as infinity and takes NaN; neither can be sent on as JSON."""
    call = json.loads('{"type": "track", "userId": "u1", "event": "Big", '
                      '"timestamp": "2026-11-29T10:00:00Z", '
                      '"properties": {"huge": 1e400, "list": [1, NaN]}}')

    assert [(p.path, p.reason) for p in validate_segment_call(call)] == [
        ("$.properties.huge", "must be a finite number: JSON has no NaN or Infinity"),
        ("$.properties.list[1]", "must be a finite number: JSON has no NaN or Infinity")]
