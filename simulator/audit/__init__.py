"""What Akita would make of an archive of Segment calls, on Dask: `akita-map audit`.

Before turning the Akita destination on, or replaying history into it, a team wants to know
what Akita will hold: which calls it will reject and why, how many contacts will sit pending,
how many sessions each user gets. Their history is an archive (Segment's S3 destination:
gzipped JSON Lines, hundreds of millions of calls), larger than one machine's memory.

The audit runs every call through the same Segment pipeline as the gateway and `akita-map`,
then the engine's own rules (`simulator.engine`), partitioned so that each rule sees all it
depends on (`simulator.audit.rules`); order independence, which every rule has, is what makes
that give the simulator's answer. The modules, in the order an audit runs them:

    sources   paths into parts a worker reads alone, and the calls each part holds
    calls     each call's outcome, then which calls repeat an earlier one
    rules     who owns each anonymous id, then the engine per partition of people and accounts
    plan      the Dask graph joining them
    results   counts, outcomes and reasons, or the whole state as a snapshot
    tables    the state as Parquet
    render    the summary on a terminal
    cli       the command line
"""

from simulator.audit.plan import Options, Plan, build
from simulator.audit.results import Summary, snapshot, summarize

__all__ = ["Options", "Plan", "Summary", "build", "snapshot", "summarize"]
