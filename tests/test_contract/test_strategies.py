"""Every strategy draws what it promises: valid output passes the validator, and every invalid
output fails at exactly the path it names, for the reason of kind "invalid"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contract import (
    SEGMENT_CALL_TYPES,
    validate_akita_message,
    validate_segment_batch,
    validate_segment_call,
)
from contract.generators import strategies as cs
from contract.generators.breakages import AKITA_BREAKS, SEGMENT_BREAKS, Break, broken
from contract.generators.samples import JS, NODE, PYTHON

CALL_STRATEGIES = {"identify": cs.identifies, "group": cs.groups, "track": cs.tracks,
                   "page": cs.pages, "screen": cs.screens, "alias": cs.aliases}


@pytest.mark.parametrize("kind", SEGMENT_CALL_TYPES)
@given(data=st.data())
def test_each_call_strategy_draws_valid_calls_of_its_type(kind: str, data: st.DataObject) -> None:
    call = data.draw(CALL_STRATEGIES[kind]())
    assert call["type"] == kind
    assert validate_segment_call(call) == []


@given(cs.segment_calls())
def test_segment_calls_are_valid(call: dict[str, Any]) -> None:
    assert validate_segment_call(call) == []


@given(cs.segment_calls(types=("page", "track"), libraries=(PYTHON,)))
def test_segment_calls_keep_to_the_types_and_libraries_asked_for(call: dict[str, Any]) -> None:
    assert call["type"] in ("page", "track")
    assert call["context"]["library"] == {"name": "analytics-python", "version": "2.4.0"}


@given(cs.segment_batches())
def test_segment_batches_are_valid_with_distinct_message_ids(body: dict[str, Any]) -> None:
    assert validate_segment_batch(body) == []
    ids = [call["messageId"] for call in body["batch"]]
    assert len(set(ids)) == len(ids)


@given(cs.akita_messages())
def test_akita_messages_are_valid(message: dict[str, Any]) -> None:
    assert validate_akita_message(message) == []


def _fails_exactly_at(problems: list[Any], path: str) -> None:
    assert {problem.path for problem in problems} == {path}, problems
    assert {problem.kind for problem in problems} == {"invalid"}


@given(cs.invalid_segment_calls())
def test_invalid_segment_calls_fail_at_exactly_the_path_they_name(case: tuple[Any, str]) -> None:
    call, path = case
    _fails_exactly_at(validate_segment_call(call), path)


@given(cs.invalid_akita_messages())
def test_invalid_akita_messages_fail_at_exactly_the_path_they_name(case: tuple[Any, str]) -> None:
    message, path = case
    _fails_exactly_at(validate_akita_message(message), path)


def _each(breaks: tuple[Break, ...]) -> list[Any]:
    return [pytest.param(b, id=f"{b.path}-{'-'.join(b.types)}") for b in breaks]


@pytest.mark.parametrize("brk", _each(SEGMENT_BREAKS))
@given(data=st.data())
def test_every_way_of_breaking_a_segment_call_is_exact(brk: Break, data: st.DataObject) -> None:
    """Each break on its own, so none hides behind the random choice among them."""
    call, path = data.draw(broken((brk,), lambda kinds: cs.segment_calls(types=kinds), brk.types))
    _fails_exactly_at(validate_segment_call(call), path)


@pytest.mark.parametrize("brk", _each(AKITA_BREAKS))
@given(data=st.data())
def test_every_way_of_breaking_an_akita_message_is_exact(brk: Break, data: st.DataObject) -> None:
    message, path = data.draw(
        broken((brk,), lambda kinds: cs.akita_messages(types=kinds), brk.types))
    _fails_exactly_at(validate_akita_message(message), path)


def test_the_paths_the_brief_names_are_among_the_breaks() -> None:
    named = {"$.userId", "$.context.groupId", "$.messageId", "$.timestamp", "$.event",
             "$.groupId", "$.traits"}
    assert named <= {b.path for b in SEGMENT_BREAKS}
    assert {"$.person_id", "$.organization_id", "$.timestamp"} <= {b.path for b in AKITA_BREAKS}


@given(cs.identifies(libraries=(PYTHON,)))
def test_analytics_python_sends_both_ids_absent_as_null_and_offsets(call: dict[str, Any]) -> None:
    assert {"userId", "anonymousId"} <= set(call)
    assert not call["timestamp"].endswith("Z")


@given(cs.tracks(libraries=(NODE,)))
def test_analytics_node_sends_metadata_and_node_next_ids(call: dict[str, Any]) -> None:
    assert call["messageId"].startswith("node-next-")
    assert "_metadata" in call and call["timestamp"].endswith("Z")


@given(cs.pages(libraries=(JS,)))
def test_analytics_js_pages_carry_the_page_in_context_and_properties(call: dict[str, Any]) -> None:
    page = call["context"]["page"]
    assert call["anonymousId"] and call["timestamp"].endswith("Z")
    assert {key: call["properties"][key] for key in page} == page


@pytest.mark.parametrize("make", [
    lambda: cs.screens(libraries=(JS,)),
    lambda: cs.identifies(libraries=("analytics-ruby",)),
    lambda: cs.segment_calls(types=("survey",)),
    lambda: cs.akita_messages(types=("identify",)),
    lambda: cs.segment_calls(types=()),
])
def test_options_no_call_can_satisfy_are_refused_at_once(make: Callable[[], Any]) -> None:
    with pytest.raises(InvalidArgument):
        make()
