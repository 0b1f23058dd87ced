"""ISO 8601 timestamps as Segment sends them and as Akita stores them.

Segment libraries disagree on the form (`Z`, `+00:00`, three or six fraction digits), so parsing
accepts any offset; Akita messages always carry one canonical UTC form so that timestamps compare
as equal exactly when they denote the same instant.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_ISO_8601 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?P<fraction>\.\d{1,9})?)?"
    r"(?P<zone>Z|z|[+-]\d{2}:?\d{2})$"
)


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp with `Z` or an offset into an aware UTC datetime.

    Raises ValueError for anything else, including timestamps with no offset: a time without a
    zone cannot be placed on a session timeline.
    """
    match = _ISO_8601.match(value)
    if match is None:
        raise ValueError(f"not an ISO 8601 timestamp with Z or a UTC offset: {value!r}")
    text = value
    fraction = match.group("fraction")
    if fraction and len(fraction) > 7:  # datetime keeps microseconds; drop nanoseconds
        text = text.replace(fraction, fraction[:7], 1)
    if match.group("zone") in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except OverflowError as error:  # e.g. 0001-01-01T00:00:00+01:00 falls before year 1 in UTC
        raise ValueError(f"outside the years 1 to 9999 in UTC: {value!r}") from error


def is_utc(value: str) -> bool:
    """True when `value` parses and names UTC itself (`Z` or a zero offset), as Akita requires."""
    match = _ISO_8601.match(value)
    if match is None or match.group("zone").replace(":", "") not in ("Z", "z", "+0000", "-0000"):
        return False
    try:
        parse_timestamp(value)
    except ValueError:
        return False
    return True


def to_wire(moment: datetime) -> str:
    """The canonical Akita form: UTC, millisecond precision, `Z`.

    A naive datetime is refused: astimezone would read it as the machine's local time, and the
    same call would then give a different instant on another machine.
    """
    if moment.utcoffset() is None:
        raise ValueError(f"a datetime without a zone cannot be written as UTC: {moment!r}")
    utc = moment.astimezone(UTC)
    # isoformat, unlike strftime's %Y on glibc, keeps four year digits before year 1000.
    return utc.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
