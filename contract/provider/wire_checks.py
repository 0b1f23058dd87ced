"""The provider checks on Segment's partner wire, and on Akita's REST API.

On the partner wire Segment POSTs each call as it is, and Akita maps it; so these checks send
Segment calls rather than Akita messages, one a request, with the partner headers, and hold the
server to what the partner-destination docs and the contract say: 401 for a bad key, 501 for
a type Akita does not take, 2xx for every call the mapping takes, a 4xx naming the field for
every broken call, and a repeat acknowledged again. The REST checks hold Akita's REST API to its
documented behaviour: an upsert keeps its id, required fields are required, interactions 202.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import assume, given, note
from hypothesis import strategies as st

from contract.generators import strategies
from contract.generators.journeys import Journey
from contract.mapping import Skip, map_call
from contract.provider.checks import rule_violations
from contract.provider.http import INGEST_PATH, Target, error_body, expect, json_body, show

PARTNER_HEADERS = {"User-Agent": "Segment.io/1.0", "Accept": "application/json",
                   "X-Segment-Settings": base64.b64encode(b"{}").decode()}
MAPPED_TYPES = ("identify", "group", "track", "page")


def _noted(call: Any) -> Any:
    """The call, noted as the request body for the report of a generated check."""
    note(f"request body: {json.dumps(call, ensure_ascii=False)}")
    return call


def send_call(target: Target, call: Any, *, key: str | None = "") -> Any:
    """POST one raw call as Segment's partner delivery does: with the target's key, another
    `key`, or (None) no credentials at all."""
    auth = None if key is None else (key or target.api_key, "")
    return target.connection.request("POST", target.url + INGEST_PATH, json=call,
                                     headers=PARTNER_HEADERS, auth=auth)


def _fresh(call: dict[str, Any]) -> dict[str, Any]:
    return {**call, "messageId": f"verify-{uuid.uuid4().hex}"}


def _call(kind: str) -> dict[str, Any]:
    return {"type": kind, "userId": "verify-person", "messageId": f"verify-{uuid.uuid4().hex}",
            "timestamp": "2026-11-29T12:00:00.000Z", "name": "Home"}


def check_direct_auth(target: Target) -> None:
    """No key and a wrong key get 401 with a message; the right key gets a call in."""
    for label, key in (("no credentials", None), ("an unknown key", uuid.uuid4().hex)):
        what = f"a call with {label}"
        answer = send_call(target, _call("page"), key=key)
        expect(answer.status_code == 401, f"{what} answered {show(answer)}, not 401")
        error_body(answer, what)
    answer = send_call(target, _call("page"))
    expect(200 <= answer.status_code < 300, f"a page call with the right key answered "
                                            f"{show(answer)}, not a 2xx")


def check_direct_unsupported(target: Target) -> None:
    """screen and alias calls, which Akita's catalog entry does not take, are answered 501."""
    for kind in ("screen", "alias"):
        call = {**_call(kind), "previousId": "verify-before"} if kind == "alias" else _call(kind)
        answer = send_call(target, call)
        expect(answer.status_code == 501, f"a {kind} call answered {show(answer)}, not 501")
        error_body(answer, f"a {kind} call")


def _mapped(call: dict[str, Any]) -> bool:
    return not isinstance(map_call(call), Skip)


def check_direct_valid(target: Target) -> Callable[..., None]:
    """Every valid call the mapping takes is answered 2xx."""
    def check(call: dict[str, Any]) -> None:
        assume(_mapped(call))
        answer = send_call(target, _noted(_fresh(call)))
        expect(200 <= answer.status_code < 300, f"a valid {call['type']} call answered "
                                                f"{show(answer)}, not a 2xx")
    return given(strategies.segment_calls(types=MAPPED_TYPES))(check)


def check_direct_invalid(target: Target) -> Callable[..., None]:
    """Every broken call is refused with a 4xx naming its field, as the sender sent it."""
    def check(case: tuple[dict[str, Any], str]) -> None:
        call, path = case
        answer = send_call(target, _noted(call))
        expect(400 <= answer.status_code < 500, f"a call with a bad {path} answered "
                                                f"{show(answer)}, not a 4xx")
        body = error_body(answer, f"a call with a bad {path}")
        named = {item.get("path") for item in body.get("errors", []) if isinstance(item, dict)}
        expect(path in named or path in body["message"],
               f"the answer to a call with a bad {path} does not name it: {show(answer)}")
    return given(strategies.invalid_segment_calls(types=MAPPED_TYPES))(check)


def check_direct_duplicates(target: Target) -> Callable[..., None]:
    """A call sent twice is acknowledged twice; an answer that counts says `duplicates: 1`."""
    def check(call: dict[str, Any]) -> None:
        assume(_mapped(call))
        call = _noted(_fresh(call))
        first, again = send_call(target, call), send_call(target, call)
        for label, answer in (("the first delivery", first), ("the same call re-sent", again)):
            expect(200 <= answer.status_code < 300, f"{label} answered {show(answer)}")
        body = json_body(again, "the same call re-sent")
        if isinstance(body, dict) and "duplicates" in body:
            expect(body.get("duplicates") == 1 and body.get("accepted") == 0,
                   f"re-sending a call answered {body}, not accepted 0, duplicates 1")
    return given(strategies.segment_calls(types=MAPPED_TYPES))(check)


def check_direct_rules(target: Target) -> Callable[..., None]:
    """In fresh workspaces, journeys sent a call a request: the rules hold, re-sending changes
    nothing, and another order gives the same state."""
    def check(journey: Journey, shuffler: random.Random) -> None:
        calls = [_noted(call) for call in journey.calls]
        messages = [mapped.message for mapped in map(map_call, calls)
                    if not isinstance(mapped, Skip)]
        first = target.fresh_workspace()
        for call in calls:
            answer = send_call(first, call)
            expect(200 <= answer.status_code < 300, f"a journey's call answered {show(answer)}")
        state = first.state()
        problems = list(rule_violations(state, messages))
        expect(not problems, "; ".join(problems))
        for call in calls:
            send_call(first, call)
        expect(first.state() == state, "re-sending the same calls changed the state")
        second = target.fresh_workspace()
        for call in shuffler.sample(calls, len(calls)):
            send_call(second, call)
        expect(second.state() == state, "the same calls in another order gave another state")
    return given(strategies.journeys(min_users=1, min_accounts=1),
                 st.randoms(use_true_random=False))(check)


def _rest(target: Target, path: str, body: Any) -> Any:
    return target.connection.request("POST", f"{target.url}/akita/v1/{path}", json=body,
                                     headers={"Authorization": f"Bearer {target.api_key}"})


def check_rest(target: Target) -> None:
    """Akita's REST API: an upsert keeps its integer id and takes the new values; a contact
    needs `internal_account_id` (a 4xx naming it); an interaction is answered 202."""
    internal = f"verify-{uuid.uuid4().hex[:12]}"
    answers = [_rest(target, "accounts", {"internal_id": internal, "name": name})
               for name in ("First", "Second")]
    records = []
    for answer in answers:
        expect(answer.status_code == 200, f"an account upsert answered {show(answer)}, not 200")
        body = json_body(answer, "an account upsert")
        expect(isinstance(body, dict) and isinstance(body.get("data"), dict)
               and isinstance(body["data"].get("id"), int),
               f"an account upsert answered without data.id: {show(answer)}")
        records.append(body["data"])
    expect(records[0]["id"] == records[1]["id"], "upserting the same internal_id twice gave "
                                                 f"two ids: {records[0]['id']}, {records[1]['id']}")
    expect(records[1].get("name") == "Second", f"the upsert did not update the name: {records[1]}")
    refused = _rest(target, "contacts", {"internal_id": f"{internal}-c"})
    expect(400 <= refused.status_code < 500,
           f"a contact without internal_account_id answered {show(refused)}, not a 4xx")
    expect("internal_account_id" in refused.text,
           f"the refusal does not name internal_account_id: {show(refused)}")
    queued = _rest(target, "interactions", {
        "interaction_type_id": 1, "provider_interaction_id": internal,
        "submitted_by_email": "verify@example.com"})
    expect(queued.status_code == 202, f"an interaction answered {show(queued)}, not 202")
