"""`akita-map` through its entry point: input forms, JSON Lines when piped, text, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .fake_akita import tracks

AKITA_MAP = Path(sys.executable).with_name("akita-map")
COMMAND = [str(AKITA_MAP)] if AKITA_MAP.exists() else [sys.executable, "-m", "destination.cli"]
T = "2026-11-29T22:37:16.180Z"
IDENTIFY = {"type": "identify", "userId": "u1", "traits": {"name": "[bold]Ada[/]", "groupId": 7},
            "timestamp": T, "messageId": "i-1"}
SCREEN = {"type": "screen", "userId": "u1", "timestamp": T, "messageId": "s-1"}
INVALID = {"type": "track", "userId": "u1", "timestamp": T}


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], input=stdin, capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})}, check=False)


def lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


@pytest.mark.parametrize("form", ["object", "array", "jsonl", "envelope"])
def test_every_input_form_prints_json_lines_when_piped(tmp_path: Path, form: str) -> None:
    calls = [IDENTIFY, SCREEN]
    text = {"object": json.dumps(IDENTIFY), "array": json.dumps(calls, indent=2),
            "jsonl": "\n".join(map(json.dumps, calls)),
            "envelope": json.dumps({"batch": calls, "context": {"groupId": "ctx"}})}[form]
    path = tmp_path / "calls.txt"
    path.write_text(text, encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 0, result.stderr
    records = lines(result.stdout)
    expected = [IDENTIFY] if form == "object" else calls
    assert [r["status"] for r in records] == ["mapped", "skipped"][: len(expected)]
    assert records[0]["message"]["person_id"] == "u1"
    assert records[0]["message"]["organization_id"] == "7"
    assert records[0]["source"].startswith(str(path))
    summary = json.loads(result.stderr.strip().splitlines()[-1])["summary"]
    assert summary["total"] == len(expected)


def test_stdin_is_read_with_dash_and_by_default() -> None:
    stdin = json.dumps({"batch": [IDENTIFY]})
    for args in ([], ["-"]):
        result = run(*args, stdin=stdin)
        assert result.returncode == 0
        assert lines(result.stdout)[0]["source"] == "<stdin>:1 batch[0]"


def test_an_invalid_call_exits_1_naming_its_field() -> None:
    result = run(stdin="\n".join(map(json.dumps, [IDENTIFY, INVALID])))
    assert result.returncode == 1
    invalid = lines(result.stdout)[1]
    assert invalid["source"] == "<stdin>:2" and invalid["status"] == "invalid"
    assert invalid["problems"] == [{"path": "$.event", "reason": "is required", "kind": "invalid"}]


def test_a_broken_json_document_exits_2_naming_the_line() -> None:
    result = run(stdin='{"type": "track",\n "userId": ,}')
    assert result.returncode == 2 and "<stdin>:2:12: not JSON" in result.stderr
    assert result.stdout == ""


def test_a_line_that_is_not_json_is_reported_and_the_rest_go_on() -> None:
    result = run(stdin="\n".join([json.dumps(IDENTIFY), "{oops}", json.dumps(SCREEN)]))
    assert result.returncode == 1
    records = lines(result.stdout)
    assert [(r["source"], r["status"]) for r in records] == [
        ("<stdin>:1", "mapped"), ("<stdin>:2", "invalid"), ("<stdin>:3", "skipped")]
    assert records[1]["problems"][0]["reason"].startswith("not a JSON line")


def test_a_missing_file_exits_2_naming_it(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.json"))
    assert result.returncode == 2 and "nope.json: cannot read" in result.stderr


@pytest.mark.parametrize("args", [["--send", "http://127.0.0.1:9"], ["--send", "ftp://x",
                                  "--api-key", "k"], ["--format", "yaml"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args, env={"AKITA_API_KEY": ""})
    assert result.returncode == 2 and "usage:" in result.stderr


def test_text_format_is_readable_and_prints_user_data_as_text() -> None:
    result = run("--format", "text", stdin="\n".join(map(json.dumps, [IDENTIFY, SCREEN, INVALID])))
    assert result.returncode == 1
    out = result.stdout
    assert "<stdin>:1  identify → contact  mapped  i-1" in out
    assert '"name": "[bold]Ada[/]"' in out  # markup in traits is shown, not obeyed
    assert "$.type: Akita does not support screen calls" in out
    assert "$.event: is required" in out
    assert "\x1b[" not in out  # not a terminal: no colour codes
    assert "total" in out and "invalid" in out


def test_a_terminal_gets_colour_and_a_large_input_a_progress_bar() -> None:
    stdin = "\n".join(json.dumps(call) for call in tracks(250))
    result = run("--format", "text", stdin=stdin, env={"FORCE_COLOR": "1", "COLUMNS": "100"})
    assert result.returncode == 0
    assert "\x1b[" in result.stdout
    assert "mapping" in result.stderr  # the bar, drawn on stderr


def test_send_needs_an_api_key_but_takes_it_from_the_environment() -> None:
    result = run("--send", "http://127.0.0.1:9", "--retry-for", "0", "--timeout", "1",
                 stdin=json.dumps(IDENTIFY), env={"AKITA_API_KEY": "from-env"})
    record = lines(result.stdout)[0]
    assert result.returncode == 1 and record["status"] == "failed"
    assert "from-env" not in result.stdout + result.stderr


@pytest.mark.parametrize("flags", [("--timeout", "0"), ("--timeout", "nan"),
                                   ("--retry-for", "-1"), ("--retry-for", "inf")])
def test_numeric_flags_out_of_range_are_usage_errors(flags: tuple[str, str]) -> None:
    result = run("--send", "http://127.0.0.1:9", "--api-key", "k", *flags,
                 stdin=json.dumps(IDENTIFY))
    assert result.returncode == 2
    assert flags[0] in result.stderr and "Traceback" not in result.stderr
