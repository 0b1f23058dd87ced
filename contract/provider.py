"""The provider side of the contract: does an Akita at some base URL honour the wire format?

`verify()` drives any Akita-compatible server over HTTP with generated messages and reports, check
by check, what it found. It needs nothing of ours on the server: auth, acceptance of every valid
message, a 4xx naming the field for every invalid one, de-duplication and 501 for unsupported
types are checked everywhere. Where the server also exposes the simulator's control API
(`/_sim/...`), the rules are checked too, each in a fresh workspace so earlier data cannot mask a
failure.

Hypothesis runs each check outside pytest; the falsifying example it prints is kept in the report,
and the seed is printed so a failing run can be repeated exactly.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis.reporting import with_reporter

from contract import strategies
from contract.validation import validate_against

INGEST_PATH = "/akita/v1/segment"
# The simulator's control API: present on the simulator, absent on a real Akita.
CONTROL_PATH = "/_sim"


class ProviderError(AssertionError):
    """The server under test broke the contract; the message says how."""


@dataclass
class CheckResult:
    """One check: its name, whether it held, and what was seen when it did not."""

    name: str
    passed: bool
    detail: str = ""
    skipped: bool = False


@dataclass
class VerifyReport:
    """Every check run against one base URL, with the seed that reproduces the run."""

    url: str
    seed: int
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(result.passed or result.skipped for result in self.results)

    def render(self) -> str:
        """The report a user reads in CI: one line a check, details under the failures."""
        lines = [f"akita-contract verify {self.url} (seed {self.seed})", ""]
        for result in self.results:
            mark = "SKIP" if result.skipped else ("PASS" if result.passed else "FAIL")
            lines.append(f"  {mark}  {result.name}")
            if result.detail and (result.skipped or not result.passed):
                lines.extend(f"        {line}" for line in result.detail.splitlines())
        failed = sum(not (r.passed or r.skipped) for r in self.results)
        lines += ["", f"{len(self.results) - failed} of {len(self.results)} checks held"
                      + ("" if self.ok else f"; {failed} failed. Re-run with --seed {self.seed}")]
        return "\n".join(lines)


@dataclass
class Target:
    """The server under test, seen through one API key and one pooled session."""

    url: str
    api_key: str
    session: requests.Session
    timeout: float
    workspace_id: str | None = None

    def post(self, body: Any, auth: tuple[str, str] | None) -> requests.Response:
        """POST any body to ingest with the given Basic credentials (None sends none)."""
        return self.session.post(self.url + INGEST_PATH, json=body, auth=auth,
                                 timeout=self.timeout)

    def send(self, messages: list[dict[str, Any]]) -> requests.Response:
        """POST a batch with this target's own API key."""
        return self.post({"batch": messages}, (self.api_key, ""))

    def control(self, method: str, path: str) -> requests.Response:
        return self.session.request(method, self.url + CONTROL_PATH + path, timeout=self.timeout)

    def has_control_api(self) -> bool:
        try:
            answer = self.control("GET", "/health")
        except requests.RequestException:
            return False
        return answer.status_code == 200 and "json" in answer.headers.get("Content-Type", "")

    def fresh_workspace(self) -> Target:
        """A new, empty workspace on the simulator, as a Target of its own."""
        created = self.control("POST", "/workspaces")
        _expect(created.status_code in (200, 201), f"creating a workspace answered {_show(created)}")
        body = created.json()
        return Target(self.url, body["api_key"], self.session, self.timeout, body["id"])

    def state(self) -> dict[str, Any]:
        """The workspace's snapshot, without what names the workspace itself."""
        answer = self.control("GET", f"/workspaces/{self.workspace_id}/state")
        _expect(answer.status_code == 200, f"state answered {_show(answer)}")
        return {k: v for k, v in answer.json().items() if k not in ("workspace", "workspace_id")}


def _expect(condition: bool, explanation: str) -> None:
    if not condition:
        raise ProviderError(explanation)


def _show(answer: requests.Response) -> str:
    text = answer.text if len(answer.text) < 600 else answer.text[:600] + "..."
    return f"{answer.status_code} {text}"


def _error_body(answer: requests.Response) -> dict[str, Any]:
    """The JSON error body every error must carry, checked against the contract's schema."""
    try:
        body = answer.json()
    except ValueError:
        raise ProviderError(f"error answer is not JSON: {_show(answer)}") from None
    problems = validate_against("akita/error", body)
    _expect(not problems, f"error body breaks the contract ({'; '.join(map(str, problems))}): "
                          f"{_show(answer)}")
    return body


def _fresh_ids(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies with ids unique to this run, so a re-run never meets its own earlier messages."""
    run = uuid.uuid4().hex
    fresh = copy.deepcopy(messages)
    for index, message in enumerate(fresh):
        message["message_id"] = f"verify-{run}-{index}"
    return fresh


def _accepted(answer: requests.Response, what: str) -> dict[str, Any]:
    _expect(answer.status_code == 200, f"{what} answered {_show(answer)}")
    body = answer.json()
    problems = validate_against("akita/success", body)
    _expect(not problems, f"success body breaks the contract: {_show(answer)}")
    return body


def check_auth(target: Target) -> None:
    """No key and a wrong key get 401 with a message; the right key gets in."""
    for label, auth in (("no credentials", None), ("an unknown key", (uuid.uuid4().hex, ""))):
        answer = target.post({"batch": []}, auth)
        _expect(answer.status_code == 401, f"a request with {label} answered {_show(answer)}, not 401")
        _error_body(answer)
    body = _accepted(target.send([]), "an empty batch with the right key")
    _expect(body["accepted"] == 0, f"an empty batch reported {body['accepted']} accepted")


def check_unsupported_types(target: Target) -> None:
    """Segment types Akita does not take (and made-up ones) are answered 501 with a message."""
    for kind in ("screen", "alias", "identify", "survey"):
        message = {"type": kind, "message_id": f"verify-{uuid.uuid4().hex}",
                   "timestamp": "2026-11-29T12:00:00.000Z", "person_id": "verify-person"}
        answer = target.send([message])
        _expect(answer.status_code == 501, f"a {kind!r} message answered {_show(answer)}, not 501")
        _error_body(answer)


def _batches() -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(strategies.akita_messages(), min_size=1, max_size=6)


def check_valid_accepted(target: Target) -> Callable[[list[dict[str, Any]]], None]:
    """Every valid generated batch is accepted whole."""
    def check(messages: list[dict[str, Any]]) -> None:
        messages = _fresh_ids(messages)
        body = _accepted(target.send(messages), f"a valid batch {json.dumps(messages)[:300]}")
        _expect(body["accepted"] == len(messages) and body["duplicates"] == 0,
                f"{len(messages)} new messages answered {body}")
    return given(_batches())(check)


def check_invalid_rejected(target: Target) -> Callable[..., None]:
    """Every invalid message is refused with a 4xx (501 for an unknown type) naming its field."""
    def check(case: tuple[dict[str, Any], str]) -> None:
        message, path = case
        answer = target.send([message])
        expected_path = "$.batch[0]" + path[1:]
        allowed = answer.status_code == 501 if path == "$.type" else False
        _expect(400 <= answer.status_code < 500 or allowed,
                f"an invalid message (bad {path}) answered {_show(answer)}")
        body = _error_body(answer)
        named = {item.get("path") for item in body.get("errors", [])}
        _expect(expected_path in named or expected_path in body["message"],
                f"the answer to a message with a bad {path} does not name {expected_path}: "
                f"{_show(answer)}")
    return given(strategies.invalid_akita_messages())(check)


def check_duplicates(target: Target) -> Callable[[list[dict[str, Any]]], None]:
    """A batch sent twice is acknowledged twice and counted as duplicates the second time."""
    def check(messages: list[dict[str, Any]]) -> None:
        messages = _fresh_ids(messages)
        _accepted(target.send(messages), "the first delivery")
        again = _accepted(target.send(messages), "the same batch re-sent")
        _expect(again["accepted"] == 0 and again["duplicates"] == len(messages),
                f"re-sending {len(messages)} messages answered {again}")
    return given(_batches())(check)


@st.composite
def entangled_batches(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Valid messages whose people, visitors and accounts come from small pools, so that
    placements, moves, stitching and sessions actually meet each other."""
    messages = draw(st.lists(strategies.akita_messages(), min_size=2, max_size=20))
    people, visitors, accounts = ["p1", "p2", "p3"], ["a1", "a2"], ["o1", "o2"]
    for message in messages:
        for key, pool in (("person_id", people), ("anonymous_id", visitors),
                          ("organization_id", accounts)):
            if key in message:
                message[key] = draw(st.sampled_from(pool))
    return _fresh_ids(messages)


def _rule_violations(state: dict[str, Any], messages: list[dict[str, Any]]) -> Iterator[str]:
    """What a snapshot may never show, whatever the messages were."""
    seen: dict[str, str] = {}
    for account in state.get("accounts", []):
        for person in account.get("contacts", []):
            if person in seen:
                yield (f"contact {person!r} is in two accounts: {seen[person]!r} and "
                       f"{account['organization_id']!r}")
            seen[person] = account["organization_id"]
    active = {m.get("person_id") for m in messages if m["type"] in ("event", "page")}
    stitched = {m.get("person_id") for m in messages
                if m["type"] == "contact" and "anonymous_id" in m}
    for contact in state.get("contacts", []):
        person = contact["person_id"]
        if contact.get("organization_id") is None and not contact.get("pending_reason"):
            yield f"contact {person!r} is neither placed nor pending with a reason"
        if contact.get("sessions") and person not in active | stitched:
            yield f"contact {person!r} has sessions but no event or page of its own or stitched"


def check_rules(target: Target) -> Callable[[list[dict[str, Any]], random.Random], None]:
    """In fresh workspaces: no contact in two accounts, every contact placed or pending, sessions
    only from events and pages, re-sending changes nothing, and order does not matter."""
    def check(messages: list[dict[str, Any]], shuffler: random.Random) -> None:
        first = target.fresh_workspace()
        _accepted(first.send(messages), "the batch")
        state = first.state()
        problems = list(_rule_violations(state, messages))
        _expect(not problems, "; ".join(problems))
        _accepted(first.send(messages), "the batch re-sent")
        _expect(first.state() == state, "re-sending the same messages changed the state")
        shuffled = shuffler.sample(messages, len(messages))
        cut = shuffler.randint(0, len(shuffled))
        second = target.fresh_workspace()
        for part in (shuffled[cut:], shuffled[:cut]):
            if part:
                _accepted(second.send(part), "a shuffled part of the batch")
        _expect(second.state() == state,
                "the same messages in another order and batching gave another state")
    return given(entangled_batches(), st.randoms(use_true_random=False))(check)


def _run(name: str, test: Callable[[], None], *, examples: int | None, run_seed: int) -> CheckResult:
    """Run one check, generated or not, and keep what Hypothesis reported on failure."""
    lines: list[str] = []
    if examples is not None:
        test = settings(max_examples=examples, deadline=None, database=None,
                        suppress_health_check=[HealthCheck.too_slow])(test)
        test = seed(run_seed)(test)
    try:
        with with_reporter(lines.append):
            test()
    except ProviderError as failure:
        return CheckResult(name, False, "\n".join([str(failure), *lines]))
    except requests.RequestException as failure:
        return CheckResult(name, False, f"no answer from the server: {failure}")
    return CheckResult(name, True)


def verify(url: str, api_key: str, *, max_examples: int = 50, run_seed: int | None = None,
           session: requests.Session | None = None, timeout: float = 10.0) -> VerifyReport:
    """Run every provider check against the Akita at `url` and report each one."""
    run_seed = random.randrange(2**32) if run_seed is None else run_seed
    target = Target(url.rstrip("/"), api_key, session or requests.Session(), timeout)
    report = VerifyReport(target.url, run_seed)
    plain = [("auth is enforced: 401 without a valid key", lambda: check_auth(target)),
             ("unsupported types are answered 501", lambda: check_unsupported_types(target))]
    generated = [
        ("every valid message is accepted", check_valid_accepted(target)),
        ("every invalid message gets a 4xx naming its field", check_invalid_rejected(target)),
        ("duplicates are acknowledged and not applied again", check_duplicates(target)),
    ]
    for name, test in plain:
        report.results.append(_run(name, test, examples=None, run_seed=run_seed))
    for name, test in generated:
        report.results.append(_run(name, test, examples=max_examples, run_seed=run_seed))
    rules = "the rules hold (one account per contact, order independence, idempotency)"
    if target.has_control_api():
        report.results.append(_run(rules, check_rules(target),
                                   examples=max(1, max_examples // 2), run_seed=run_seed))
    else:
        report.results.append(CheckResult(rules, False, f"no control API at {CONTROL_PATH}: "
                                                        "rules are checked on the simulator only",
                                          skipped=True))
    return report
