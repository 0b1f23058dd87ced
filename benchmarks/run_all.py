"""Run every benchmark: `python benchmarks/run_all.py [--quick | --tiny] [--only NAME ...]`.

Prints markdown tables (with the machine's load, since numbers from a shared machine mean
little without it) and writes `<name>-<mode>.json` for each benchmark plus `latest-<mode>.md`,
the tables as printed, to `benchmarks/results/` (git-ignored) or `--results DIR`. Full mode
measures 10k, 100k and 1M messages and takes several minutes; `--quick` stops at 100k with
shorter loads; `--tiny` only proves the scripts still run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import bench_audit
import bench_contention
import bench_destination
import bench_engine
import bench_growth
import bench_http
import bench_suite
from harness import MODES, RESULTS, TARGETS, Mode, Table, machine, write_results

BENCHMARKS: dict[str, Callable[[Mode, Path], list[Table]]] = {
    "http": lambda mode, _: bench_http.run(mode),
    "engine": bench_engine.run,
    "growth": bench_growth.run,
    "destination": lambda mode, _: bench_destination.run(mode),
    "contention": bench_contention.run,
    "audit": bench_audit.run,
    "suite": bench_suite.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks in order; 0 when all of them ran."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_const", dest="mode", const="quick",
                      help="10k and 100k messages, shorter loads (a minute or two)")
    size.add_argument("--tiny", action="store_const", dest="mode", const="tiny",
                      help="toy sizes: checks the scripts run, measures nothing useful")
    parser.add_argument("--results", type=Path, default=RESULTS, metavar="DIR",
                        help="where to write the JSON and markdown (default benchmarks/results)")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), metavar="NAME",
                        help=f"run only these, of {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    mode = MODES[args.mode or "full"]
    command = " ".join(["python benchmarks/run_all.py", *(argv or sys.argv[1:])])
    facts = machine()
    header = (f"## Benchmarks ({mode.name})\n\n`{command}` on {facts['cpus']} CPUs, Python "
              f"{facts['python']}; load before the run: `{facts['uptime']}`\n")
    print(header, flush=True)
    printed = [header]
    targets = Table(f"{TARGETS}every benchmark of this run", ("benchmark", "target",
                                                               "measured", "baseline (same run)",
                                                               "met"))
    with tempfile.TemporaryDirectory(prefix="akita-bench-") as workdir:
        for name in args.only or BENCHMARKS:
            started = time.perf_counter()
            tables = BENCHMARKS[name](mode, Path(workdir))
            write_results(args.results, name, mode, tables, {"command": command,
                                               "seconds": time.perf_counter() - started})
            for table in tables:
                print(table.markdown(), flush=True)
                printed.append(table.markdown())
                if table.title.startswith(TARGETS):
                    targets.rows += [(name, *row) for row in table.rows]
    met = sum(row[-1] == "met" for row in targets.rows)
    targets.notes.append(f"{met} of {len(targets.rows)} targets met")
    print(targets.markdown(), flush=True)
    printed.append(targets.markdown())
    after = f"Load after the run: `{machine()['uptime']}`\n"
    print(after)
    (args.results / f"latest-{mode.name}.md").write_text("\n".join([*printed, after]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
