"""`akita-map`: what Segment would hand Akita for calls, and, with `--send`, deliver them.

    akita-map calls.jsonl                      # each Akita message, or why there is none
    akita-map segment-logs/*/*.gz --problems   # only what did not map cleanly, then totals
    cat call.json | akita-map - --type track   # an HTTP API body whose type is its path's
    akita-map calls.jsonl --send http://127.0.0.1:8400 --api-key KEY

Each call goes through the same pipeline as the local Segment gateway and the playground
(`destination.pipeline`: intake, edge de-duplication across every input of the run, the
`integrations` filter, validation and mapping), so the three agree call by call. Input: files
or `-` for stdin, gzipped or not, in any form `destination.inputs` reads, streamed. Exit status:
0 when nothing was invalid, rejected or failed; 1 otherwise (a line that is not JSON included);
2 for usage errors and files that cannot be read. The API key may come from `AKITA_API_KEY`,
so that it stays out of shell history; it is never printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from contract import SEGMENT_CALL_TYPES
from contract.cli import non_negative_seconds, positive_seconds
from contract.problems import Problem
from destination.client import AkitaClient, ingest_url
from destination.errors import InputError
from destination.inputs import Sourced, Unreadable, read_inputs
from destination.pipeline import EdgeDeduplicator, Pipeline, archived_receipt
from destination.render import JsonRenderer, Renderer, TextRenderer
from destination.report import PROBLEM_STATUSES, STATUSES, DeliveryRecord
from destination.retry import RetryPolicy

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
CLEAN = frozenset({"mapped", "delivered"})


def build_parser() -> argparse.ArgumentParser:
    """The command line; argparse's own usage errors exit with status 2."""
    parser = argparse.ArgumentParser(
        prog="akita-map", description="What Akita would receive for Segment calls; "
                                      "optionally send them.",
        epilog="akita-map audit PATH... tells what Akita would hold for a whole archive, on "
               "Dask (akita-map audit --help).")
    parser.add_argument("files", nargs="*", default=["-"],
                        help="files of Segment calls, .gz or not; '-' (the default) reads stdin")
    parser.add_argument("--type", choices=SEGMENT_CALL_TYPES,
                        help="the call type, as a /v1/<type> path gives it to the bodies sent")
    parser.add_argument("--format", choices=("text", "json"),
                        help="text (default on a terminal) or JSON Lines (default when piped)")
    parser.add_argument("--problems", action="store_true",
                        help="show only calls that did not map (or deliver) cleanly; the "
                             "totals still count every call")
    parser.add_argument("--send", metavar="URL",
                        help="deliver to the Akita at URL (POST URL/akita/v1/segment)")
    parser.add_argument("--api-key", default=os.environ.get("AKITA_API_KEY"),
                        help="Akita API key for --send (default: $AKITA_API_KEY)")
    parser.add_argument("--timeout", type=positive_seconds, default=10.0,
                        help="seconds to wait for each answer (default 10)")
    parser.add_argument("--retry-for", type=non_negative_seconds, default=60.0, metavar="SECONDS",
                        help="give up on a batch after this long, waits included (default 60)")
    return parser


@contextmanager
def _progress(label: str) -> Iterator[Callable[[], None]]:
    """A running count on stderr when it is a terminal; yields the function that advances it."""
    stderr = Console(stderr=True)
    if not stderr.is_terminal:
        yield lambda: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}"))
    with Progress(*columns, console=stderr, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda: bar.advance(task)


class Run:
    """One run: every call through the pipeline, shown in input order as it settles, counted.

    With `--send`, mapped calls wait in their client's batch until it is answered; only those
    are held, so memory stays bounded by a batch whatever the input's size.
    """

    def __init__(self, args: argparse.Namespace, renderer: Renderer,
                 client: AkitaClient | None) -> None:
        self.pipeline = Pipeline(dedup=EdgeDeduplicator())
        self.kind = args.type
        self.problems_only = args.problems
        self.renderer = renderer
        self.client = client
        self.counts: Counter[str] = Counter()
        self._waiting: deque[tuple[str, DeliveryRecord]] = deque()

    def take(self, item: Sourced | Unreadable) -> None:
        """Process one input item and show whatever has settled since."""
        if isinstance(item, Unreadable):
            record = DeliveryRecord(None, "invalid", reason=item.reason, path="$",
                                    problems=(Problem("$", item.reason),))
        else:
            received = archived_receipt(item.call, self.pipeline.clock())
            record = self.pipeline.one(item.call, received, batch=item.batch, kind=self.kind,
                                       where=item.origin)
            if self.client is not None and record.status == "mapped":
                self.client.submit(record)
        self._waiting.append((item.origin, record))
        self._show_settled()

    def finish(self) -> dict[str, int]:
        """Deliver what is queued, show the rest, and return the counts (every status, total)."""
        if self.client is not None:
            self.client.flush()
        self._show_settled(everything=True)
        return {status: self.counts[status] for status in STATUSES} | {
            "total": sum(self.counts.values())}

    def _show_settled(self, *, everything: bool = False) -> None:
        while self._waiting:
            origin, record = self._waiting[0]
            if not everything and self.client is not None and record.status == "mapped":
                return  # still in a batch on its way
            self._waiting.popleft()
            self.counts[record.status] += 1
            if not (self.problems_only and record.status in CLEAN):
                self.renderer.record(origin, record)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `akita-map` (or `akita-map audit`, whose first word names it: a file called `audit`
    is `./audit`); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["audit"]:
        # The audit needs the engine's rules and Dask: imported only when asked for, so the
        # destination itself depends on neither.
        from simulator.audit.cli import main as audit

        return audit(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.send:
        if not args.api_key:
            parser.error("--send needs --api-key or AKITA_API_KEY")
        try:
            ingest_url(args.send)
        except ValueError as error:
            parser.error(str(error))
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    renderer: Renderer = (TextRenderer(Console(highlight=False, soft_wrap=True)) if fmt == "text"
                          else JsonRenderer(sys.stdout.buffer, sys.stderr.buffer))
    with ExitStack() as stack:
        client = stack.enter_context(AkitaClient(
            args.send, args.api_key, retry=RetryPolicy(max_elapsed=args.retry_for),
            timeout=args.timeout, flush_interval=None)) if args.send else None
        run = Run(args, renderer, client)
        advance = stack.enter_context(_progress("sending" if args.send else "mapping"))
        try:
            for item in read_inputs(args.files):
                run.take(item)
                advance()
        except InputError as error:
            run.finish()
            print(f"akita-map: {error}", file=sys.stderr)
            return EXIT_USAGE
        counts = run.finish()
    renderer.summary(counts)
    return EXIT_PROBLEMS if any(counts[status] for status in PROBLEM_STATUSES) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
