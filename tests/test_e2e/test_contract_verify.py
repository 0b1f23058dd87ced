"""`akita-contract verify` through its entry point: it passes against the simulator, and against
an Akita broken in one way it fails that check by name, explains what came back with the
shrunk case and its request body, prints the seed that reproduces it, and exits 1."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from itertools import takewhile
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from broken_akitas import API_KEY, accepts_everything, fails_on_invalid_input, never_deduplicates
from flask import Flask

from contract.cli import main
from simulator.pytest_plugin import AkitaWorkspace
from simulator.web import simulator_of
from simulator.web.live_server import LiveServer

ENTRY_POINT = Path(sys.executable).with_name("akita-contract")
COMMAND = [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "contract.cli"]
EXAMPLES = "8"  # enough to meet every kind of message, quick enough for every run

AUTH = "auth is enforced: 401 without a valid key"
UNSUPPORTED = "unsupported types are answered 501"
VALID = "every valid message is accepted"
INVALID = "every invalid message gets a 4xx naming its field"
DUPLICATES = "duplicates are acknowledged and not applied again"
RULES = "the rules hold (one account per contact, order independence, idempotency)"


def verify(url: str, *options: str, api_key: str = API_KEY) -> subprocess.CompletedProcess[str]:
    """The command run as a user runs it, the key passed the way CI would: in the environment."""
    return subprocess.run([*COMMAND, "verify", "--url", url, "--max-examples", EXAMPLES, *options],
                          capture_output=True, text=True, timeout=90, check=False,
                          env={**os.environ, "AKITA_API_KEY": api_key})


def marks(report: str) -> dict[str, str]:
    """Check name -> PASS, FAIL or SKIP, as the report's lines say."""
    return {match[2]: match[1]
            for match in re.finditer(r"^  (PASS|FAIL|SKIP)  (.+)$", report, re.MULTILINE)}


def details(report: str, check: str) -> str:
    """The explanation indented under a failed check's line."""
    lines = report.splitlines()
    after = lines[lines.index(f"  FAIL  {check}") + 1:]
    return "\n".join(takewhile(lambda line: line.startswith(" " * 8), after))


@pytest.fixture
def serve() -> Iterator[Callable[[Flask], str]]:
    """Serve a broken Akita on a free port for one test; yields a function returning its URL."""
    started: list[tuple[LiveServer, Flask]] = []

    def start(app: Flask) -> str:
        started.append((LiveServer(app).start(), app))
        return started[-1][0].url

    yield start
    for server, app in started:
        server.stop()
        if "akita" in app.extensions:
            simulator_of(app).close()


def test_every_check_passes_against_the_simulator(akita_workspace: AkitaWorkspace,
                                                  tmp_path: Path) -> None:
    listed = f"{akita_workspace.server_url}/_sim/workspaces"
    before = {ws["id"] for ws in requests.get(listed, timeout=10).json()["workspaces"]}

    result = verify(akita_workspace.server_url, "--seed", "7", "--junit-xml",
                    str(tmp_path / "verify.xml"), "--json", str(tmp_path / "verify.json"),
                    api_key=akita_workspace.api_key)

    assert result.returncode == 0, result.stdout + result.stderr
    assert set(marks(result.stdout).values()) == {"PASS"}
    assert RULES in marks(result.stdout)  # the control API was found and used
    assert "(seed 7, 8 examples a check)" in result.stdout
    assert akita_workspace.api_key not in result.stdout
    suite = ElementTree.parse(tmp_path / "verify.xml").getroot()
    assert (suite.tag, suite.get("tests"), suite.get("failures")) == ("testsuite", "7", "0")
    assert RULES in [case.get("name") for case in suite.iter("testcase")]
    report = json.loads((tmp_path / "verify.json").read_text())
    assert report["ok"] is True and report["seed"] == 7 and len(report["checks"]) == 7
    after = {ws["id"] for ws in requests.get(listed, timeout=10).json()["workspaces"]}
    assert after == before  # the rule checks' workspaces are deleted at the end


def test_busy_answers_are_retried_as_segment_retries_them(akita_workspace: AkitaWorkspace) -> None:
    faults = f"{akita_workspace.server_url}/_sim/workspaces/{akita_workspace.id}/faults"
    busy = [503, 429, 503]  # the first answers with this key; one more would fail a request
    requests.put(faults, json={"sequence": busy, "retry_after": 0}, timeout=10).raise_for_status()
    result = verify(akita_workspace.server_url, "--seed", "7", api_key=akita_workspace.api_key)
    assert result.returncode == 0, result.stdout
    counts = requests.get(faults, timeout=10).json()["counts"]
    assert (counts["503"], counts["429"]) == (2, 1)


def test_an_endpoint_that_accepts_everything_fails_with_what_it_answered(
        serve: Callable[[Flask], str], tmp_path: Path) -> None:
    url = serve(accepts_everything())
    result = verify(url, "--seed", "11", "--junit-xml", str(tmp_path / "v.xml"))
    assert result.returncode == 1
    failed = {case.get("name") for case in ElementTree.parse(tmp_path / "v.xml").iter("testcase")
              if case.find("failure") is not None}
    assert failed == {AUTH, UNSUPPORTED, INVALID, DUPLICATES}
    found = marks(result.stdout)
    assert found == {f"the server answers at {url}/akita/v1/segment": "PASS", AUTH: "FAIL",
                     UNSUPPORTED: "FAIL", VALID: "PASS", INVALID: "FAIL", DUPLICATES: "FAIL",
                     RULES: "SKIP"}
    assert "a request with no credentials answered 200" in details(result.stdout, AUTH)
    duplicates = details(result.stdout, DUPLICATES)
    assert "answered {'accepted': 1, 'duplicates': 0}, not {'accepted': 0, 'duplicates': 1}" \
        in duplicates  # shrunk to a batch of one
    assert 'request body: {"batch": [{"type": ' in duplicates  # pasteable into curl
    assert "4 failed" in result.stdout
    assert f"--max-examples {EXAMPLES} --seed 11" in result.stdout


def test_a_server_error_for_invalid_input_fails_only_the_rejection_check(
        serve: Callable[[Flask], str]) -> None:
    result = verify(serve(fails_on_invalid_input()), "--seed", "3")
    assert result.returncode == 1
    assert [name for name, mark in marks(result.stdout).items() if mark != "PASS"] == [INVALID]
    assert "answered 500 Internal Server Error, not a 4xx" in result.stdout


def test_an_akita_that_never_deduplicates_fails_the_duplicates_and_rules_checks(
        serve: Callable[[Flask], str]) -> None:
    result = verify(serve(never_deduplicates()), "--seed", "3")
    assert result.returncode == 1
    failed = {name for name, mark in marks(result.stdout).items() if mark == "FAIL"}
    assert failed == {DUPLICATES, RULES}
    assert "re-sending the same messages changed the state" in details(result.stdout, RULES)


def test_the_same_seed_repeats_the_same_run(serve: Callable[[Flask], str]) -> None:
    url = serve(accepts_everything())
    runs = [verify(url, "--seed", "5").stdout for _ in range(2)]
    fresh_ids = re.compile(r"verify-[0-9a-f]{32}")  # unique per run by design
    assert fresh_ids.sub("ID", runs[0]) == fresh_ids.sub("ID", runs[1])


def test_an_unreachable_server_is_one_clear_failure() -> None:
    server = LiveServer(accepts_everything()).start()
    url = server.url
    server.stop()  # the port is free again: nothing answers there
    result = verify(url)
    assert result.returncode == 1
    assert marks(result.stdout) == {f"the server answers at {url}/akita/v1/segment": "FAIL"}
    assert "no answer from the server" in result.stdout


@pytest.mark.parametrize("arguments, complaint", [
    (["--url", "localhost:8400", "--api-key", "k"], "must be http(s)://host"),
    (["--url", "http://127.0.0.1:1", "--api-key", "k", "--max-examples", "0"],
     "must be at least 1"),
    (["--url", "http://127.0.0.1:1"], "needs --api-key or AKITA_API_KEY"),
])
def test_usage_errors_exit_2_before_sending_anything(
        arguments: list[str], complaint: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("AKITA_API_KEY", raising=False)
    with pytest.raises(SystemExit) as exit_status:
        main(["verify", *arguments])
    assert exit_status.value.code == 2
    assert complaint in capsys.readouterr().err


def test_the_ingest_url_instead_of_the_base_url_gets_one_line_with_the_fix(
        akita_workspace: AkitaWorkspace) -> None:
    result = verify(f"{akita_workspace.server_url}/akita/v1/segment",
                    api_key=akita_workspace.api_key)

    assert result.returncode == 1
    assert "answered 404: give --url the server's base URL" in result.stdout
    assert "1 of 1 checks held" not in result.stdout and len(marks(result.stdout)) == 1


def test_a_key_the_server_refuses_gets_one_line_with_the_fix(
        akita_workspace: AkitaWorkspace) -> None:
    result = verify(akita_workspace.server_url, api_key="nobody-has-this-key")

    assert result.returncode == 1
    assert "answered 401 to the API key given" in result.stdout
    assert len(marks(result.stdout)) == 1


DIRECT = ("auth is enforced: 401 without a valid key", "screen and alias calls are answered 501",
          "every valid call the mapping takes is answered 2xx",
          "every broken call gets a 4xx naming its field",
          "a call sent twice is acknowledged twice")
REST = "the REST API upserts by internal_id, requires its fields and queues interactions"


def test_the_partner_wire_and_the_rest_api_pass_against_the_simulator(
        akita_workspace: AkitaWorkspace) -> None:
    result = verify(akita_workspace.server_url, "--wire", "direct", "--rest", "--seed", "5",
                    api_key=akita_workspace.api_key)

    assert result.returncode == 0, result.stdout
    assert {name: marks(result.stdout)[name] for name in (*DIRECT, REST, RULES)} == dict.fromkeys(
        (*DIRECT, REST, RULES), "PASS")


def test_an_endpoint_that_answers_200_to_everything_fails_the_partner_and_rest_checks(
        serve: Callable[[Flask], str]) -> None:
    result = verify(serve(accepts_everything()), "--wire", "direct", "--rest", "--seed", "5")

    found = marks(result.stdout)
    assert result.returncode == 1
    assert [name for name in (*DIRECT, REST) if found[name] == "FAIL"] == [
        DIRECT[0], DIRECT[1], DIRECT[3], DIRECT[4], REST]
    assert "not 501" in details(result.stdout, DIRECT[1])
