"""The simulator's rules engine: one workspace's state, built from Akita messages, in memory.

Pure Python with no web framework and no storage: the service feeds it accepted messages (and
replays stored ones on start) and renders what it returns. `Workspace` documents the shape of
its views. The rules, each decided at its edges:

- Order never matters: state is a function of the set of accepted messages. Messages are
  ordered by (timestamp, message_id); timestamps compare as instants, to the microsecond.
- A message_id seen before in the workspace is a duplicate: acknowledged, never applied. Within
  one batch the first occurrence is applied and later ones are duplicates.
- Traits: per top-level key, the value from the latest message wins (equal timestamps: the
  greater message_id); null is a value like any other; each key remembers its message.
- Any person_id on any message makes a contact. A contact is placed by a `contact` with an
  organization_id or an `account` with a person (its person_id, or an anonymous_id linked to
  one); its account is the one its latest placement names; moves stay in its history
  (consecutive placements in one account collapse into the first). Events and pages with an
  organization_id only attribute. Accounts exist once any placement or account message names
  them. A contact with no placement is pending, with the reason.
- Strict accounts: a batch that would leave any contact's placements naming two accounts
  (stitching included) is refused whole with Conflict (409).
- Only a `contact` with both ids links an anonymous id to a person; the earliest link wins.
  Everything that arrived under the anonymous id alone follows its owner, earlier and later.
  Unlinked anonymous ids are visitors.
- Sessions: per contact (or visitor), events and pages by (timestamp, message_id); a gap of
  the session timeout or more starts a new one; id f"{person_id}:{start_ms}", so it changes
  when a late message moves the start earlier.
"""

from __future__ import annotations

from simulator.engine.clock import format_instant, parse_instant
from simulator.engine.sessions import DEFAULT_SESSION_TIMEOUT, Timeline, session_spans
from simulator.engine.workspace import ApplyResult, Workspace

__all__ = [
    "DEFAULT_SESSION_TIMEOUT",
    "ApplyResult",
    "Timeline",
    "Workspace",
    "format_instant",
    "parse_instant",
    "session_spans",
]
