"""Generated customer journeys, sent as Segment calls through the real destination into the
live simulator, end where the reference model says Akita must end.

This is the contract suite's main property, on both wires (batches of Akita messages, and raw
calls that Akita maps itself, as Segment delivers to partners): mapping (destination.prepare),
delivery (the client's batching and Akita's acknowledgements) and the rules (accounts,
latest-wins traits, stitching, sessions, de-duplication) checked together over HTTP, against a
model that shares no code with the simulator.
"""

from __future__ import annotations

from contract_support import check_delivery, note_calls, over_http
from hypothesis import given, settings

from contract.generators.strategies import Journey, journeys
from simulator.web.live_server import LiveServer


@over_http
@given(journey=journeys(min_users=1, min_accounts=1))
def test_a_journey_ends_in_the_state_the_model_predicts(akita_server: LiveServer,
                                                        journey: Journey) -> None:
    note_calls(journey.calls)
    snapshot = check_delivery(akita_server, journey.calls)
    # The journey's own account of who stays pending agrees with Akita's, reasons given.
    assert {p["person_id"] for p in snapshot["pending"]} == set(journey.pending_users)
    assert all(p["reason"] for p in snapshot["pending"])


# One request a call makes the partner wire the slower one: fewer journeys, the same property.
@settings(over_http, max_examples=min(settings.default.max_examples, 15))
@given(journey=journeys(min_users=1, min_accounts=1))
def test_a_journey_on_the_partner_wire_ends_where_the_model_predicts(
        akita_server: LiveServer, journey: Journey) -> None:
    note_calls(journey.calls)
    check_delivery(akita_server, journey.calls, wire="direct")


@over_http
@given(journey=journeys(min_users=1, min_accounts=1, shuffled=True))
def test_a_shuffled_journey_ends_in_the_same_state(akita_server: LiveServer,
                                                   journey: Journey) -> None:
    note_calls(journey.calls)
    check_delivery(akita_server, journey.calls)
