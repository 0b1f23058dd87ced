"""@segment/analytics-node, unmodified, pointed at the live simulator: after `closeAndFlush()`
the journey is in Akita's state. The SDK comes from npm into `tests/.cache/node/` (ignored by
git, installed once, `npm_packages`); without node, npm or the network these tests are skipped,
saying why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from npm_packages import installed
from segment_journey import JOURNEY, assert_journey_landed, at

from contract.timestamps import to_wire

PACKAGE = "@segment/analytics-node@3"
RUN_TIMEOUT = 60

# Sends the journey given on stdin ([method, fields] pairs) and prints the SDK's errors.
SCRIPT = """
const { Analytics } = require('@segment/analytics-node')
const [host, path, writeKey] = process.argv.slice(2)
const analytics = new Analytics({ writeKey, host, path: path || undefined, maxRetries: 1,
                                  flushAt: 100, flushInterval: 100 })
const errors = []
analytics.on('error', (error) => errors.push(String(error?.reason ?? error?.code ?? error)))
let input = ''
process.stdin.on('data', (chunk) => { input += chunk })
process.stdin.on('end', async () => {
  for (const [method, fields] of JSON.parse(input)) analytics[method](fields)
  await analytics.closeAndFlush({ timeout: 20000 })
  console.log(JSON.stringify({ errors }))
})
"""


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The installed SDK's `node_modules` (the session installs it at most once)."""
    if shutil.which("node") is None:
        pytest.skip("node is needed to run @segment/analytics-node")
    return installed(PACKAGE, "node")


def run_journey(node_modules: Path, tmp_path: Path, host: str, write_key: str,
                path: str = "") -> dict[str, Any]:
    """Send the journey through the node SDK; what the script printed."""
    script = tmp_path / "journey.js"
    script.write_text(SCRIPT, encoding="utf-8")
    calls = [[method, {**fields, "timestamp": to_wire(at(minutes))}]
             for method, fields, minutes in JOURNEY]
    done = subprocess.run(
        ["node", str(script), host, path, write_key],
        input=json.dumps(calls), capture_output=True, text=True, timeout=RUN_TIMEOUT,
        env={**os.environ, "NODE_PATH": str(node_modules)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_analytics_node_journey_lands_in_akita(node_modules: Path, tmp_path: Path,
                                               akita_workspace: Any) -> None:
    printed = run_journey(node_modules, tmp_path, akita_workspace.server_url,
                          akita_workspace.api_key)

    assert printed == {"errors": []}
    assert_journey_landed(akita_workspace.state())
    journal = akita_workspace.journal(limit=100)
    assert {e["status"] for e in journal} == {"accepted"}
    assert {e["segment_call"]["context"]["library"]["name"] for e in journal} == {
        "@segment/analytics-node"}


def test_analytics_node_drops_a_path_on_host_and_takes_its_path_option(
        node_modules: Path, tmp_path: Path, akita_workspace: Any) -> None:
    printed = run_journey(node_modules, tmp_path, f"{akita_workspace.server_url}/ignored",
                          akita_workspace.api_key, path="/v1/batch")

    assert printed == {"errors": []}
    assert_journey_landed(akita_workspace.state())
