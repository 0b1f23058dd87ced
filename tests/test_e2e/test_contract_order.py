"""Order independence end to end: Segment does not guarantee delivery order and delivers in
parallel, so the same journey, shuffled and sent by several clients at once in small batches,
must leave Akita in exactly the state an orderly delivery does (DESIGN.md, "Order does not
matter"). The whole snapshot is compared, sessions, trait sources and counts included."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from contract_support import deliver, new_workspace, note_calls, over_http
from hypothesis import given
from hypothesis import strategies as st

from contract.generators.strategies import Journey, journeys
from destination import DeliveryReport
from simulator.pytest_plugin import AkitaWorkspace
from simulator.web.live_server import LiveServer


def _deliver_in_parallel(workspace: AkitaWorkspace, parts: list[list[dict[str, Any]]],
                         batch_size: int) -> list[DeliveryReport]:
    """Each part through its own AkitaClient, all at once, as Segment's workers would."""
    with ThreadPoolExecutor(len(parts)) as pool:
        return list(pool.map(lambda part: deliver(workspace, part, batch_size=batch_size),
                             parts))


@over_http
@given(journey=journeys(min_users=1, min_accounts=1), data=st.data())
def test_shuffled_parallel_batches_leave_the_same_snapshot(akita_server: LiveServer,
                                                           journey: Journey,
                                                           data: st.DataObject) -> None:
    note_calls(journey.calls)
    shuffled = data.draw(st.permutations(journey.calls), label="arrival order")
    senders = data.draw(st.integers(2, 4), label="senders")
    batch_size = data.draw(st.integers(1, 5), label="batch size")

    in_order = new_workspace(akita_server)
    deliver(in_order, journey.calls)
    parallel = new_workspace(akita_server)
    reports = _deliver_in_parallel(parallel, [shuffled[i::senders] for i in range(senders)],
                                   batch_size)

    statuses = {record.status for report in reports for record in report.records}
    assert statuses <= {"delivered", "duplicate"}
    assert parallel.state() == in_order.state()
