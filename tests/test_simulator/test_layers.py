"""The wings keep to their own concern: each imports only what its question needs.

Checked in a fresh interpreter, so what other tests imported cannot hide a stray import.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

TEST_EXTRA = {"pytest", "xdist", "pytest_timeout", "responses", "segment", "ruff", "playwright",
              "schemathesis", "pytest_httpserver"}


def imported_by(module: str) -> set[str]:
    """Top-level package names in sys.modules after importing `module` alone."""
    script = ("import importlib, sys\n"
              f"importlib.import_module({module!r})\n"
              "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))\n")
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, timeout=60)
    return set(found.stdout.split())


@pytest.mark.parametrize(("module", "forbidden"), [
    ("simulator.engine", {"flask", "werkzeug", "sqlite3", "requests", "destination", "waitress"}),
    ("simulator.store", {"flask", "werkzeug", "requests", "destination"}),
    ("simulator.service", {"flask", "werkzeug", "requests", "destination"}),
    ("simulator.web.app", {"requests", "destination", "hypothesis"}),
    ("contract", {"hypothesis", "requests", "flask", "simulator", "destination"}),
    ("contract.mapping", {"hypothesis", "requests", "flask", "simulator", "destination"}),
    # Serving needs nothing of the test extra: `pip install akita-contract` is enough.
    ("simulator.audit", {"flask", "werkzeug", "waitress", "hypothesis"}),
    # Serving and mapping start fast: Dask and pandas load only for `akita-map audit`.
    ("simulator.cli", TEST_EXTRA | {"dask", "pandas", "pyarrow"}),
    ("destination.cli", TEST_EXTRA | {"dask", "pandas", "pyarrow", "simulator"}),
])
def test_each_wing_imports_only_what_its_question_needs(module: str, forbidden: set[str]) -> None:
    assert imported_by(module) & forbidden == set()
