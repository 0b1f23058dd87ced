"""`akita-map audit`: what Akita would hold for an archive of Segment calls, and why.

    akita-map audit segment-logs/                      # every core of this machine
    akita-map audit 'segment-logs/*/2026-11-*/*.gz' --out audit/ --json
    akita-map audit s3://bucket/segment-logs/ --scheduler tcp://scheduler:8786

Without `--scheduler` the audit starts a Dask cluster on this machine, one worker process per
core (or `--workers`), whose workers spill to disk what does not fit in their share of memory,
so that an archive larger than memory still fits; with a scheduler's address it runs on that
cluster, unchanged. `--scheduler processes`, `threads` or `synchronous` pick one of Dask's
single-machine schedulers instead, which shuffle through disk (synchronous runs in this
process alone: for debugging). Exit status: 0 when every
call was readable and valid, 1 otherwise, 2 for usage errors and inputs naming no file.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, redirect_stdout
from functools import partial
from typing import Any

import dask

from contract.cli import at_least_one
from simulator.audit.plan import Options, build
from simulator.audit.render import render_summary
from simulator.audit.results import summarize
from simulator.errors import AuditError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
LOCAL_SCHEDULERS = ("processes", "threads", "synchronous")

Compute = Callable[..., tuple[Any, ...]]


def build_parser() -> argparse.ArgumentParser:
    """The command line; argparse's own usage errors exit with status 2."""
    parser = argparse.ArgumentParser(
        prog="akita-map audit",
        description="What Akita would make of an archive of Segment calls, on Dask.")
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="files, folders or globs of JSON Lines (.gz or not), JSON arrays, "
                             "Segment batch bodies or Parquet")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="a Dask scheduler's address (tcp://host:8786), or one of Dask's "
                             "local schedulers: processes, threads or synchronous (default: a "
                             "cluster of worker processes on this machine)")
    parser.add_argument("--workers", type=at_least_one, metavar="N",
                        help="worker processes on this machine (default: one a core); not "
                             "with an address")
    parser.add_argument("--out", metavar="DIR",
                        help="write accounts, contacts, visitors, sessions and problems as "
                             "Parquet folders under DIR")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (counts, calls, unreadable, tables)")
    return parser


@contextmanager
def _scheduler(args: argparse.Namespace, show_progress: bool) -> Iterator[Compute]:
    """The compute function for the chosen scheduler, reporting progress on a terminal."""
    if args.scheduler in LOCAL_SCHEDULERS:
        from dask.diagnostics import ProgressBar

        workers = args.workers or os.cpu_count() or 1
        with dask.config.set(scheduler=args.scheduler, num_workers=workers):
            if show_progress:
                with ProgressBar(out=sys.stderr, minimum=1):
                    yield dask.compute
            else:
                yield dask.compute
        return
    from distributed import Client, LocalCluster

    # Dask's own notices (a shuffle started, a worker restarted) are for cluster operators;
    # an audit reports what it found, and failures as AuditError.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    with ExitStack() as stack:
        if args.scheduler is None:
            cluster = stack.enter_context(LocalCluster(
                n_workers=args.workers or os.cpu_count() or 1, threads_per_worker=1,
                processes=True, dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(args.scheduler, timeout="10s"))
            except OSError as error:
                raise AuditError(f"cannot reach the Dask scheduler at {args.scheduler}: "
                                 f"{error}") from None
        yield partial(_on_cluster, client, show_progress)


def _on_cluster(client: Any, show_progress: bool, *wanted: Any) -> tuple[Any, ...]:
    """Compute on a distributed client, with Dask's progress bar on stderr."""
    from distributed import KilledWorker, progress

    futures = client.compute(list(wanted))
    if show_progress:
        with redirect_stdout(sys.stderr):  # the bar is Dask's, on stdout by default
            progress(futures)
    try:
        return tuple(client.gather(futures))
    except KilledWorker as error:
        raise AuditError(
            f"workers died running {error.task!r} more often than Dask retries a task "
            f"({error.last_worker}); no result is reported rather than a partial one: check "
            "the workers' memory limits and logs") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run an audit; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.workers is not None and args.scheduler not in (None, *LOCAL_SCHEDULERS):
        parser.error("--workers sizes the local scheduler; a cluster has its own workers")
    plan = build(args.paths, Options())
    if not plan.parts:
        for broken in plan.broken:
            print(f"akita-map audit: {broken.path}: {broken.reason}", file=sys.stderr)
        print("akita-map audit: no input file found", file=sys.stderr)
        return EXIT_USAGE
    try:
        with _scheduler(args, sys.stderr.isatty()) as compute:
            summary = summarize(plan, args.out, compute=compute)
    except AuditError as error:
        print(f"akita-map audit: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        json.dump(summary.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        render_summary(summary)
    return EXIT_OK if summary.clean else EXIT_PROBLEMS
