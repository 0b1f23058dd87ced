"""Lone UTF-16 surrogates: JSON can escape them, Unicode text cannot hold them; named by path."""

from __future__ import annotations

from contract import validate_akita_message, validate_segment_call

REASON = "contains a lone UTF-16 surrogate, which is not Unicode text"


def test_every_string_and_key_holding_a_lone_surrogate_is_named() -> None:
    message = {"type": "contact", "message_id": "m1", "timestamp": "2026-11-29T10:00:00.000Z",
               "person_id": "u\ud800", "traits": {"ok": "é日本", "list": ["fine", "\udc00"]}}

    problems = validate_akita_message(message)

    assert [(p.path, p.reason) for p in problems] == [
        ("$.person_id", REASON), ("$.traits.list[1]", REASON)]


def test_surrogate_pairs_written_as_escapes_are_ordinary_text() -> None:
    emoji = "\ud83d\ude00".encode("utf-16", "surrogatepass").decode("utf-16")  # one code point
    call = {"type": "identify", "userId": "u1", "traits": {"mood": emoji},
            "timestamp": "2026-11-29T10:00:00Z"}

    assert validate_segment_call(call) == []
