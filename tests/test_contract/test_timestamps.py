"""Timestamps: any offset and fraction parses to the same instant; Akita's form is canonical."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given

from contract.generators import strategies as cs
from contract.timestamps import is_utc, parse_timestamp, to_wire

INSTANT = datetime(2026, 11, 29, 22, 37, 16, 180_000, tzinfo=UTC)


@pytest.mark.parametrize("text", [
    "2026-11-29T22:37:16.180Z",
    "2026-11-29T22:37:16.18z",
    "2026-11-29T22:37:16.180000+00:00",
    "2026-11-29T22:37:16.180000000-00:00",
    "2026-11-30T04:07:16.180+05:30",
    "2026-11-30T04:07:16.180+0530",
    "2026-11-29T14:37:16.180-08:00",
])
def test_any_offset_and_fraction_names_the_same_instant(text: str) -> None:
    parsed = parse_timestamp(text)
    assert parsed == INSTANT and parsed.tzinfo is UTC


def test_fractions_beyond_microseconds_are_cut_not_refused() -> None:
    parsed = parse_timestamp("2026-11-29T22:37:16.123456789Z")
    assert parsed.microsecond == 123_456


@pytest.mark.parametrize("text", [
    "2026-11-29T22:37:16",  # no zone: Python's naive isoformat
    "2026-11-29",
    "2026-11-29 22:37:16Z",
    "2026-11-29T22:37:16,180Z",
    "2026-13-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-11-29T24:00:00Z",
    "2026-11-29T22:37:16+05:3",
    "0001-01-01T00:00:00+01:00",  # before year 1 once in UTC
    "1764455836180",
    "",
])
def test_anything_but_iso_8601_with_a_zone_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


@pytest.mark.parametrize(("text", "utc"), [
    ("2026-11-29T22:37:16.180Z", True), ("2026-11-29T22:37:16+00:00", True),
    ("2026-11-29T22:37:16-00:00", True), ("2026-11-30T04:07:16+05:30", False),
    ("2026-11-29T22:37:16", False), ("not a time", False),
])
def test_is_utc_accepts_only_utc_written_as_utc(text: str, utc: bool) -> None:
    assert is_utc(text) is utc


def test_to_wire_writes_utc_milliseconds_and_z_cutting_not_rounding() -> None:
    local = INSTANT.replace(microsecond=999_999).astimezone(timezone(timedelta(hours=-8)))
    assert to_wire(local) == "2026-11-29T22:37:16.999Z"
    assert to_wire(INSTANT) == "2026-11-29T22:37:16.180Z"


def test_to_wire_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError):
        to_wire(datetime(2026, 11, 29, 22, 37, 16))


@given(cs.timestamps())
def test_every_generated_timestamp_survives_the_trip_to_akitas_form(text: str) -> None:
    moment = parse_timestamp(text)
    wire = to_wire(moment)
    assert is_utc(wire)
    assert parse_timestamp(wire) == moment.replace(microsecond=moment.microsecond // 1000 * 1000)
