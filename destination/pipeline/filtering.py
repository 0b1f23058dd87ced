"""The `integrations` filter: whether a call's sender keeps it from Akita.

`"Akita": false` (or one of Akita's catalog names) keeps it away; `"All": false` keeps it away
unless Akita is named with `true` or an options object. Names are case sensitive, as in Segment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The names a Segment user may give Akita in `integrations`: the short name and the catalog's.
DESTINATION_NAMES = ("Akita", "Akita User Tracking", "Akita Customer Success")


def filter_reason(call: Any) -> str | None:
    """Why `integrations` keep this call from Akita, or None when Akita should get it."""
    integrations = call.get("integrations") if isinstance(call, Mapping) else None
    if not isinstance(integrations, Mapping):
        return None
    for name in DESTINATION_NAMES:
        if name in integrations:
            if integrations[name] is False:
                return f'integrations["{name}"] is false: the call is not sent to Akita'
            return None  # true, or an options object: enabled even when All is false
    if integrations.get("All") is False:
        return ('integrations.All is false and Akita is not enabled by name '
                '(add "Akita": true to send it)')
    return None
