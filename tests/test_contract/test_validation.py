"""The validators: every problem found and named by path, reasons in words, sizes checked,
unknown types told apart, and a batch reporting exactly what its items report."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract import (
    Problem,
    limits,
    validate_akita_batch,
    validate_akita_message,
    validate_segment_batch,
    validate_segment_call,
)
from contract.generators import strategies as cs
from contract.generators.breakages import AKITA_BREAKS, SEGMENT_BREAKS, Break

Validator = Callable[[Any], list[Problem]]
SEGMENT_CALL = {"type": "track", "userId": "user_1", "event": "Signed Up",
                "messageId": "m-1", "timestamp": "2026-11-29T22:37:16.180Z"}
AKITA_MESSAGE = {"type": "event", "message_id": "m-1", "timestamp": "2026-11-29T22:37:16.180Z",
                 "person_id": "user_1", "event": "Signed Up"}
SIDES = pytest.mark.parametrize(("one", "batch", "valid", "bag"), [
    (validate_segment_call, validate_segment_batch, SEGMENT_CALL, "properties"),
    (validate_akita_message, validate_akita_batch, AKITA_MESSAGE, "properties"),
], ids=["segment", "akita"])
JSONSCHEMA_WORDING = ("is not valid under any of the given schemas", "Failed validating",
                      "is not of type", "is a required property", "Additional properties",
                      "does not match", "{'")


def padded(message: dict[str, Any], bag: str, size: int) -> dict[str, Any]:
    """`message` grown to exactly `size` bytes on the wire by an ASCII property."""
    grown = copy.deepcopy(message)
    grown[bag] = {"pad": ""}
    grown[bag]["pad"] = "x" * (size - limits.encoded_size(grown))
    assert limits.encoded_size(grown) == size
    return grown


@SIDES
def test_a_message_of_exactly_32_kb_passes_and_one_byte_more_is_too_large(
        one: Validator, batch: Validator, valid: dict[str, Any], bag: str) -> None:
    assert one(padded(valid, bag, limits.MAX_MESSAGE_BYTES)) == []
    problems = one(padded(valid, bag, limits.MAX_MESSAGE_BYTES + 1))
    assert [(p.path, p.kind) for p in problems] == [("$", "too_large")]
    assert "32 KB" in problems[0].reason and "bytes" in problems[0].reason


@SIDES
def test_a_batch_over_500_kb_is_too_large_though_each_message_fits(
        one: Validator, batch: Validator, valid: dict[str, Any], bag: str) -> None:
    item = padded(valid, bag, 30_000)
    problems = batch({"batch": [dict(item, **{id_field(valid): f"m-{i}"}) for i in range(18)]})
    assert [(p.path, p.kind) for p in problems] == [("$", "too_large")]
    assert "500 KB" in problems[0].reason


@SIDES
def test_a_batch_of_more_than_2500_messages_is_too_large(
        one: Validator, batch: Validator, valid: dict[str, Any], bag: str) -> None:
    body = {"batch": [dict(valid, **{id_field(valid): f"m-{i}"}) for i in range(2_501)]}
    problems = batch(body)
    assert [(p.path, p.kind) for p in problems] == [("$.batch", "too_large")]
    assert "2,500" in problems[0].reason
    assert batch({"batch": body["batch"][:2_500]}) == []


def id_field(message: dict[str, Any]) -> str:
    return "messageId" if "messageId" in message else "message_id"


@given(st.one_of(cs.invalid_segment_calls().map(lambda case: validate_segment_call(case[0])),
                 cs.invalid_akita_messages().map(lambda case: validate_akita_message(case[0]))))
def test_every_reason_is_words_a_user_can_act_on(problems: list[Problem]) -> None:
    for problem in problems:
        assert problem.reason and not any(raw in problem.reason for raw in JSONSCHEMA_WORDING)
        assert str(problem) == f"{problem.path}: {problem.reason}"


def test_every_problem_of_a_call_is_reported_not_just_the_first() -> None:
    call = {"type": "track", "userId": "", "event": "", "timestamp": "yesterday",
            "context": {"groupId": False}}
    assert {p.path for p in validate_segment_call(call)} == {
        "$.userId", "$.event", "$.timestamp", "$.context.groupId"}
    message = {"type": "event", "message_id": "", "timestamp": "2026-11-29T22:37:16+05:30",
               "userId": "user_1"}
    assert {p.path for p in validate_akita_message(message)} == {
        "$.message_id", "$.timestamp", "$.person_id", "$.event", "$.userId"}


def _independent(breaks: tuple[Break, ...]) -> st.SearchStrategy[list[Break]]:
    """Breaks of different top-level fields that need no other change: they cannot mask one
    another (a broken type would: a call of no known type is checked no further)."""
    usable = [b for b in breaks if b.prepare is None and b.parts[0] != "type"]
    return st.lists(st.sampled_from(usable), min_size=2, max_size=4,
                    unique_by=lambda b: b.parts[0])


@pytest.mark.parametrize(("breaks", "valid", "validate"), [
    (SEGMENT_BREAKS, cs.segment_calls, validate_segment_call),
    (AKITA_BREAKS, cs.akita_messages, validate_akita_message),
], ids=["segment", "akita"])
@given(data=st.data())
def test_several_broken_fields_are_all_named(breaks: tuple[Break, ...], valid: Any,
                                             validate: Validator, data: st.DataObject) -> None:
    chosen = data.draw(_independent(breaks))
    kinds = set.intersection(*(set(b.types) for b in chosen))
    if not kinds:
        chosen, kinds = chosen[:1], set(chosen[0].types)
    message = copy.deepcopy(data.draw(valid(types=sorted(kinds))))
    for brk in chosen:
        brk.apply(data.draw, message)
    assert {p.path for p in validate(message)} == {b.path for b in chosen}


def test_an_unknown_type_name_is_unsupported_and_anything_else_is_invalid() -> None:
    for validate, known in ((validate_segment_call, "identify"), (validate_akita_message, "event")):
        unknown = validate({"type": "screenview"})
        assert [(p.path, p.kind) for p in unknown] == [("$.type", "unsupported_type")]
        assert known in unknown[0].reason
        assert [(p.path, p.kind) for p in validate({"type": 3})] == [("$.type", "invalid")]
        assert [(p.path, p.kind) for p in validate({})] == [("$.type", "invalid")]
        assert [(p.path, p.kind) for p in validate([])] == [("$", "invalid")]
    assert validate_akita_message({"type": "identify"})[0].kind == "unsupported_type"


def _rerooted(items: list[Any], validate: Validator) -> list[Problem]:
    return sorted(Problem(f"$.batch[{index}]{problem.path[1:]}", problem.reason, problem.kind)
                  for index, item in enumerate(items) for problem in validate(item))


@given(st.lists(st.one_of(cs.segment_calls(), cs.invalid_segment_calls().map(lambda c: c[0]),
                          st.integers(), st.none()), max_size=6))
def test_a_segment_batch_reports_exactly_its_calls_problems(items: list[Any]) -> None:
    expected = _rerooted(items, validate_segment_call)
    assert sorted(validate_segment_batch({"batch": items})) == expected


@given(st.lists(st.one_of(cs.akita_messages(), cs.invalid_akita_messages().map(lambda c: c[0]),
                          st.text(max_size=3)), max_size=6))
def test_an_akita_batch_reports_exactly_its_messages_problems(items: list[Any]) -> None:
    expected = _rerooted(items, validate_akita_message)
    assert sorted(validate_akita_batch({"batch": items})) == expected


def test_an_akita_event_without_its_event_name_says_so() -> None:
    """The person-or-visitor rule once answered for every fault of an event or page."""
    message = {key: value for key, value in AKITA_MESSAGE.items() if key != "event"}
    assert [(p.path, p.reason) for p in validate_akita_message(message)] == [
        ("$.event", "is required")]
    assert [p.path for p in validate_akita_message({**AKITA_MESSAGE, "traits": {}})] == [
        "$.traits"]


def test_input_that_once_crashed_the_validator_gets_an_answer() -> None:
    """json.loads keeps an escaped lone surrogate; an offset can push a date out of years 1-9999."""
    assert [p.path for p in validate_segment_call({"type": "identify", "userId": "\ud800"})] == [
        "$.userId"]
    assert limits.encoded_size("\ud800") == len('""') + 3
    for moment in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        problems = validate_segment_call({**SEGMENT_CALL, "timestamp": moment})
        assert [p.path for p in problems] == ["$.timestamp"]
