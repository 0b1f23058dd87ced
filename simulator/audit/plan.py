"""The audit as one Dask graph: parts read in parallel, three shuffles, the engine per partition.

    read       one task per part: every call through Segment's pipeline (`calls.call_rows`)
    repeats    shuffle by messageId: the edge's de-duplication (`calls.settle_repeats`)
    owners     shuffle by anonymous id: who each one belongs to (`rules.resolve_owners`)
    people     shuffle by person or visitor: the engine's views (`rules.person_facts`)
    accounts   shuffle by account: traits and members (`rules.account_facts`)

Nothing is gathered on the client but counts, grouped reasons and, when asked, the tables; so
memory is bounded by a partition's, whatever the archive's size, and the same graph runs on
the local scheduler or on a cluster. Shuffles go through disk on the local scheduler and
through Dask's peer-to-peer shuffle on a cluster, both of which spill what does not fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
from dask import delayed

from destination.pipeline.dedup import DEFAULT_WINDOW
from simulator.audit import calls, rules
from simulator.audit.sources import DEFAULT_BLOCK_SIZE, Broken, Part, expand, lines_ending_in
from simulator.audit.sources import plan_parts as cut_into_parts
from simulator.engine.clock import duration_to_micros
from simulator.engine.sessions import DEFAULT_SESSION_TIMEOUT

# Object columns, not Arrow strings: rows carry Python strings from the pipeline to the engine
# and back, and converting every column twice would cost more than the shuffles save.
dask.config.set({"dataframe.convert-string": False})


@dataclass(frozen=True)
class Options:
    """What an audit assumes of Segment and Akita: the edge's window, the session timeout,
    the receiving clock of calls without a `receivedAt`, and how big a part may be."""

    window: timedelta = DEFAULT_WINDOW
    session_timeout: timedelta = DEFAULT_SESSION_TIMEOUT
    clock: datetime = field(default_factory=lambda: datetime.now(UTC))
    block_size: int = DEFAULT_BLOCK_SIZE
    partitions: int | None = None  # of each shuffle; None: as many as the parts, at least 4


@dataclass
class Plan:
    """The lazy tables of one audit: every call with its final outcome, and Akita's state."""

    parts: list[Part]
    broken: list[Broken]
    calls: dd.DataFrame
    facts: dd.DataFrame  # contact, visitor, session and account views, one a row

    def table(self, name: str) -> dd.DataFrame:
        """The facts of one table: contact, visitor, session or account."""
        return self.facts[self.facts["table"] == name]


def shuffle_method() -> str:
    """Peer-to-peer on a cluster (a distributed client is active), disk on this machine."""
    try:
        from distributed import default_client

        default_client()
    except (ImportError, ValueError):
        return "disk"
    return "p2p"


def build(paths: Sequence[str], options: Options | None = None) -> Plan:
    """The graph of an audit of every call the paths hold (nothing runs yet)."""
    options = options or Options()
    files, broken = expand(paths)
    parts, unopened = cut_into_parts(files, options.block_size)
    rows = _read(parts, options.clock)
    count = options.partitions or max(4, len(parts))
    method = shuffle_method()

    keyed = rows[rows["dedup_id"].notnull()]
    settled = keyed.shuffle("dedup_id", npartitions=count, method=method).map_partitions(
        calls.settle_repeats, duration_to_micros(options.window), meta=calls.empty_rows())
    every = dd.concat([settled, rows[rows["dedup_id"].isnull()]])

    mapped = every[every["status"] == "mapped"][list(rules.ROUTING)]
    linked = mapped[rules.needs_owner(mapped)]
    owned = linked.shuffle("anonymous", npartitions=count, method=method).map_partitions(
        rules.resolve_owners, meta=rules.empty_routed())
    named = mapped[~rules.needs_owner(mapped) & mapped["person"].notnull()]
    direct = named.map_partitions(rules.route_direct, meta=rules.empty_routed())
    routed = dd.concat([owned, direct]).shuffle("route", npartitions=count, method=method)
    people = routed.map_partitions(rules.person_facts, options.session_timeout,
                                   meta=rules.empty_facts())

    contacts = people[people["table"] == "contact"]
    meta = pd.DataFrame({name: pd.Series([], dtype=object)
                         for name in ("organization", "member", "body")})
    owned_accounts = dd.concat([
        mapped.map_partitions(rules.account_parts, meta=meta),
        contacts.map_partitions(rules.members, meta=meta),
    ]).shuffle("organization", npartitions=count, method=method)
    accounts = owned_accounts.map_partitions(rules.account_facts, meta=rules.empty_facts())
    return Plan(parts, broken + unopened, every, dd.concat([people, accounts]))


def _read(parts: list[Part], clock: datetime) -> dd.DataFrame:
    """One partition of call rows per part; the lines of a cut file numbered after the
    newlines of the parts before it."""
    if not parts:
        return dd.from_pandas(calls.empty_rows(), npartitions=1)
    firsts: list[Any] = []
    ended: dict[str, list[Any]] = {}
    for part in parts:
        before = ended.setdefault(part.path, [])
        firsts.append(delayed(_first_line, pure=True)(*before) if before else 1)
        if part.layout == "lines":
            before.append(delayed(lines_ending_in, pure=True)(part))
    tasks = [delayed(calls.call_rows, pure=True)(part, first, clock)
             for part, first in zip(parts, firsts, strict=True)]
    return dd.from_delayed(tasks, meta=calls.empty_rows(), verify_meta=False)


def _first_line(*counts: int) -> int:
    return 1 + sum(counts)
