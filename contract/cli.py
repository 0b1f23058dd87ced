"""`akita-contract verify`: the provider checks from the command line, with an exit status."""

from __future__ import annotations

import argparse
import sys

from contract.provider import verify


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="akita-contract",
        description="Check that an Akita-compatible server honours the Segment-to-Akita contract.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="run the provider checks against a base URL")
    check.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8400")
    check.add_argument("--api-key", required=True, help="an API key the server accepts")
    check.add_argument("--max-examples", type=int, default=50,
                       help="generated cases per check (default 50)")
    check.add_argument("--seed", type=int, help="repeat an earlier run exactly")
    check.add_argument("--timeout", type=float, default=10.0,
                       help="seconds to wait for each answer (default 10)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: prints the report; exit 0 when every check held, 1 when one failed."""
    args = _parser().parse_args(argv)
    if args.max_examples < 1:
        print("akita-contract: --max-examples must be at least 1", file=sys.stderr)
        return 2
    report = verify(args.url, args.api_key, max_examples=args.max_examples,
                    run_seed=args.seed, timeout=args.timeout)
    print(report.render())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
