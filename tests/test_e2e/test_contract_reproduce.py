"""Failures reproduce: a failing journey shrinks to a few Segment calls, printed as JSON Lines
that `akita-map` takes as they are and that fail again when delivered; and the profile CI runs
is derandomized and prints the blob that replays the failure.

The deliberate mistake is a model whose session timeout is 31 minutes instead of 30: wrong only
at the edge, which journeys draw on purpose, so the shrinker must find and isolate it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from contract_support import NO_EXPLAIN, PASTE_HEADER, check_delivery, note_calls
from hypothesis import given, settings
from reference_model import expected_view

from contract.generators.strategies import Journey, journeys
from simulator.web.live_server import LiveServer

AKITA_MAP = Path(sys.executable).with_name("akita-map")
COMMAND = [str(AKITA_MAP)] if AKITA_MAP.exists() else [sys.executable, "-m", "destination.cli"]
CI_SCRIPT = Path(__file__).parents[2] / ".ci" / "run"
off_by_a_minute = partial(expected_view, timeout=timedelta(minutes=31))


def pasted_calls(notes: list[str]) -> list[str]:
    """The JSON Lines of the note that `note_calls` attached to the failure."""
    (noted,) = [note for note in notes if note.startswith(PASTE_HEADER)]
    return noted.splitlines()[1:]


@pytest.fixture(scope="module")
def failure(akita_server: LiveServer) -> AssertionError:
    """What a user reads under a failing property: the error and Hypothesis's notes on the
    shrunk case."""
    @settings(max_examples=200, derandomize=True, database=None, print_blob=True,
              phases=NO_EXPLAIN)
    @given(journey=journeys(min_users=1, min_accounts=1))
    def journeys_match_a_wrong_model(journey: Journey) -> None:
        note_calls(journey.calls)
        check_delivery(akita_server, journey.calls, model=off_by_a_minute)

    with pytest.raises(AssertionError) as raised:
        journeys_match_a_wrong_model()
    return raised.value


def test_a_failure_says_where_akita_and_the_model_part(failure: AssertionError) -> None:
    assert str(failure).startswith("Akita and the model disagree:\nsessions[")
    assert any("@reproduce_failure" in note for note in failure.__notes__)


def test_a_failure_shrinks_to_calls_akita_map_takes_as_printed(failure: AssertionError) -> None:
    lines = pasted_calls(failure.__notes__)
    # From up to 40 calls to a handful; the smallest is a founder's identify and group call and
    # two visits 30 minutes apart (the shrinker does not always drop every bystander).
    assert len(lines) <= 8, lines
    mapped = subprocess.run([*COMMAND, "--format", "json"], input="\n".join(lines),
                            capture_output=True, text=True, timeout=60, check=False)
    assert mapped.returncode == 0, mapped.stderr
    statuses = [json.loads(line)["status"] for line in mapped.stdout.splitlines()]
    assert statuses == ["mapped"] * len(lines)


def test_the_printed_calls_fail_again_and_only_against_the_wrong_model(
        akita_server: LiveServer, failure: AssertionError) -> None:
    calls: list[dict[str, Any]] = [json.loads(line) for line in pasted_calls(failure.__notes__)]
    with pytest.raises(AssertionError):
        check_delivery(akita_server, calls, model=off_by_a_minute)
    check_delivery(akita_server, calls)


def test_ci_runs_a_derandomized_profile_that_prints_the_reproduction_blob() -> None:
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.print_blob
    assert ci.max_examples > settings.get_profile("dev").max_examples
    assert "HYPOTHESIS_PROFILE=ci" in CI_SCRIPT.read_text()
