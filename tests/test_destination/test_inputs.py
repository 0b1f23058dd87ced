"""Reading Segment calls from every form people keep them in."""

from __future__ import annotations

import json

import pytest

from destination.errors import InputError
from destination.inputs import Unreadable, stream_calls, unbatch

A = {"type": "track", "userId": "u1", "event": "A"}
B = {"type": "page", "anonymousId": "a1"}


def read(text: str) -> list:
    """What `stream_calls` reads from `text` as the lines of a file named f."""
    return list(stream_calls(text.encode().splitlines(keepends=True), "f"))


@pytest.mark.parametrize(("text", "origins", "calls"), [
    (json.dumps(A), ["f:1"], [A]),
    (json.dumps([A, B], indent=2), ["f[0]", "f[1]"], [A, B]),
    (f"{json.dumps(A)}\n\n{json.dumps(B)}\n", ["f:1", "f:3"], [A, B]),
    (json.dumps({"batch": [A, B]}), ["f:1 batch[0]", "f:1 batch[1]"], [A, B]),
    (json.dumps({"batch": [A]}, indent=2), ["f batch[0]"], [A]),
    (f"{json.dumps({'batch': [A]})}\n{json.dumps(B)}", ["f:1 batch[0]", "f:2"], [A, B]),
    ("", [], []),
    ("  \n", [], []),
], ids=["object", "array", "jsonl", "envelope", "envelope-document", "jsonl-of-envelopes",
        "empty", "blank"])
def test_each_input_form_yields_its_calls_with_their_origin(text: str, origins: list[str],
                                                            calls: list[dict]) -> None:
    found = read(text)
    assert [s.origin for s in found] == origins
    assert [s.call for s in found] == calls


def test_an_envelopes_context_and_integrations_merge_into_each_call_the_calls_winning() -> None:
    envelope = {"batch": [A | {"context": {"ip": "1.1.1.1"}}, B, 42],
                "context": {"library": {"name": "x"}, "ip": "0.0.0.0"},
                "integrations": {"All": False}, "sentAt": "2026-11-29T22:37:16Z",
                "writeKey": "wk"}
    first, second, third = unbatch(envelope)
    assert first["context"] == {"library": {"name": "x"}, "ip": "1.1.1.1"}
    assert second["context"] == {"library": {"name": "x"}, "ip": "0.0.0.0"}
    assert first["integrations"] == second["integrations"] == {"All": False}
    assert "sentAt" not in first and "writeKey" not in first
    assert third == 42  # left for validation to reject
    assert envelope["batch"][1] == B  # the envelope is not changed
    first["receivedAt"] = "now"
    assert "receivedAt" not in second


def test_a_batch_keeps_its_batch_fields_for_the_intake_to_merge() -> None:
    envelope = {"batch": [A], "context": {"ip": "1"}, "sentAt": "2026-11-29T22:37:16Z",
                "writeKey": "wk"}

    (found,) = read(json.dumps(envelope))

    assert found.call == A
    assert found.batch == {"context": {"ip": "1"}, "sentAt": "2026-11-29T22:37:16Z"}


def test_a_broken_document_names_the_file_the_line_and_the_column() -> None:
    with pytest.raises(InputError, match="f:3:13: not JSON"):
        read('\n{"type": "track",\n  "userId": }')


def test_a_line_that_is_not_json_is_reported_in_place_and_the_rest_are_read() -> None:
    found = read(f'{json.dumps(A)}\n{{"type": "page"\n\xff\n{json.dumps(B)}\n')

    assert [type(item).__name__ for item in found] == ["Sourced", "Unreadable", "Unreadable",
                                                       "Sourced"]
    assert found[1] == Unreadable("f:2", found[1].reason)
    assert found[1].reason.startswith("not a JSON line")
    assert found[3].origin == "f:4" and found[3].call == B
