"""Real Segment SDKs from the npm registry, installed once into `tests/.cache/<folder>/`
(ignored by git); without npm or the network the tests that need them skip, saying why."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CACHE = Path(__file__).resolve().parent.parent / ".cache"
INSTALL_TIMEOUT = 180


def installed(package: str, folder: str) -> Path:
    """`node_modules` holding `package` (name@range), installed on first use.

    npm installs into a fresh folder that is then renamed into place, so parallel test
    processes never see (or write into) a half-installed cache.
    """
    target = CACHE / folder
    name = package.rpartition("@")[0] if package.count("@") > 1 else package
    modules = target / "node_modules"
    if (modules / name).is_dir():
        return modules
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is needed to install {package}")
    CACHE.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{folder}-", dir=CACHE))
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(staging),
             package], capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.skip(f"npm install {package} took over {INSTALL_TIMEOUT} s (no network?)")
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.skip(f"npm install {package} failed: {done.stderr.strip()[-300:]}")
    try:
        staging.rename(target)
    except OSError:  # another test process got there first: use its install
        shutil.rmtree(staging, ignore_errors=True)
    return modules
