"""The provider checks: what any Akita-compatible server must do with what Segment sends it.

Plain checks are functions of a `Target`; generated ones return a Hypothesis test (given, not
yet run) that `contract.provider` runs with the run's seed and example count. Each generated
check notes the exact request body it sent, as JSON, so a failure in the report can be replayed
with curl. The rules check needs the simulator's control API, for fresh workspaces and state.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import given, note
from hypothesis import strategies as st

from contract.generators import strategies
from contract.provider.http import (
    Target,
    accepted,
    error_body,
    expect,
    fresh_ids,
    show,
)

Messages = list[dict[str, Any]]
UNSUPPORTED_TYPES = ("screen", "alias", "identify", "survey")


def _sent(messages: Messages) -> Messages:
    note(f"request body: {json.dumps({'batch': messages}, ensure_ascii=False)}")
    return messages


def check_auth(target: Target) -> None:
    """No key and a wrong key get 401 with a message; the right key gets in."""
    for label, auth in (("no credentials", None), ("an unknown key", (uuid.uuid4().hex, ""))):
        what = f"a request with {label}"
        answer = target.post({"batch": []}, auth)
        expect(answer.status_code == 401, f"{what} answered {show(answer)}, not 401")
        error_body(answer, what)
    body = accepted(target.send([]), "an empty batch with the right key")
    expect(body["accepted"] == 0, f"an empty batch reported {body['accepted']} accepted")


def check_unsupported_types(target: Target) -> None:
    """Segment types Akita does not take (and made-up ones) are answered 501 with a message."""
    for kind in UNSUPPORTED_TYPES:
        message = {"type": kind, "message_id": f"verify-{uuid.uuid4().hex}",
                   "timestamp": "2026-11-29T12:00:00.000Z", "person_id": "verify-person"}
        what = f"a {kind!r} message"
        answer = target.send([message])
        expect(answer.status_code == 501, f"{what} answered {show(answer)}, not 501")
        error_body(answer, what)


def batches() -> st.SearchStrategy[Messages]:
    """Small batches of valid Akita messages of every type."""
    return st.lists(strategies.akita_messages(), min_size=1, max_size=6)


def check_valid_accepted(target: Target) -> Callable[..., None]:
    """Every valid generated batch is accepted whole."""
    def check(messages: Messages) -> None:
        messages = _sent(fresh_ids(messages))
        body = accepted(target.send(messages), f"a valid batch of {len(messages)}")
        expect(body == {"accepted": len(messages), "duplicates": 0},
               f"a valid batch of {len(messages)} new messages answered {body}")
    return given(batches())(check)


def check_invalid_rejected(target: Target) -> Callable[..., None]:
    """Every invalid message is refused with a 4xx (501 for an unknown type) naming its field."""
    def check(case: tuple[dict[str, Any], str]) -> None:
        message, path = case
        expected_path = "$.batch[0]" + path[1:]
        what = f"a message with a bad {path}"
        answer = target.send(_sent([message]))
        unsupported = path == "$.type" and answer.status_code == 501
        expect(400 <= answer.status_code < 500 or unsupported,
               f"{what} answered {show(answer)}, not a 4xx")
        body = error_body(answer, what)
        named = {item.get("path") for item in body.get("errors", []) if isinstance(item, dict)}
        expect(expected_path in named or expected_path in body["message"],
               f"the answer to {what} does not name {expected_path}: {show(answer)}")
    return given(strategies.invalid_akita_messages())(check)


def check_duplicates(target: Target) -> Callable[..., None]:
    """A batch sent twice is acknowledged twice and counted as duplicates the second time."""
    def check(messages: Messages) -> None:
        messages = _sent(fresh_ids(messages))
        accepted(target.send(messages), "the first delivery")
        again = accepted(target.send(messages), "the same batch re-sent")
        expect(again == {"accepted": 0, "duplicates": len(messages)},
               f"re-sending a batch of {len(messages)} answered {again}, "
               f"not {{'accepted': 0, 'duplicates': {len(messages)}}}")
    return given(batches())(check)


@st.composite
def entangled_batches(draw: st.DrawFn) -> Messages:
    """Valid messages whose people, visitors and accounts come from small pools, so that
    placements, moves, stitching and sessions actually meet each other."""
    messages = draw(st.lists(strategies.akita_messages(), min_size=2, max_size=20))
    pools = {"person_id": ("p1", "p2", "p3"), "anonymous_id": ("a1", "a2"),
             "organization_id": ("o1", "o2")}
    for message in messages:
        for key, pool in pools.items():
            if key in message:
                message[key] = draw(st.sampled_from(pool))
    return fresh_ids(messages)


def rule_violations(state: dict[str, Any], messages: Messages) -> Iterator[str]:
    """What a snapshot may never show, whatever the messages were: a contact in two accounts,
    a contact neither placed nor pending with a reason, a session holding anything but the
    events and pages sent, more or fewer messages applied than distinct ids sent."""
    home: dict[str, str] = {}
    for account in state.get("accounts", []):
        for person in account.get("contacts", []):
            if person in home:
                yield (f"contact {person!r} is in two accounts: {home[person]!r} and "
                       f"{account.get('organization_id')!r}")
            home[person] = account.get("organization_id")
    for contact in state.get("contacts", []):
        if contact.get("organization_id") is None and not contact.get("pending_reason"):
            yield (f"contact {contact.get('person_id')!r} is neither placed nor pending with "
                   "a reason")
    in_sessions = sorted(item.get("message_id") for session in state.get("sessions", [])
                         for item in session.get("items", []))
    activity = sorted(m["message_id"] for m in messages if m["type"] in ("event", "page"))
    if in_sessions != activity:
        yield (f"sessions hold {len(in_sessions)} items, but {len(activity)} events and pages "
               "were sent")
    applied = state.get("counts", {}).get("messages")
    if applied != len({m["message_id"] for m in messages}):
        yield f"{applied} messages applied, but {len(messages)} distinct ones were sent"


def check_rules(target: Target) -> Callable[..., None]:
    """In fresh workspaces: the rules hold, re-sending changes nothing, and order and batching
    do not matter."""
    def check(messages: Messages, shuffler: random.Random) -> None:
        _sent(messages)
        first = target.fresh_workspace()
        accepted(first.send(messages), "the batch")
        state = first.state()
        problems = list(rule_violations(state, messages))
        expect(not problems, "; ".join(problems))
        accepted(first.send(messages), "the batch re-sent")
        expect(first.state() == state, "re-sending the same messages changed the state")
        shuffled = shuffler.sample(messages, len(messages))
        cut = shuffler.randint(0, len(shuffled))
        second = target.fresh_workspace()
        for part in (shuffled[cut:], shuffled[:cut]):
            if part:
                accepted(second.send(part), "a shuffled part of the batch")
        expect(second.state() == state,
               "the same messages in another order and batching gave another state")
    return given(entangled_batches(), st.randoms(use_true_random=False))(check)
