"""What every benchmark shares: sizes per mode, timing, tables, machine facts, results on disk.

One module so that every script times the same way (best of a few repeats, because a shared
two-core machine adds noise only upwards), prints the same markdown and writes the same JSON
shape, which is what lets one run be compared with the next.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"  # git-ignored


@dataclass(frozen=True)
class Mode:
    """How big and how long each benchmark runs: `full` for the README, `quick` for a check,
    `tiny` for the smoke test that only keeps the scripts from rotting."""

    name: str
    sizes: tuple[int, ...]  # stored messages for the engine and growth benchmarks
    seconds: float  # load per HTTP scenario
    repeats: int  # timings per measurement; the best is kept
    calls: int  # Segment calls for the destination benchmark
    archive: int  # Segment calls in the archive the audit benchmark generates


MODES = {
    "full": Mode("full", (10_000, 100_000, 1_000_000, 3_000_000), 10.0, 5, 20_000, 10_000_000),
    "quick": Mode("quick", (10_000, 100_000), 4.0, 3, 5_000, 300_000),
    "tiny": Mode("tiny", (500,), 0.2, 1, 100, 500),
}


@dataclass
class Table:
    """A titled markdown table whose rows also go to the JSON results."""

    title: str
    columns: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *row: Any) -> None:
        """Append one row, in column order."""
        self.rows.append(row)

    def markdown(self) -> str:
        """The table as GitHub markdown, numbers formatted for reading."""
        lines = [f"### {self.title}", "", "| " + " | ".join(self.columns) + " |",
                 "|" + "|".join("---" for _ in self.columns) + "|"]
        lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in self.rows]
        lines += [""] + [f"- {note}" for note in self.notes] if self.notes else []
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """Rows as dicts keyed by column, for machines."""
        return {"title": self.title, "notes": self.notes,
                "rows": [dict(zip(self.columns, row, strict=True)) for row in self.rows]}


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}" if value < 10 else f"{value:.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


TARGETS = "Targets: "  # the title every target table starts with; run_all gathers them


def target_table(subject: str) -> Table:
    """A table of targets, each beside its baseline from the same run and whether it is met."""
    return Table(f"{TARGETS}{subject}", ("target", "measured", "baseline (same run)", "met"))


def verdict(met: bool) -> str:
    """How a target table says it."""
    return "met" if met else "MISSED"


def best_of(repeats: int, work: Callable[[], Any]) -> float:
    """The shortest of `repeats` wall-clock timings of `work()`, in seconds."""
    timings = []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def growth_steps(costs: Sequence[float], sizes: Sequence[int]) -> list[tuple[float, float]]:
    """Per step between sizes: (the cost's ratio, the ratio n log n growth would give). An
    actual ratio at or below the allowed one grows no faster than n log n."""
    steps = []
    for index in range(1, len(sizes)):
        small, large = sizes[index - 1], sizes[index]
        allowed = (large * math.log(large)) / (small * math.log(small))
        actual = costs[index] / costs[index - 1] if costs[index - 1] else math.inf
        steps.append((actual, allowed))
    return steps


def growth_ratio(costs: Sequence[float], sizes: Sequence[int]) -> list[str]:
    """`growth_steps` as table cells."""
    return [f"x{actual:.2f} (n log n: x{allowed:.1f})"
            for actual, allowed in growth_steps(costs, sizes)]


def children_cpu() -> float:
    """CPU seconds (user + system) of every child process waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds a live process and its live descendants have used so far, from /proc
    (Linux): a server may serve from child processes (granian's workers)."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):  # ended meanwhile
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
    children: dict[int, list[int]] = {}
    for child, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(child)
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        if current in stats:
            total += (int(stats[current][11]) + int(stats[current][12]))
            pending += children.get(current, [])
    return total / os.sysconf("SC_CLK_TCK")


def measured_command(command: Sequence[str]) -> dict[str, float]:
    """Run a command in a fresh wrapper process: its wall seconds, the CPU seconds of its
    whole process tree and the peak RSS in MB of the tree's largest process (a worker, say),
    which `RUSAGE_CHILDREN` of this process could not tell apart from earlier runs'."""
    wrapper = ("import json, resource, subprocess, sys, time\n"
               "started = time.perf_counter()\n"
               "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
               "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
               "print(json.dumps({'seconds': time.perf_counter() - started, 'status': "
               "done.returncode, 'cpu': usage.ru_utime + usage.ru_stime, "
               "'peak_mb': usage.ru_maxrss / 1024}))\n")
    finished = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True,
                              text=True, check=True)
    return json.loads(finished.stdout)


def machine() -> dict[str, Any]:
    """Facts that make numbers comparable: CPUs, load average (others share the machine)."""
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "load_average": os.getloadavg(), "uptime": uptime.strip()}


def python_script(name: str, *args: str) -> list[str]:
    """The command that runs a sibling script with this interpreter."""
    return [sys.executable, str(Path(__file__).resolve().parent / name), *args]


def write_results(folder: Path, name: str, mode: Mode, tables: Sequence[Table],
                  extra: dict[str, Any] | None = None) -> Path:
    """Write `<folder>/<name>-<mode>.json` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{mode.name}.json"
    document = {"benchmark": name, "mode": mode.name, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "machine": machine(), "tables": [table.to_json() for table in tables],
                **(extra or {})}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path
