"""The benchmark scripts still run: each one, `--tiny`, prints its tables and writes JSON.

Numbers from a toy run on a shared machine mean nothing, so nothing here looks at them; this
only keeps the scripts from rotting as the code they measure changes. One test a benchmark,
so that they run side by side and a broken one is named.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUN_ALL = Path(__file__).resolve().parent.parent / "benchmarks" / "run_all.py"
TITLES = {
    "http": ("### HTTP ingest", "### Targets: HTTP ingest"),
    "engine": ("### Engine alone", "### Service:"),
    "growth": ("### Growth", "### Targets: growth"),
    "destination": ("### Destination: validation", "### Destination: delivery",
                    "### akita-map over an archive", "### Targets: akita-map"),
    "contention": ("### Ingest latency during whole-workspace reads",),
    "audit": ("### Archive audit",),
    "suite": ("### Targets: test suite",),
}


@pytest.mark.parametrize("name", list(TITLES))
def test_each_benchmark_prints_its_tables_and_writes_json(tmp_path: Path, name: str) -> None:
    finished = subprocess.run([sys.executable, str(RUN_ALL), "--tiny", "--only", name,
                               "--results", str(tmp_path)], capture_output=True, text=True,
                              timeout=90)

    assert finished.returncode == 0, finished.stderr
    for title in (*TITLES[name], "### Targets: every benchmark of this run"):
        assert title in finished.stdout
    assert "|---|" in finished.stdout
    document = json.loads((tmp_path / f"{name}-tiny.json").read_text())
    assert document["mode"] == "tiny"
    assert all(table["rows"] for table in document["tables"])
    assert (tmp_path / "latest-tiny.md").read_text().startswith("## Benchmarks (tiny)")
