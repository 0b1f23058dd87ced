"""The audit's tables as Parquet, for DuckDB, pandas or Spark to query.

Every text is UTF-8 already: the views come from mapped messages, which validation keeps free
of lone surrogates, and the problems' columns were escaped when their rows were made
(`calls.column_text`).

One folder per table, one file per partition, each with a fixed Arrow schema so that every
file of a table reads as one. Traits, their sources, a contact's account history, a session's
items and a problem call's body are JSON text (their keys are the user's own, different in
every row); ids are strings, times are UTC timestamps, counts are integers.

    accounts   organization_id, traits, trait_sources, contacts (list of person ids)
    contacts   person_id, organization_id (null when pending), pending_reason, traits,
               trait_sources, anonymous_ids, account_history, event_count, page_count,
               session_count
    visitors   anonymous_id, organization_id, event_count, page_count, session_count
    sessions   id, person_id, anonymous_id, start, end, duration_ms, event_count, page_count,
               items
    problems   origin, status, message_id, path, reason, repeats (the origin of the call a
               duplicate repeats), problems (every [path, reason]), call
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pyarrow as pa

from simulator.store.schema import dump_json

_TEXT, _COUNT = pa.string(), pa.int64()
_TIME = pa.timestamp("us", tz="UTC")
SCHEMAS: dict[str, pa.Schema] = {
    "accounts": pa.schema([("organization_id", _TEXT), ("traits", _TEXT),
                           ("trait_sources", _TEXT), ("contacts", pa.list_(_TEXT))]),
    "contacts": pa.schema([("person_id", _TEXT), ("organization_id", _TEXT),
                           ("pending_reason", _TEXT), ("traits", _TEXT), ("trait_sources", _TEXT),
                           ("anonymous_ids", pa.list_(_TEXT)), ("account_history", _TEXT),
                           ("event_count", _COUNT), ("page_count", _COUNT),
                           ("session_count", _COUNT)]),
    "visitors": pa.schema([("anonymous_id", _TEXT), ("organization_id", _TEXT),
                           ("event_count", _COUNT), ("page_count", _COUNT),
                           ("session_count", _COUNT)]),
    "sessions": pa.schema([("id", _TEXT), ("person_id", _TEXT), ("anonymous_id", _TEXT),
                           ("start", _TIME), ("end", _TIME), ("duration_ms", _COUNT),
                           ("event_count", _COUNT), ("page_count", _COUNT), ("items", _TEXT)]),
    "problems": pa.schema([("origin", _TEXT), ("status", _TEXT), ("message_id", _TEXT),
                           ("path", _TEXT), ("reason", _TEXT), ("repeats", _TEXT),
                           ("problems", _TEXT), ("call", _TEXT)]),
}
TABLES = tuple(SCHEMAS)
_FACT_TABLE = {"accounts": "account", "contacts": "contact", "visitors": "visitor",
               "sessions": "session"}
_JSON = {"traits", "trait_sources", "account_history", "items"}
_RENAMED = {"person": "person_id"}


def _rows(facts: pd.DataFrame, table: str) -> pd.DataFrame:
    """Fact rows of one table as that table's columns."""
    names = SCHEMAS[table].names
    rows = []
    for data in facts["data"]:
        view = {_RENAMED.get(key, key): value for key, value in json.loads(data).items()}
        rows.append({name: dump_json(view[name]) if name in _JSON else view.get(name)
                     for name in names})
    frame = pd.DataFrame(rows, columns=names)
    for name in ("start", "end"):
        if name in frame:
            frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    return frame


def _problems(calls: pd.DataFrame) -> pd.DataFrame:
    columns = {"origin": "origin", "status": "status", "message_id": "dedup_id", "path": "path",
               "reason": "reason", "repeats": "earlier", "problems": "problems", "call": "call"}
    return pd.DataFrame({name: calls[column] for name, column in columns.items()}
                        ).reset_index(drop=True)


def write_tables(plan: Any, out: str) -> Any:
    """The delayed writes of every table under `out`, to compute with the rest of the audit."""
    writes = []
    for table, fact in _FACT_TABLE.items():
        frame = plan.table(fact).map_partitions(_rows, table, meta=_empty(table))
        writes.append(_parquet(frame, out, table))
    problems = plan.calls[plan.calls["status"] != "mapped"]
    writes.append(_parquet(problems.map_partitions(_problems, meta=_empty("problems")),
                           out, "problems"))
    return writes


def _empty(table: str) -> pd.DataFrame:
    return SCHEMAS[table].empty_table().to_pandas()


def _parquet(frame: Any, out: str, table: str) -> Any:
    return frame.to_parquet(f"{out}/{table}", schema=SCHEMAS[table], write_index=False,
                            overwrite=True, compute=False)
