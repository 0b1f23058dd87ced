"""The test suite's own time: the README's test command on two cores, and the benchmark smoke
test within it, each against its budget. Full mode only: the smoke test runs `--tiny`, which
must not run the suite that contains it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from harness import Mode, Table, target_table, verdict

ROOT = Path(__file__).resolve().parent.parent
SUITE_BUDGET, SMOKE_BUDGET = 120.0, 3.0  # seconds


def _timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                   cwd=ROOT, env={**os.environ, "HYPOTHESIS_PROFILE": "ci"},
                   capture_output=True, check=False)
    return time.perf_counter() - started


def run(mode: Mode, workdir: Path) -> list[Table]:
    """One target table: the suite and the smoke test, timed once each."""
    targets = target_table("test suite")
    if mode.name != "full":
        targets.add(f"the suite under {SUITE_BUDGET:.0f} s, its smoke test under "
                    f"{SMOKE_BUDGET:.0f} s", "not measured: full mode only", "-", "-")
        return [targets]
    suite = _timed("-n", "2")
    smoke = _timed("tests/test_benchmarks_smoke.py")
    targets.add(f"the suite (`python -m pytest -n 2`) under {SUITE_BUDGET:.0f} s on 2 cores",
                f"{suite:.0f} s", f"budget {SUITE_BUDGET:.0f} s", verdict(suite < SUITE_BUDGET))
    targets.add(f"the benchmark smoke test under {SMOKE_BUDGET:.0f} s",
                f"{smoke:.1f} s (with pytest's start)", f"budget {SMOKE_BUDGET:.0f} s",
                verdict(smoke < SMOKE_BUDGET))
    return [targets]
