"""`akita-map`: what Akita would receive for Segment calls, and, with `--send`, deliver them.

    akita-map calls.jsonl                      # each Akita message, or why there is none
    cat calls.json | akita-map - | jq .message # JSON Lines when piped
    akita-map calls.jsonl --send http://127.0.0.1:8400 --api-key KEY

Input: files or `-` for stdin, each a JSON object, a JSON array, JSON Lines, or a Segment
`{"batch": [...]}` body. Exit status: 0 when every call was mapped, delivered or skipped; 1 when
any was invalid, rejected or failed; 2 for usage errors and unreadable input. The API key may
come from `AKITA_API_KEY` so that it stays out of shell history; it is never printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from contract.cli import non_negative_seconds, positive_seconds
from destination.client import AkitaClient, ingest_url
from destination.errors import InputError
from destination.inputs import Sourced, read_calls
from destination.prepare import prepare
from destination.render import JsonRenderer, Renderer, TextRenderer
from destination.report import DeliveryRecord, DeliveryReport
from destination.retry import RetryPolicy

PROGRESS_MIN_CALLS = 200  # below this the work is over before a bar would be read
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The command line; argparse's own usage errors exit with status 2."""
    parser = argparse.ArgumentParser(
        prog="akita-map", description="Map Segment calls to Akita messages; optionally send them.")
    parser.add_argument("files", nargs="*", default=["-"],
                        help="files of Segment calls; '-' (the default) reads stdin")
    parser.add_argument("--format", choices=("text", "json"),
                        help="text (default on a terminal) or JSON Lines (default when piped)")
    parser.add_argument("--send", metavar="URL",
                        help="deliver to the Akita at URL (POST URL/akita/v1/segment)")
    parser.add_argument("--api-key", default=os.environ.get("AKITA_API_KEY"),
                        help="Akita API key for --send (default: $AKITA_API_KEY)")
    parser.add_argument("--timeout", type=positive_seconds, default=10.0,
                        help="seconds to wait for each answer (default 10)")
    parser.add_argument("--retry-for", type=non_negative_seconds, default=60.0, metavar="SECONDS",
                        help="give up on a batch after this long, waits included (default 60)")
    return parser


def read_inputs(names: Sequence[str]) -> list[Sourced]:
    """Every call of every input, in order; InputError names the input that cannot be read."""
    calls: list[Sourced] = []
    for name in names:
        label = "<stdin>" if name == "-" else name
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            text = data.decode("utf-8-sig")
        except OSError as error:
            raise InputError(f"{label}: cannot read: {error.strerror or error}") from None
        except UnicodeDecodeError as error:
            raise InputError(f"{label}: not UTF-8 text (byte {error.start})") from None
        calls.extend(read_calls(text, label))
    return calls


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """A bar on stderr for a large input on a terminal; yields the function that advances it."""
    stderr = Console(stderr=True)
    if total < PROGRESS_MIN_CALLS or not stderr.is_terminal:
        yield lambda: None
        return
    with Progress(console=stderr, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def _run(calls: list[Sourced], args: argparse.Namespace,
         advance: Callable[[], None]) -> list[DeliveryRecord]:
    if not args.send:
        records = []
        for sourced in calls:
            records.append(prepare(sourced.call))
            advance()
        return records
    retry = RetryPolicy(max_elapsed=args.retry_for)
    with AkitaClient(args.send, args.api_key, retry=retry, timeout=args.timeout,
                     flush_interval=None, on_record=lambda _record: advance()) as client:
        return client.deliver(sourced.call for sourced in calls).records


def main(argv: Sequence[str] | None = None) -> int:
    """Run `akita-map`; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.send:
        if not args.api_key:
            parser.error("--send needs --api-key or AKITA_API_KEY")
        try:
            ingest_url(args.send)
        except ValueError as error:
            parser.error(str(error))
    try:
        calls = read_inputs(args.files)
    except InputError as error:
        print(f"akita-map: {error}", file=sys.stderr)
        return EXIT_USAGE
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    renderer: Renderer = (TextRenderer(Console(highlight=False, soft_wrap=True)) if fmt == "text"
                          else JsonRenderer(sys.stdout.buffer, sys.stderr.buffer))
    with _progress(len(calls), "sending" if args.send else "mapping") as advance:
        records = _run(calls, args, advance)
    report = DeliveryReport(records)
    for sourced, record in zip(calls, records, strict=True):
        renderer.record(sourced.origin, record)
    renderer.summary(report)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
