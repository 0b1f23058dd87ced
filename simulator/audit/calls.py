"""Each call's own outcome, then the one outcome that depends on other calls: being a repeat.

`call_rows` runs every call of a part through Segment's pipeline as the gateway and `akita-map`
do (`destination.pipeline`: intake, the `integrations` filter, validation, the mapping), with
edge de-duplication left out: whether a call repeats another is a question about calls in other
parts, answered by `settle_repeats` once the calls are grouped by `messageId`. What a row
keeps is what later steps need: the Akita message as JSON with the fields its rules route by,
or, for a call that did not map, the call and why.

The edge's rule, applied per `messageId` in input order: a call whose id was first received
at most `window` before it is dropped at Segment's edge; past the window the edge has
forgotten the id, so the call is processed again, and if it maps, Akita recognises the
`message_id` and changes nothing. Either way the call is a `duplicate`, and the first call to
reach Akita is the one whose message counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from destination.inputs import Unreadable
from destination.pipeline import Pipeline, archived_receipt
from destination.render import printable
from simulator.audit.sources import Part, read_part
from simulator.engine.clock import duration_to_micros, parse_instant
from simulator.store.schema import dump_json

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NUMBER_COLUMNS = ("part", "seq", "received", "at")
JSON_COLUMNS = ("call", "problems", "body")  # written by dump_json, which escapes surrogates
COLUMNS = ("part", "seq", "origin", "dedup_id", "received", "status", "path", "reason", "earlier",
           "call", "problems", "kind", "person", "anonymous", "organization", "message_id", "at",
           "body")
EDGE_REPEAT = ("the messageId was received before, within Segment's 24-hour window: "
               "Segment drops the repeat at its edge")
AKITA_REPEAT = ("the messageId was received before, more than 24 hours earlier: Segment "
                "delivers the repeat and Akita, which already holds that message, changes "
                "nothing")


def empty_rows() -> pd.DataFrame:
    """The columns of a part's rows, typed: the meta Dask plans with."""
    return pd.DataFrame({name: pd.Series([], dtype="int64" if name in NUMBER_COLUMNS else object)
                         for name in COLUMNS})


def _micros(moment: datetime) -> int:
    return duration_to_micros(moment - _EPOCH)


def call_rows(part: Part, first_line: int, clock: datetime) -> pd.DataFrame:
    """One row per call of the part, in order, with its outcome before de-duplication.

    `clock` is the run's receiving clock, for calls that carry no `receivedAt` of their own;
    every part of one audit gets the same, so the outcome never depends on which worker ran.
    """
    pipeline = Pipeline(dedup=None)
    rows: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for seq, item in enumerate(read_part(part, first_line)):
        if isinstance(item, Unreadable):
            values = _unreadable(item)
        else:
            received = archived_receipt(item.call, clock)
            record = pipeline.one(item.call, received, batch=item.batch, where=item.origin)
            values = _outcome(record, _micros(received))
        values.update(part=part.index, seq=seq, origin=item.origin)
        for name in COLUMNS:
            value = values.get(name)
            rows[name].append(value if name in JSON_COLUMNS else column_text(value))
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(
        {name: "int64" if name in NUMBER_COLUMNS else object for name in COLUMNS})


def _unreadable(item: Unreadable) -> dict[str, Any]:
    return {"status": "invalid", "path": "$", "reason": item.reason, "received": 0, "at": 0}


def _outcome(record: Any, received: int) -> dict[str, Any]:
    arrived = record.call
    message_id = arrived.get("messageId") if isinstance(arrived, dict) else None
    values: dict[str, Any] = {
        "status": record.status, "received": received, "path": record.path,
        "reason": record.reason, "at": 0,
        "dedup_id": message_id if isinstance(message_id, str) else None,
    }
    if record.status != "mapped":
        values["call"] = dump_json(arrived)
        if record.problems:
            values["problems"] = dump_json([[p.path, p.reason] for p in record.problems])
            values["path"], values["reason"] = record.problems[0].path, record.problems[0].reason
        return values
    message = record.message
    values.update(
        kind=message["type"], message_id=message["message_id"],
        person=message.get("person_id"), anonymous=message.get("anonymous_id"),
        organization=message.get("organization_id"), at=parse_instant(message["timestamp"]),
        body=dump_json(message),
    )
    return values


def column_text(value: Any) -> Any:
    """A value as a text column keeps it: a lone surrogate (valid in JSON, not in UTF-8, so
    not in Arrow, its shuffles or Parquet) written as its escape. Only a call that did not map
    can hold one, since validation refuses them: ids that rules group by are never changed."""
    return printable(value) if isinstance(value, str) and not value.isascii() else value


def settle_repeats(rows: pd.DataFrame, window: int) -> pd.DataFrame:
    """Rows of whole `messageId` groups with each repeat marked `duplicate` and the origin of
    the call it repeats in `earlier` (module docstring); `window` in microseconds."""
    if rows.empty:
        return rows
    rows = rows.sort_values(["part", "seq"], kind="stable")
    status, reason, path, earlier = (rows[name].to_numpy(copy=True)
                                     for name in ("status", "reason", "path", "earlier"))
    ids, received, origins = (rows[name].to_numpy() for name in ("dedup_id", "received",
                                                                 "origin"))
    remembered: dict[str, tuple[int, str]] = {}  # id -> (received, origin) the edge holds
    delivered: dict[str, str] = {}  # id -> origin of the call whose message Akita holds
    for i, key in enumerate(ids):
        seen = remembered.get(key)
        if seen is not None and received[i] - seen[0] <= window:
            status[i], reason[i], path[i], earlier[i] = ("duplicate", EDGE_REPEAT,
                                                         "$.messageId", seen[1])
            continue
        remembered[key] = (int(received[i]), origins[i])
        if status[i] == "mapped":
            if key in delivered:
                status[i], reason[i], path[i], earlier[i] = ("duplicate", AKITA_REPEAT,
                                                             "$.messageId", delivered[key])
            else:
                delivered[key] = origins[i]
    return rows.assign(status=status, reason=reason, path=path, earlier=earlier)


def loaded(bodies: Iterable[str]) -> list[dict[str, Any]]:
    """Akita messages from the JSON the rows keep."""
    return [json.loads(body) for body in bodies]
