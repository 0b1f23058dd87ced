"""`akita-contract verify`: the provider checks from the command line, with an exit status for CI.

    akita-contract verify --url http://127.0.0.1:8400 --api-key KEY [--max-examples N] [--seed S]

Exit status: 0 when every check held (a check skipped for want of the control API does not
fail), 1 when one failed, 2 for usage errors. The API key may come from `AKITA_API_KEY` so that
it stays out of shell history and CI logs; the report never prints it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from contract.provider import junit_xml, report_json, verify

EXIT_OK, EXIT_FAILED = 0, 1


def _base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"must be http(s)://host[:port][/prefix], not {value!r}")
    return value


def at_least_one(value: str) -> int:
    """argparse type for a count: a whole number, 1 or more."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _seconds(value: str, *, allow_zero: bool) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {value!r}") from None
    if not (math.isfinite(number) and (number >= 0 if allow_zero else number > 0)):
        wanted = "0 or more" if allow_zero else "above 0"
        raise argparse.ArgumentTypeError(f"must be a finite number {wanted}, not {value}")
    return number


def positive_seconds(value: str) -> float:
    """argparse type for a wait in seconds: finite and above 0 (a timeout of 0 or NaN is an
    error in requests, not a choice)."""
    return _seconds(value, allow_zero=False)


def non_negative_seconds(value: str) -> float:
    """argparse type for a time budget in seconds: finite, 0 meaning "no second try"."""
    return _seconds(value, allow_zero=True)


def build_parser() -> argparse.ArgumentParser:
    """The command line; argparse's own usage errors exit with status 2."""
    parser = argparse.ArgumentParser(
        prog="akita-contract",
        description="Check that an Akita-compatible server honours the Segment-to-Akita contract.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="run the provider checks against a base URL")
    check.add_argument("--url", required=True, type=_base_url,
                       help="base URL, e.g. http://127.0.0.1:8400")
    check.add_argument("--api-key", default=os.environ.get("AKITA_API_KEY"),
                       help="an API key the server accepts (default: $AKITA_API_KEY); "
                            "use a test workspace: the checks send data")
    check.add_argument("--max-examples", type=at_least_one, default=50,
                       help="generated cases per check (default 50)")
    check.add_argument("--seed", type=int, help="repeat an earlier run exactly")
    check.add_argument("--timeout", type=positive_seconds, default=10.0,
                       help="seconds to wait for each answer (default 10)")
    check.add_argument("--junit-xml", type=Path, metavar="PATH",
                       help="also write the report as JUnit XML, for CI systems")
    check.add_argument("--json", type=Path, metavar="PATH", help="also write the report as JSON")
    check.add_argument("--wire", choices=("batch", "direct"), default="batch",
                       help="batch: batches of Akita messages (default); direct: one raw "
                            "Segment call a request, as Segment delivers to partners")
    check.add_argument("--rest", action="store_true",
                       help="also check Akita's REST API (accounts, contacts, interactions)")
    check.add_argument("--keep-workspaces", action="store_true",
                       help="keep the workspaces made for the rule checks (deleted by default)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: prints the report; exit 0 when every check held, 1 when one failed."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error("verify needs --api-key or AKITA_API_KEY")
    report = verify(args.url, args.api_key, max_examples=args.max_examples,
                    run_seed=args.seed, timeout=args.timeout,
                    keep_workspaces=args.keep_workspaces, wire=args.wire, rest=args.rest)
    print(report.render())
    if args.junit_xml:
        args.junit_xml.write_bytes(junit_xml(report))
    if args.json:
        args.json.write_text(json.dumps(report_json(report), indent=2) + "\n", encoding="utf-8")
    return EXIT_OK if report.ok else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
