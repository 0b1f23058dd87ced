"""What an audit found: counts as the simulator's state gives them, every call's outcome with
its reasons grouped, the state itself as a snapshot, and the tables as Parquet.

`summarize` computes everything it reports (and writes the tables, when asked) in one pass of
the graph, so no part is read twice. `snapshot` gathers the whole state on the client in the
simulator's own snapshot shape: for tests and small archives, where comparing with a running
simulator is the point.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dask
import pandas as pd

from destination.report import STATUSES
from simulator.audit.plan import Plan
from simulator.audit.sources import Broken
from simulator.audit.tables import TABLES, write_tables

AUDIT_STATUSES = tuple(s for s in STATUSES if s not in ("delivered", "rejected", "failed"))
SAMPLES = 3  # calls shown for each grouped reason


@dataclass
class Summary:
    """The audit's answer: `counts` as the simulator's state has them, `calls` per outcome,
    reasons grouped (status, path, reason) with a count and a few samples, unreadable paths."""

    counts: dict[str, int]
    calls: dict[str, int]
    reasons: list[dict[str, Any]] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)  # name -> folder written

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: `counts`, `calls` (totals and `reasons`), `unreadable`, `tables`."""
        return {
            "counts": self.counts,
            "calls": {**self.calls, "reasons": self.reasons},
            "unreadable": [{"path": b.path, "reason": b.reason} for b in self.broken],
            "tables": self.tables,
        }

    @property
    def clean(self) -> bool:
        """Nothing invalid and nothing unreadable."""
        return not self.calls["invalid"] and not self.broken


def _reason_groups(rows: pd.DataFrame) -> pd.DataFrame:
    """Per (status, path, reason): how many calls, and the first few as samples."""
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for status, path, reason, origin, message_id, earlier in zip(
            rows["status"], rows["path"], rows["reason"], rows["origin"], rows["dedup_id"],
            rows["earlier"], strict=True):
        key = (status, _text_or_none(path) or "$", _text_or_none(reason) or "")
        group = groups.setdefault(key, [0, []])
        group[0] += 1
        if len(group[1]) < SAMPLES:
            sample = {"origin": origin, "message_id": _text_or_none(message_id)}
            if isinstance(earlier, str):
                sample["repeats"] = earlier
            group[1].append(sample)
    return pd.DataFrame(
        [(*key, count, json.dumps(samples)) for key, (count, samples) in groups.items()],
        columns=["status", "path", "reason", "count", "samples"],
    ).astype({"count": "int64"})


def _text_or_none(value: Any) -> str | None:
    """A text column's value; a missing one may come back from a shuffle as NaN."""
    return value if isinstance(value, str) else None


def _merged_reasons(frame: pd.DataFrame) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for status, path, reason, count, samples in frame.itertuples(index=False):
        group = merged.setdefault((status, path, reason), {
            "status": status, "path": path, "reason": reason, "count": 0, "samples": []})
        group["count"] += count
        group["samples"] = (group["samples"] + json.loads(samples))[:SAMPLES]
    order = {status: i for i, status in enumerate(AUDIT_STATUSES)}
    return sorted(merged.values(), key=lambda g: (order[g["status"]], -g["count"], g["path"],
                                                  g["reason"]))


def summarize(plan: Plan, out: str | None = None,
              compute: Callable[..., tuple[Any, ...]] = dask.compute) -> Summary:
    """Run the audit: counts, outcomes and reasons, and with `out` every table as Parquet
    under that folder (`accounts/`, `contacts/`, `visitors/`, `sessions/`, `problems/`).
    `compute` runs the graph: `dask.compute` on whichever scheduler is configured, or the
    command line's, which shows a cluster's progress."""
    problems = plan.calls[plan.calls["status"] != "mapped"]
    reasons_meta = pd.DataFrame({"status": [], "path": [], "reason": [],
                                 "count": pd.Series([], dtype="int64"), "samples": []})
    facts = plan.facts[["table", "organization", "events", "pages"]]
    wanted: list[Any] = [
        plan.calls["status"].value_counts(),
        problems.map_partitions(_reason_groups, meta=reasons_meta),
        facts.map_partitions(_fact_counts, meta=_fact_counts(facts._meta)),
    ]
    if out is not None:
        wanted.append(write_tables(plan, out))
    statuses, reasons, tallies, *_ = compute(*wanted)
    calls = {status: int(statuses.get(status, 0)) for status in AUDIT_STATUSES}
    calls["total"] = sum(calls.values())
    tally = tallies.sum()
    counts = {
        "messages": int(statuses.get("mapped", 0)),
        "accounts": int(tally["account"]), "contacts": int(tally["contact"]),
        "placed": int(tally["placed"]), "pending": int(tally["contact"] - tally["placed"]),
        "visitors": int(tally["visitor"]), "sessions": int(tally["session"]),
        "events": int(tally["events"]), "pages": int(tally["pages"]),
    }
    tables = {name: f"{out}/{name}" for name in TABLES} if out is not None else {}
    return Summary(counts, calls, _merged_reasons(reasons), plan.broken, tables)


def _fact_counts(facts: pd.DataFrame) -> pd.DataFrame:
    """Rows per table, placed contacts, and events and pages of people and visitors."""
    kinds = Counter(facts["table"])
    actors = facts[facts["table"].isin(("contact", "visitor"))]
    placed = int(((facts["table"] == "contact") & facts["organization"].notnull()).sum())
    return pd.DataFrame([{
        **{name: kinds.get(name, 0) for name in ("account", "contact", "visitor", "session")},
        "placed": placed, "events": int(actors["events"].sum()),
        "pages": int(actors["pages"].sum()),
    }]).astype("int64")


def snapshot(plan: Plan) -> dict[str, Any]:
    """The state the audit found, shaped as `Workspace.snapshot()` is (its JSON form)."""
    facts, statuses = dask.compute(plan.facts, plan.calls["status"].value_counts())
    views: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
    for table, start, data in zip(facts["table"], facts["start"], facts["data"], strict=True):
        views.setdefault(table, []).append((start, json.loads(data)))
    sessions = [view for _, view in sorted(views.get("session", []),
                                           key=lambda pair: (pair[0], pair[1]["id"]))]
    by_actor: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for session in sessions:  # sessions of one actor never overlap: by start is by timeline
        actor = ("p", session["person"]) if session["person"] else ("v", session["anonymous_id"])
        by_actor.setdefault(actor, []).append(session)
    contacts = _sorted([v for _, v in views.get("contact", [])], "person_id")
    visitors = _sorted([v for _, v in views.get("visitor", [])], "anonymous_id")
    for contact in contacts:
        del contact["session_count"]
        contact["sessions"] = by_actor.get(("p", contact["person_id"]), [])
    for visitor in visitors:
        del visitor["session_count"]
        visitor["sessions"] = by_actor.get(("v", visitor["anonymous_id"]), [])
    placed = sum(1 for c in contacts if c["organization_id"] is not None)
    everyone = contacts + visitors
    return {
        "accounts": _sorted([v for _, v in views.get("account", [])], "organization_id"),
        "contacts": contacts,
        "pending": [{"person_id": c["person_id"], "reason": c["pending_reason"]}
                    for c in contacts if c["organization_id"] is None],
        "visitors": visitors,
        "sessions": sessions,
        "counts": {
            "messages": int(statuses.get("mapped", 0)), "accounts": len(views.get("account", [])),
            "contacts": len(contacts), "placed": placed, "pending": len(contacts) - placed,
            "visitors": len(visitors), "sessions": len(sessions),
            "events": sum(v["event_count"] for v in everyone),
            "pages": sum(v["page_count"] for v in everyone),
        },
    }


def _sorted(views: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(views, key=lambda view: view[key])

