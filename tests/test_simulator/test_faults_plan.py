"""Fault plans without HTTP: what each plan draws, in which order, reproducibly, from any thread."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.service.faults import (
    ERROR_STATUSES,
    MAX_SEQUENCE,
    OUTCOMES,
    FaultPlan,
    Faults,
    InvalidFaultPlan,
    WorkspaceFaults,
)


def outcomes(faults: WorkspaceFaults, n: int) -> list[Any]:
    """The outcomes of the next `n` requests."""
    return [faults.draw().outcome for _ in range(n)]


def test_the_default_plan_injects_nothing_and_counts_requests() -> None:
    faults = WorkspaceFaults(FaultPlan())

    assert outcomes(faults, 5) == ["ok"] * 5
    assert faults.draw().latency == 0
    assert faults.describe()["counts"] == {"requests": 6, "ok": 6, "429": 0, "500": 0, "503": 0,
                                           "drop": 0, "lost_answer": 0}


def test_fail_next_then_the_sequence_come_first_then_the_rates() -> None:
    plan = FaultPlan.from_json({"fail_next": 2, "sequence": [429, "ok", "drop", "lost_answer"],
                                "error_rate": 1, "statuses": [500]})
    faults = WorkspaceFaults(plan)

    assert outcomes(faults, 8) == [503, 503, 429, "ok", "drop", "lost_answer", 500, 500]
    shown = faults.describe()
    assert shown["sequence"] == [] and shown["counts"]["503"] == 2
    assert shown["counts"]["500"] == 2 and shown["counts"]["requests"] == 8


def test_a_seed_replays_the_same_outcomes_and_one_is_chosen_and_shown_without() -> None:
    plan = {"error_rate": 0.3, "drop_rate": 0.2, "lost_answer_rate": 0.1}
    unseeded = WorkspaceFaults(FaultPlan.from_json(plan))
    seed = unseeded.describe()["seed"]
    first = outcomes(unseeded, 200)

    replay = WorkspaceFaults(FaultPlan.from_json({**plan, "seed": seed}))

    assert outcomes(replay, 200) == first
    assert len(set(first)) == 6  # every outcome the rates allow: ok, three statuses, two drops


def test_rates_are_honoured_over_many_draws() -> None:
    faults = WorkspaceFaults(FaultPlan(error_rate=0.2, drop_rate=0.1, lost_answer_rate=0.05,
                                       statuses=(503,), seed=7))

    counts = Counter(outcomes(faults, 10_000))

    # Drawn in turn: 10% dropped, 5% of the rest lose their answer, 20% of what is left fail.
    # A fixed seed keeps the counts stable; the bounds say what they mean.
    assert 850 < counts["drop"] < 1150
    assert 350 < counts["lost_answer"] < 550
    assert 1500 < counts[503] < 1900
    assert set(counts) == {"ok", 503, "drop", "lost_answer"}


def test_latency_and_retry_after_come_with_every_decision() -> None:
    decision = WorkspaceFaults(FaultPlan(latency_ms=250, retry_after=7)).draw()

    assert (decision.outcome, decision.latency, decision.retry_after) == ("ok", 0.25, 7)


def test_configuring_starts_over_with_counts_at_zero() -> None:
    faults = WorkspaceFaults(FaultPlan(sequence=(500, 500)))
    faults.draw()

    shown = faults.configure(FaultPlan(sequence=(503,)))

    assert shown["sequence"] == [503] and shown["counts"]["requests"] == 0
    assert outcomes(faults, 2) == [503, "ok"]


def test_the_registry_gives_each_workspace_its_own_plan_and_a_default() -> None:
    registry = Faults()
    registry.of("ws_a").configure(FaultPlan(sequence=(500,)))

    assert registry.of("ws_a").draw().outcome == 500
    assert registry.of("ws_b").draw().outcome == "ok"

    registry.set_default(FaultPlan(sequence=("drop",)))

    assert registry.of("ws_a").draw().outcome == "drop"  # everyone starts over on the default
    assert registry.of("ws_c").draw().outcome == "drop"


def test_concurrent_requests_use_each_outcome_of_the_sequence_exactly_once() -> None:
    sequence = tuple(OUTCOMES[i % len(OUTCOMES)] for i in range(600))
    faults = WorkspaceFaults(FaultPlan(sequence=sequence))
    drawn: list[Any] = []
    lock = threading.Lock()

    def draw_many() -> None:
        mine = outcomes(faults, 100)
        with lock:
            drawn.extend(mine)

    threads = [threading.Thread(target=draw_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(drawn) == Counter(sequence) + Counter({"ok": 200})
    assert faults.describe()["counts"]["requests"] == 800


@pytest.mark.parametrize("body, named", [
    ([], "JSON object"),
    ({"colour": "red"}, "unknown field colour"),
    ({"error_rate": 1.5}, "error_rate must be a number from 0 to 1"),
    ({"drop_rate": True}, "drop_rate must be a number"),
    ({"lost_answer_rate": "0.1"}, "lost_answer_rate must be a number"),
    ({"statuses": []}, "statuses must list"),
    ({"statuses": [404]}, "statuses must list"),
    ({"statuses": [500, 500]}, "distinct"),
    ({"statuses": [{"a": 1}]}, "statuses must list"),
    ({"statuses": "500"}, "statuses must be a list"),
    ({"latency_ms": -1}, "latency_ms must be a whole number from 0 to 30000"),
    ({"latency_ms": 1.5}, "latency_ms must be a whole number"),
    ({"retry_after": 3601}, "retry_after must be a whole number from 0 to 3600"),
    ({"sequence": [200]}, "sequence must hold"),
    ({"sequence": [True]}, "sequence must hold"),
    ({"sequence": ["503"]}, "sequence must hold"),
    ({"sequence": {"a": 1}}, "sequence must be a list"),
    ({"fail_next": -1}, "fail_next must be a whole number"),
    ({"fail_next": 10_001}, "fail_next must be a whole number"),
    ({"seed": "x"}, "seed must be a whole number or null"),
])
def test_an_invalid_plan_is_refused_naming_the_field(body: Any, named: str) -> None:
    with pytest.raises(InvalidFaultPlan, match=named) as raised:
        FaultPlan.from_json(body)

    assert raised.value.status == 400


rates = st.floats(0, 1, allow_nan=False)
plans = st.builds(
    FaultPlan, error_rate=rates, drop_rate=rates, lost_answer_rate=rates,
    statuses=st.lists(st.sampled_from(ERROR_STATUSES), min_size=1, unique=True).map(tuple),
    latency_ms=st.integers(0, 30_000), retry_after=st.integers(0, 3600),
    sequence=st.lists(st.sampled_from(OUTCOMES), max_size=5).map(tuple),
    seed=st.none() | st.integers(0, 2**64),
)


@given(plans)
def test_a_plan_survives_the_control_api_round_trip(plan: FaultPlan) -> None:
    assert FaultPlan.from_json(plan.to_json()) == plan


def test_whole_numbers_written_with_a_fraction_are_whole_numbers() -> None:
    plan = FaultPlan.from_json({"latency_ms": 250.0, "retry_after": 2.0, "fail_next": 1.0,
                                "seed": 3.0, "statuses": [500.0], "sequence": [429.0, "drop"]})

    assert plan == FaultPlan(latency_ms=250, retry_after=2, seed=3, statuses=(500,),
                             sequence=(503, 429, "drop"))


def test_fail_next_and_a_sequence_may_each_take_their_documented_maximum() -> None:
    plan = FaultPlan.from_json({"fail_next": MAX_SEQUENCE, "sequence": ["drop", "lost_answer"]})

    assert plan.sequence[:2] == (503, 503) and plan.sequence[-2:] == ("drop", "lost_answer")
    with pytest.raises(InvalidFaultPlan, match="sequence must hold at most"):
        FaultPlan.from_json({"sequence": ["ok"] * (MAX_SEQUENCE + 1)})
