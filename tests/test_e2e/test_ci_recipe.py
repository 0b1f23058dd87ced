"""The README's CI recipe works as written: its shell steps, run by bash in a fresh folder,
start the local Akita, wait for it, check the contract into a JUnit report, and stop it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

README = Path(__file__).resolve().parents[2] / "README.md"
RUN = ("Start the local Akita", "Wait for it", "Check the contract", "Stop it")
SEED = '{"type": "identify", "userId": "ada", "traits": {"groupId": "acme"}}\n'


def recipe() -> tuple[dict[str, str], dict[str, str]]:
    """Step name -> its shell, and the job's environment, from the README's CI workflow."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### In your CI"):]
    workflow = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S)[1])
    [job] = workflow["jobs"].values()
    return {step["name"]: step["run"] for step in job["steps"] if "run" in step}, job["env"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="the recipe waits with curl")
def test_the_ci_recipe_serves_waits_verifies_and_stops(tmp_path: Path) -> None:
    steps, env = recipe()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "akita-seed.jsonl").write_text(SEED)
    bin_dir = str(Path(sys.executable).parent)
    environment = {**os.environ, **env, "AKITA_SIM_PORT": str(port),
                   "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}

    for name in RUN:
        done = subprocess.run(["bash", "-e", "-c", steps[name]], cwd=tmp_path, env=environment,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (name, done.stdout[-2000:], done.stderr[-2000:])

    report = (tmp_path / "akita-verify.xml").read_text()
    assert '<testsuite name="akita-contract verify"' in report and 'failures="0"' in report
    assert "seeded:" in (tmp_path / "akita-sim.log").read_text()
