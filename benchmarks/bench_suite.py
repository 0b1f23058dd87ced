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


def _timed(*args: str) -> tuple[float, bool]:
    """Seconds a pytest run took, and whether every test passed."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *args], cwd=ROOT, env={**os.environ, "HYPOTHESIS_PROFILE": "ci"},
                          capture_output=True, check=False)
    return time.perf_counter() - started, done.returncode == 0


def run(mode: Mode, workdir: Path) -> list[Table]:
    """One target table: the suite and the smoke test, timed once each."""
    targets = target_table("test suite")
    if mode.name != "full":
        targets.add(f"the suite under {SUITE_BUDGET:.0f} s, its smoke test under "
                    f"{SMOKE_BUDGET:.0f} s", "not measured: full mode only", "-", "-")
        return [targets]
    for target, budget, args in (
            (f"the suite (`python -m pytest -n 2`) under {SUITE_BUDGET:.0f} s on 2 cores",
             SUITE_BUDGET, ("-n", "2")),
            (f"the benchmark smoke test under {SMOKE_BUDGET:.0f} s", SMOKE_BUDGET,
             ("tests/test_benchmarks_smoke.py",))):
        seconds, passed = _timed(*args)
        targets.add(target, f"{seconds:.1f} s" + ("" if passed else ", and tests FAILED"),
                    f"budget {budget:.0f} s", verdict(passed and seconds < budget))
    return [targets]
