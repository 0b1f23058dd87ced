"""Reading Segment calls from every form people keep them in."""

from __future__ import annotations

import json

import pytest

from destination.errors import InputError
from destination.inputs import read_calls, unbatch

A = {"type": "track", "userId": "u1", "event": "A"}
B = {"type": "page", "anonymousId": "a1"}


@pytest.mark.parametrize(("text", "origins", "calls"), [
    (json.dumps(A), ["f"], [A]),
    (json.dumps([A, B], indent=2), ["f[0]", "f[1]"], [A, B]),
    (f"{json.dumps(A)}\n\n{json.dumps(B)}\n", ["f:1", "f:3"], [A, B]),
    (json.dumps({"batch": [A, B]}), ["f batch[0]", "f batch[1]"], [A, B]),
    (f"{json.dumps({'batch': [A]})}\n{json.dumps(B)}", ["f:1 batch[0]", "f:2"], [A, B]),
    ("", [], []),
    ("  \n", [], []),
], ids=["object", "array", "jsonl", "envelope", "jsonl-of-envelopes", "empty", "blank"])
def test_each_input_form_yields_its_calls_with_their_origin(text: str, origins: list[str],
                                                            calls: list[dict]) -> None:
    read = read_calls(text, "f")
    assert [s.origin for s in read] == origins
    assert [s.call for s in read] == calls


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


@pytest.mark.parametrize(("text", "message"), [
    ('{"type": "track",\n  "userId": }', "f:2:13: not JSON"),
    (f'{json.dumps(A)}\n{{"type": "page"\n', "f:2: not a JSON line"),
])
def test_broken_input_names_the_file_and_the_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_calls(text, "f")
