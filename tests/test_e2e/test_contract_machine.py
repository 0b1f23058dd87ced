"""A state machine of a Segment source talking to Akita: identify, group, track and page calls
through the destination, interleaved with re-sends, held-back calls delivered later in another
order, workspace resets and switches between two workspaces.

After every step both workspaces are read back and must obey the rules Akita is made of: no
contact in two accounts; every contact placed, or pending with a reason; sessions only from
events and pages; as many messages applied as distinct message ids delivered since the last
reset; and the whole state the reference model predicts from those messages. People, visitors
and accounts come from small pools and times from a two-hour window, mostly on quarter hours,
so that placements, moves, stitching, same-instant ties and the 30-minute session edge keep
meeting each other.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from contract_support import (
    NO_EXPLAIN,
    client_for,
    new_workspace,
    note_calls,
    read_state,
    reset,
)
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from reference_model import differences, expected_view, observed_view

from contract.timestamps import to_wire
from simulator.web.live_server import LiveServer

PEOPLE = ("ada", "grace")
VISITORS = ("anon-1", "anon-2")
ACCOUNTS = ("acme", "globex")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORKSPACES = 2
STEPS = 15  # every step is a few HTTP round trips: the machine must stay quick

Call = dict[str, Any]
# Quarter hours make ties and gaps of exactly 30 minutes common; any minute, the rest.
minutes = st.integers(0, 8).map(lambda quarter: 15 * quarter) | st.integers(0, 120)
people = st.sampled_from(PEOPLE)
accounts = st.sampled_from(ACCOUNTS)
actors = st.tuples(st.none() | people, st.none() | st.sampled_from(VISITORS)).filter(any)


class Delivered:
    """One workspace's side of the story since its last reset: the calls sent to it and the
    Akita messages the destination made of them, in arrival order, duplicates included."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: list[dict[str, Any]] = []

    def ids(self) -> set[str]:
        return {message["message_id"] for message in self.messages}


class AkitaMachine(RuleBasedStateMachine):
    """Segment calls to whichever workspace is current; the model follows every delivery."""

    calls = Bundle("calls")

    def __init__(self, server: LiveServer) -> None:
        super().__init__()
        self.http = requests.Session()
        self.workspaces = [new_workspace(server) for _ in range(WORKSPACES)]
        self.clients = [client_for(workspace, session=self.http) for workspace in self.workspaces]
        self.delivered = [Delivered() for _ in range(WORKSPACES)]
        self.changed = set(range(WORKSPACES))  # read back after the next step
        self.current = 0
        self.held: list[Call] = []
        self.made = 0

    def _call(self, kind: str, actor: tuple[str | None, str | None], minute: int,
              **fields: Any) -> Call:
        """A Segment call as a hand-rolled client writes it; message ids increase, so a tie on
        the timestamp is broken by the order the calls were made."""
        self.made += 1
        user_id, anonymous_id = actor
        call = {"type": kind, "messageId": f"call-{self.made:04d}",
                "timestamp": to_wire(START + timedelta(minutes=minute)), **fields}
        if user_id is not None:
            call["userId"] = user_id
        if anonymous_id is not None:
            call["anonymousId"] = anonymous_id
        return call

    def _send(self, calls: list[Call]) -> None:
        """Deliver calls as one batch to the current workspace and check Akita's answer: new
        message ids accepted, known ones acknowledged as duplicates."""
        known = self.delivered[self.current]
        before = known.ids()
        records = self.clients[self.current].deliver(calls).records
        assert {record.status for record in records} <= {"delivered", "duplicate"}, \
            [(record.status, record.reason) for record in records]
        fresh = {record.message_id for record in records} - before
        answer = records[0].response["body"]
        assert answer == {"accepted": len(fresh), "duplicates": len(calls) - len(fresh)}
        known.calls += calls
        known.messages += [record.message for record in records]
        self.changed.add(self.current)

    def _make(self, call: Call, hold: bool) -> Call:
        """Send the call now, or hold it back for `release_held` to deliver out of order."""
        if hold:
            self.held.append(call)
        else:
            self._send([call])
        return call

    @rule(target=calls, user=people, visitor=st.none() | st.sampled_from(VISITORS),
          minute=minutes, plan=st.sampled_from(("free", "pro")),
          placed_by=st.sampled_from((None, "trait", "context")), account=accounts,
          hold=st.booleans())
    def identify(self, user: str, visitor: str | None, minute: int, plan: str,
                 placed_by: str | None, account: str, hold: bool) -> Call:
        traits: dict[str, Any] = {"plan": plan}
        extra: dict[str, Any] = {}
        if placed_by == "trait":
            traits["groupId"] = account
        elif placed_by == "context":
            extra["context"] = {"groupId": account}
        return self._make(self._call("identify", (user, visitor), minute, traits=traits,
                                     **extra), hold)

    @rule(target=calls, actor=actors, minute=minutes, account=accounts,
          seats=st.integers(1, 3), hold=st.booleans())
    def group(self, actor: tuple[str | None, str | None], minute: int, account: str,
              seats: int, hold: bool) -> Call:
        return self._make(self._call("group", actor, minute, groupId=account,
                                     traits={"seats": seats}), hold)

    @rule(target=calls, actor=actors, minute=minutes,
          event=st.sampled_from(("Signed In", "Report Built")), hold=st.booleans())
    def track(self, actor: tuple[str | None, str | None], minute: int, event: str,
              hold: bool) -> Call:
        return self._make(self._call("track", actor, minute, event=event), hold)

    @rule(target=calls, actor=actors, minute=minutes,
          name=st.sampled_from(("Pricing", "Docs")), hold=st.booleans())
    def page(self, actor: tuple[str | None, str | None], minute: int, name: str,
             hold: bool) -> Call:
        return self._make(self._call("page", actor, minute, name=name), hold)

    @rule(call=calls)
    def resend(self, call: Call) -> None:
        """The same call again (Segment retries, at-least-once delivery): a duplicate unless
        this workspace has not seen it since its last reset."""
        self._send([call])

    @precondition(lambda self: self.held)
    @rule(order=st.randoms(use_true_random=False))
    def release_held(self, order: Any) -> None:
        """Calls held back arrive at last, together and in another order than made."""
        order.shuffle(self.held)
        self._send(self.held)
        self.held = []

    @rule()
    def reset_workspace(self) -> None:
        reset(self.workspaces[self.current])
        self.delivered[self.current] = Delivered()
        self.changed.add(self.current)

    @rule()
    def switch_workspace(self) -> None:
        self.current = (self.current + 1) % WORKSPACES

    @invariant()
    def every_workspace_obeys_the_rules(self) -> None:
        """Read back each workspace a step changed (the others were read when they last did)."""
        for index in sorted(self.changed):
            delivered = self.delivered[index]
            try:
                check_rules(read_state(self.workspaces[index], self.http), delivered)
            except AssertionError:
                note_calls(delivered.calls)
                raise
        self.changed.clear()

    def teardown(self) -> None:
        for client in self.clients:
            client.close()
        self.http.close()


def check_rules(snapshot: dict[str, Any], delivered: Delivered) -> None:
    """The rules of the issue, one assertion each, then the model's whole view."""
    homes = Counter(person for account in snapshot["accounts"] for person in account["contacts"])
    assert all(count == 1 for count in homes.values()), f"a contact in two accounts: {homes}"

    members = {account["organization_id"]: account["contacts"] for account in snapshot["accounts"]}
    pending = {entry["person_id"]: entry["reason"] for entry in snapshot["pending"]}
    for contact in snapshot["contacts"]:
        person, account = contact["person_id"], contact["organization_id"]
        if account is None:
            assert pending.get(person), f"{person} is neither placed nor pending with a reason"
        else:
            assert person in members[account], f"{person} is not among {account}'s contacts"
            assert person not in pending, f"{person} is placed in {account} and pending"

    items = [item for session in snapshot["sessions"] for item in session["items"]]
    assert {item["type"] for item in items} <= {"event", "page"}
    activity = {m["message_id"] for m in delivered.messages if m["type"] in ("event", "page")}
    assert sorted(item["message_id"] for item in items) == sorted(activity), \
        "sessions hold other messages than the events and pages delivered"

    assert snapshot["counts"]["messages"] == len(delivered.ids()), \
        "messages applied differ from the distinct message ids delivered since the last reset"

    assert not differences(observed_view(snapshot), expected_view(delivered.messages))


def test_any_interleaving_of_calls_resends_resets_and_switches_keeps_the_rules(
        akita_server: LiveServer) -> None:
    run_state_machine_as_test(lambda: AkitaMachine(akita_server),
                              settings=settings(stateful_step_count=STEPS, phases=NO_EXPLAIN))
