"""`akita-sim` through its installed entry point: serve, stop, survive SIGKILL, export, reset."""

from __future__ import annotations

import argparse
import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from engine_messages import account, contact
from hypothesis import given
from hypothesis import strategies as st

from simulator.cli import is_loopback, main, parse_duration
from simulator.service import Simulator
from simulator.store import SQLiteStore
from simulator.store.schema import SCHEMA_VERSION

AKITA_SIM = str(Path(sys.executable).with_name("akita-sim"))
JOURNEY = [contact("m1", 0, "u1", organization_id="org1"), account("m2", 1, "org1")]


class Served:
    """A running `akita-sim serve --port 0 ...`, its banner read up to "Press Ctrl-C"."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [AKITA_SIM, "serve", "--port", "0", *args], cwd=cwd, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        lines = []
        while not lines or not lines[-1].startswith("Press Ctrl-C"):
            line = self.process.stdout.readline()
            if not line:
                self.process.kill()
                raise AssertionError("akita-sim exited: " + "".join(lines) +
                                     self.process.communicate()[1])
            lines.append(line)
        self.banner = "".join(lines)
        self.url = re.search(r"listening on (http://\S+?)[,\s]", self.banner)[1]

    def post(self, key: str, batch: list[dict]) -> requests.Response:
        """Deliver a batch with Basic auth, as Segment does."""
        return requests.post(f"{self.url}/akita/v1/segment", json={"batch": batch},
                             auth=(key, ""), timeout=10)

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str, str]:
        """Send `signum`; the exit status and the rest of stdout and stderr."""
        self.process.send_signal(signum)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`akita-sim ARGS` to completion."""
    return subprocess.run([AKITA_SIM, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, check=False)


def test_serve_prints_how_to_reach_it_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    served = Served(cwd=tmp_path)
    key = re.search(r"API key:\s+(\S+)", served.banner)[1]

    assert served.url.startswith("http://127.0.0.1:")
    assert f"ingest:    {served.url}/akita/v1/segment" in served.banner
    assert f"dashboard: {served.url}/" in served.banner
    assert str(tmp_path / "akita-sim.sqlite3") in served.banner
    assert served.post(key, JOURNEY).json() == {"accepted": 2, "duplicates": 0}
    status, out, err = served.stop()

    assert status == 0 and "stopped" in out and "Traceback" not in err
    assert (tmp_path / "akita-sim.sqlite3").exists()


def test_a_given_key_is_used_never_echoed_and_sigterm_stops(tmp_path: Path) -> None:
    served = Served("--memory", "--api-key", "secret-given-key", cwd=tmp_path)

    assert served.post("secret-given-key", JOURNEY).status_code == 200
    status, out, err = served.stop(signal.SIGTERM)

    assert status == 0
    assert "secret-given-key" not in served.banner + out + err
    assert "in memory" in served.banner and not (tmp_path / "akita-sim.sqlite3").exists()


def test_binding_beyond_loopback_warns(tmp_path: Path) -> None:
    served = Served("--memory", "--host", "0.0.0.0", cwd=tmp_path)
    status, _, err = served.stop()

    assert status == 0 and "warning: listening on 0.0.0.0" in err


def test_acknowledged_messages_survive_sigkill_then_export_and_reset(tmp_path: Path) -> None:
    served = Served("--db", "data.sqlite3", "--api-key", "k", cwd=tmp_path)
    assert served.post("k", JOURNEY).status_code == 200
    served.process.kill()
    served.process.communicate(timeout=30)

    exported = run("export", "--db", "data.sqlite3", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    [workspace] = json.loads(exported.stdout)["workspaces"]
    assert workspace["state"]["contacts"][0]["organization_id"] == "org1"

    one = run("export", "--db", "data.sqlite3", "--workspace", workspace["id"], cwd=tmp_path)
    assert json.loads(one.stdout) == workspace["state"]

    reset = run("reset", "--db", "data.sqlite3", cwd=tmp_path)
    assert reset.returncode == 0 and "reset 1 workspace" in reset.stdout
    after = json.loads(run("export", "--db", "data.sqlite3", cwd=tmp_path).stdout)
    assert after["workspaces"][0]["state"]["counts"]["messages"] == 0


def test_a_database_from_a_newer_version_is_refused_naming_both(tmp_path: Path) -> None:
    Simulator(SQLiteStore(str(tmp_path / "new.sqlite3"))).close()
    with sqlite3.connect(tmp_path / "new.sqlite3") as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")

    result = run("serve", "--port", "0", "--db", "new.sqlite3", cwd=tmp_path)

    assert result.returncode == 1
    assert "version 99" in result.stderr and f"version {SCHEMA_VERSION}" in result.stderr


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run("serve", "--memory", "--port", port, cwd=tmp_path)

    assert result.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_export_and_reset_name_what_is_missing(tmp_path: Path) -> None:
    Simulator(SQLiteStore(str(tmp_path / "x.sqlite3"))).close()

    assert "no database at nope.sqlite3" in run("export", "--db", "nope.sqlite3",
                                                  cwd=tmp_path).stderr
    missing = run("reset", "--db", "x.sqlite3", "--workspace", "ws_nope", cwd=tmp_path)
    assert missing.returncode == 1 and "no workspace 'ws_nope'" in missing.stderr


@pytest.mark.parametrize("argv, named", [
    (["serve", "--session-timeout", "5x"], "argument --session-timeout: invalid duration '5x'"),
    (["serve", "--session-timeout", "0"], "argument --session-timeout"),
    (["serve", "--port", "70000"], "argument --port: invalid value '70000'"),
    (["serve", "--journal-cap", "0"], "argument --journal-cap: invalid value '0'"),
    (["serve", "--db", "a", "--memory"], "argument --memory: not allowed with argument --db"),
    (["launch"], "invalid choice: 'launch'"),
])
def test_bad_flags_are_named(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)

    assert exited.value.code == 2 and named in capsys.readouterr().err


@given(seconds=st.integers(1, 10**6))
def test_durations_in_seconds_minutes_hours_and_plain_agree(seconds: int) -> None:
    expected = timedelta(seconds=seconds)

    assert parse_duration(str(seconds)) == parse_duration(f"{seconds}s") == expected
    assert parse_duration(f"{seconds}m") == expected * 60
    assert parse_duration(f" {seconds}H ") == expected * 3600


def test_only_loopback_addresses_count_as_local() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.8.9.1", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.4", "example.com"]))


@pytest.mark.parametrize("text", ["0.0000001", "0", "-5m", "99999999999999h", "soon"])
def test_durations_that_round_to_nothing_or_overflow_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="invalid duration"):
        parse_duration(text)


def test_restarting_without_a_key_finds_yesterdays_workspace_and_key(tmp_path: Path) -> None:
    first = Served(cwd=tmp_path)
    key = re.search(r"API key:\s+(\S+)", first.banner)[1]
    workspace = re.search(r"workspace:\s+(\S+)", first.banner)[1]
    assert first.post(key, JOURNEY).status_code == 200
    first.stop()

    again = Served(cwd=tmp_path)

    assert re.search(r"API key:\s+(\S+)", again.banner)[1] == key
    assert re.search(r"workspace:\s+(\S+)", again.banner)[1] == workspace
    state = requests.get(f"{again.url}/_sim/workspaces/{workspace}/state", timeout=10).json()
    assert state["counts"]["messages"] == 2
    [listed] = requests.get(f"{again.url}/_sim/workspaces", timeout=10).json()["workspaces"]
    assert listed["name"] == "default (akita-sim serve)"
    again.stop()


def test_every_serve_flag_can_come_from_the_environment_and_a_flag_wins(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AKITA_SIM_MEMORY", "true")
    monkeypatch.setenv("AKITA_SIM_API_KEY", "from-env")
    monkeypatch.setenv("AKITA_SIM_ALLOWED_HOST", "sim.ci, other.ci")
    monkeypatch.setenv("AKITA_SIM_SESSION_TIMEOUT", "10m")
    monkeypatch.setenv("AKITA_SIM_PORT", "not-a-port")

    served = Served("--session-timeout", "20m", cwd=tmp_path)  # Served passes --port 0

    assert "in memory" in served.banner and "sim.ci" in served.banner
    assert served.post("from-env", JOURNEY).status_code == 200
    served.stop()
    help_text = " ".join(subprocess.run([AKITA_SIM, "serve", "--help"], capture_output=True,
                                        text=True, timeout=30).stdout.split())
    assert "[env AKITA_SIM_PORT]" in help_text and "[env AKITA_SIM_DB]" in help_text


def test_a_bad_value_in_the_environment_is_a_usage_error_naming_the_flag(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AKITA_SIM_PORT", "eighty")

    done = subprocess.run([AKITA_SIM, "serve", "--memory"], capture_output=True, text=True,
                          timeout=30, cwd=tmp_path)

    assert done.returncode == 2 and "--port" in done.stderr
