"""`akita-map audit --scheduler ADDRESS` on a real Dask cluster of two worker processes started
here: the local scheduler's answer, even when a worker dies mid-run (Dask runs its tasks again),
or else a clear failure, never a wrong count."""

from __future__ import annotations

import gzip
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster

from destination.cli import main
from simulator.audit import build, summarize

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, memory_limit="1GiB") as running:
        yield running


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six hourly files of a small product: people, accounts, visitors and re-sends."""
    folder = tmp_path_factory.mktemp("segment-logs")
    for hour in range(6):
        calls = []
        for n in range(60):
            user, account = f"user-{(hour * 60 + n) % 97}", f"acct-{n % 7}"
            at = f"2026-11-02T{hour:02}:{n // 6 % 60:02}:00.000Z"
            calls += [
                {"type": "track", "userId": user, "event": "Used", "timestamp": at,
                 "messageId": f"t-{hour}-{n}"},
                {"type": "identify", "userId": user, "anonymousId": f"dev-{n % 50}",
                 "traits": {"groupId": account, "seen": hour}, "timestamp": at,
                 "messageId": f"i-{hour}-{n % 20}"},
                {"type": "page", "anonymousId": f"dev-{n % 55}", "name": "Pricing",
                 "timestamp": at, "messageId": f"p-{hour}-{n}"},
            ]
        (folder / f"{hour:02}.gz").write_bytes(
            gzip.compress("".join(json.dumps(c) + "\n" for c in calls).encode()))
    return folder


@pytest.fixture(scope="module")
def expected(history: Path) -> dict:
    """What the synchronous local scheduler finds: the answer every run must give."""
    with dask.config.set(scheduler="synchronous"):
        return json.loads(json.dumps(summarize(build([str(history)])).to_dict()))


def audited(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    status = main(["audit", *argv, "--json"])
    out, _ = capsys.readouterr()
    return status, json.loads(out) if out else {}


def test_on_a_cluster_a_worker_killed_mid_run_changes_nothing_or_fails_the_run_clearly(
        cluster: LocalCluster, history: Path, expected: dict,
        capsys: pytest.CaptureFixture[str]) -> None:
    killed: list[int] = []

    def kill_a_worker_once_work_has_begun() -> None:
        with Client(cluster.scheduler_address) as watcher:
            pids = watcher.run(os.getpid)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not any(watcher.has_what().values()):
                time.sleep(0.01)
            victim = sorted(pids.values())[0]
            os.kill(victim, signal.SIGKILL)  # its nanny starts a new worker
            killed.append(victim)

    killer = threading.Thread(target=kill_a_worker_once_work_has_begun)
    killer.start()
    status, found = audited(capsys, str(history), "--scheduler", cluster.scheduler_address)
    killer.join()

    assert killed, "no worker was killed: the audit ended before any task finished"
    assert expected["counts"]["contacts"] == 97 and expected["calls"]["duplicate"] > 0
    if status == 2:  # Dask gave up: the run must say so and report no counts at all...
        assert found == {}
        assert "workers died" in capsys.readouterr().err
        status, found = audited(capsys, str(history), "--scheduler",
                                cluster.scheduler_address)  # ...and a calm run is right
    assert status == 0
    assert found == expected
