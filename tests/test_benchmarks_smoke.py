"""The benchmark scripts still run: `run_all.py --tiny` prints every table and writes JSON.

Numbers from a toy run on a shared machine mean nothing, so nothing here looks at them; this
only keeps the scripts from rotting as the code they measure changes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RUN_ALL = Path(__file__).resolve().parent.parent / "benchmarks" / "run_all.py"
BENCHMARKS = ("http", "engine", "growth", "destination", "contention")


def test_tiny_run_prints_tables_and_writes_json(tmp_path: Path) -> None:
    """Every benchmark prints its markdown tables and leaves a JSON document with rows."""
    finished = subprocess.run([sys.executable, str(RUN_ALL), "--tiny", "--results",
                               str(tmp_path)], capture_output=True, text=True, timeout=90)
    assert finished.returncode == 0, finished.stderr
    for title in ("### HTTP ingest", "### Engine alone", "### Service:", "### Growth",
                  "### Destination: validation", "### Destination: delivery",
                  "### Ingest latency during whole-workspace reads"):
        assert title in finished.stdout
    assert "|---|" in finished.stdout
    for name in BENCHMARKS:
        document = json.loads((tmp_path / f"{name}-tiny.json").read_text())
        assert document["mode"] == "tiny"
        assert all(table["rows"] for table in document["tables"])
    assert (tmp_path / "latest-tiny.md").read_text().startswith("## Benchmarks (tiny)")
