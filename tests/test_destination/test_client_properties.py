"""Properties of delivery over generated input: whatever the calls, every valid one arrives
exactly once and every invalid one is reported with the field at fault and never sent."""

from __future__ import annotations

import random

import responses
from hypothesis import given
from hypothesis import strategies as st

from contract.generators import strategies as contract_strategies
from destination.client import AkitaClient
from destination.inputs import unbatch
from destination.prepare import prepare
from destination.retry import RetryPolicy

from .fake_akita import API_KEY, BASE_URL, FakeAkita, dropped, ok, status, timeout

FAULTS = st.sampled_from([ok(), status(500), status(503, headers={"Retry-After": "1"}),
                          status(429), timeout(), timeout(applied=True), dropped()])


@given(valid=st.lists(contract_strategies.segment_calls(types=("identify", "group", "track",
                                                                "page")),
                      max_size=12, unique_by=lambda call: call["messageId"]),
       invalid=st.lists(contract_strategies.invalid_segment_calls(), max_size=4),
       faults=st.lists(FAULTS, max_size=5), order=st.randoms(use_true_random=False))
def test_faults_never_lose_or_double_a_message_and_invalid_calls_never_leave(
        valid: list[dict], invalid: list[tuple[dict, str]], faults: list, order: random.Random
        ) -> None:
    calls = valid + [call for call, _ in invalid]
    order.shuffle(calls)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        akita = FakeAkita(script=list(faults)).install(mock)
        policy = RetryPolicy(max_attempts=len(faults) + 1, sleep=lambda _: None)
        with AkitaClient(BASE_URL, API_KEY, retry=policy, flush_interval=None,
                         max_batch_messages=5) as client:
            report = client.deliver(calls)
    records = {id(r.call): r for r in report.records}
    for call, path in invalid:
        record = records[id(call)]
        assert record.status == "invalid" and path in [p.path for p in record.problems]
    expected = {r.message_id for r in report.records if r.message is not None}
    assert set(akita.applied) == expected
    assert all(count == 1 for count in akita.answered_ok.values())
    assert set(akita.sent) == expected  # nothing invalid or skipped went out
    assert all(r.status in ("delivered", "duplicate") for r in report.records if r.message), [
        (r.status, r.reason) for r in report.records]


@given(contract_strategies.segment_batches())
def test_every_call_of_a_segment_batch_body_is_prepared_with_the_envelope_merged(
        body: dict) -> None:
    calls = unbatch(body)
    assert len(calls) == len(body["batch"])
    for call in calls:
        assert set(body.get("context", {})) <= set(call.get("context", {}))
        assert set(body.get("integrations", {})) <= set(call.get("integrations", {}))
        assert prepare(call).status in ("mapped", "skipped")
