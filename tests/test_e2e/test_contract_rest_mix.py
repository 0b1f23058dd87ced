"""A CRM sync writing through Akita's REST API and Segment calls through the destination meet
in one workspace, and the rules hold whatever the mix: no contact is ever in two accounts, and
the state is a function of the set of accepted messages (REST writes included, stamped when
received): the same messages, shuffled and re-batched into a fresh workspace, give it again.
"""

from __future__ import annotations

import random
from typing import Any

import requests
from contract_support import deliver, new_workspace, note_calls, over_http
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.generators.strategies import Journey, journeys
from contract.mapping import stringify_id
from simulator.web.live_server import LiveServer

_TIMEOUT = 10


def rest(workspace: Any, path: str, body: dict[str, Any]) -> None:
    """One REST write with the workspace's key as Bearer."""
    answer = requests.post(f"{workspace.server_url}/akita/v1/{path}", json=body, timeout=_TIMEOUT,
                           headers={"Authorization": f"Bearer {workspace.api_key}"})
    answer.raise_for_status()


def one_account_each(state: dict[str, Any]) -> None:
    """No contact in two accounts, and each contact's account lists it."""
    home: dict[str, str] = {}
    for account in state["accounts"]:
        for person in account["contacts"]:
            assert person not in home, f"{person} is in {home[person]} and {account}"
            home[person] = account["organization_id"]
    for contact in state["contacts"]:
        assert home.get(contact["person_id"]) == contact["organization_id"]


@settings(over_http, max_examples=8)
@given(journey=journeys(min_users=1, min_accounts=1), data=st.data())
def test_rest_and_segment_writes_keep_the_rules_in_any_mix(
        akita_server: LiveServer, journey: Journey, data: st.DataObject) -> None:
    note_calls(journey.calls)
    people = sorted({stringify_id(call.get("userId")) for call in journey.calls} - {None})
    accounts = sorted({"crm-1", "crm-2", *(stringify_id(call.get("groupId"))
                                          for call in journey.calls
                                          if call.get("type") == "group")} - {None})
    writes = data.draw(st.lists(st.one_of(
        st.tuples(st.just("contacts"), st.sampled_from(people), st.sampled_from(accounts)),
        st.tuples(st.just("accounts"), st.sampled_from(accounts), st.text(max_size=8))),
        max_size=6), label="REST writes")
    cut = data.draw(st.integers(0, len(journey.calls)), label="where REST writes fall")

    workspace = new_workspace(akita_server)
    deliver(workspace, journey.calls[:cut])
    for path, internal_id, other in writes:
        rest(workspace, path, {"internal_id": internal_id, "internal_account_id": other}
             if path == "contacts" else {"internal_id": internal_id, "name": other})
    deliver(workspace, journey.calls[cut:])
    state = workspace.state()
    one_account_each(state)

    messages = [entry["akita_message"] for entry in
                workspace.journal(status="accepted", limit=1000)]
    random.Random(data.draw(st.integers(0, 2**16), label="shuffle")).shuffle(messages)
    replayed = new_workspace(akita_server)
    for start in range(0, len(messages), 7):
        answer = requests.post(replayed.url, json={"batch": messages[start:start + 7]},
                               auth=(replayed.api_key, ""), timeout=_TIMEOUT)
        answer.raise_for_status()
    assert replayed.state() == state
