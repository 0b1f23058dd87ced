"""Starting with data: files of Segment calls or Akita messages loaded into a workspace.

`akita-sim serve --seed FILE` and `akita-sim seed FILE` read any form `destination.inputs`
reads (JSON, JSON Lines, Segment's batch envelope, gzipped or not). Segment calls go through
the local Segment, exactly as an SDK's would; Akita messages (a `type` of contact, account,
event or page, and a `message_id`) go straight to ingest. Seeding is idempotent: a call without
a `messageId` is given the one derived from its content (the mapping's rule) rather than a new
one, so seeding the same file twice changes nothing, the second time all duplicates.

Here, at the serving edge, because Segment calls need the gateway.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any

from flask import Flask

from contract import AKITA_MESSAGE_TYPES
from contract.mapping import derived_message_id
from destination.inputs import Sourced, Unreadable, read_inputs
from simulator.web import gateway_of, simulator_of

CHUNK = 500


def is_akita_message(value: Any) -> bool:
    """An Akita message rather than a Segment call: its type is Akita's, with a message_id."""
    return (isinstance(value, Mapping) and value.get("type") in AKITA_MESSAGE_TYPES
            and "message_id" in value)


def _with_stable_id(call: Any) -> Any:
    if isinstance(call, dict) and call.get("messageId") is None:
        return {**call, "messageId": derived_message_id(call)}
    return call


def seed(app: Flask, paths: Sequence[str], api_key: str) -> dict[str, int]:
    """Load every file into the workspace of `api_key` (created if new); counts per outcome:
    Akita's `accepted` and `duplicate` messages, the Segment calls' delivery statuses, and
    `unreadable` lines. InputError for a file that cannot be read at all."""
    simulator, gateway = simulator_of(app), gateway_of(app)
    workspace = simulator.ensure_workspace(api_key)
    counts: Counter[str] = Counter()
    items = list(read_inputs(paths))
    counts["unreadable"] = sum(isinstance(item, Unreadable) for item in items)
    readable = [item for item in items if isinstance(item, Sourced)]
    messages = [item.call for item in readable if is_akita_message(item.call)]
    for start in range(0, len(messages), CHUNK):
        result = simulator.ingest(workspace, {"batch": messages[start:start + CHUNK]})
        counts["accepted"] += result["accepted"]
        counts["duplicate"] += result["duplicates"]
    calls = [item for item in readable if not is_akita_message(item.call)]
    if calls and gateway is None:
        raise ValueError("Segment calls need the local Segment, and this server runs without it")
    for _, group in groupby(calls, key=lambda item: id(item.batch)):
        batch = list(group)
        for start in range(0, len(batch), CHUNK):
            chunk = batch[start:start + CHUNK]
            records = gateway.send(api_key, [_with_stable_id(item.call) for item in chunk],
                                   batch=chunk[0].batch)
            counts.update(record["status"] for record in records)
    return {name: count for name, count in sorted(counts.items()) if count}
