"""The server under test, as the provider checks see it: requests out, contract-checked answers in.

Every way an answer can break the contract (wrong status, a body that is not JSON, a body that
breaks the success or error schema) becomes a `ProviderError` whose message quotes the answer,
so a check never crashes on a strange server: it fails and says what came back.
"""

from __future__ import annotations

import copy
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from contract.errors import ProviderError
from contract.validation import validate_against

INGEST_PATH = "/akita/v1/segment"
# The simulator's control API: present on the simulator, absent on a real Akita.
CONTROL_PATH = "/_sim"
_SHOWN_CHARACTERS = 600  # of an answer's body, in a failure's explanation
BUSY = (429, 503)  # answers that ask to be retried later
BUSY_RETRIES = 3
BACKOFF = 0.5  # seconds before the first retry when the answer says nothing
MAX_WAIT = 5.0  # seconds, whatever Retry-After asks


def expect(condition: bool, explanation: str) -> None:
    """Fail the current check with `explanation` unless `condition` holds."""
    if not condition:
        raise ProviderError(explanation)


def show(answer: requests.Response) -> str:
    """An answer as one line for a report: status and the start of the body."""
    text = " ".join(answer.text.split())
    if len(text) > _SHOWN_CHARACTERS:
        text = text[:_SHOWN_CHARACTERS] + "..."
    return f"{answer.status_code} {text}".rstrip()


def json_body(answer: requests.Response, what: str) -> Any:
    """The answer's JSON, or a ProviderError saying that `what` answered something else."""
    try:
        return answer.json()
    except ValueError:
        raise ProviderError(f"{what} answered with a body that is not JSON: {show(answer)}") \
            from None


def error_body(answer: requests.Response, what: str) -> dict[str, Any]:
    """The JSON error body every error answer must carry, checked against the contract."""
    body = json_body(answer, what)
    problems = validate_against("akita/error", body)
    expect(not problems, f"the error body for {what} breaks the contract "
                         f"({'; '.join(map(str, problems))}): {show(answer)}")
    return body


def accepted(answer: requests.Response, what: str) -> dict[str, Any]:
    """The success body of a 200, checked against the contract."""
    expect(answer.status_code == 200, f"{what} answered {show(answer)}, not 200")
    body = json_body(answer, what)
    problems = validate_against("akita/success", body)
    expect(not problems, f"the success body for {what} breaks the contract "
                         f"({'; '.join(map(str, problems))}): {show(answer)}")
    return body


def fresh_ids(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies with ids unique to this run, so a re-run never meets its own earlier messages."""
    run = uuid.uuid4().hex
    fresh = copy.deepcopy(messages)
    for index, message in enumerate(fresh):
        message["message_id"] = f"verify-{run}-{index}"
    return fresh


def _wait(answer: requests.Response, retry: int) -> float:
    """Seconds before retrying a busy answer: its Retry-After in seconds, else a doubling
    backoff; never more than MAX_WAIT, so a run stays bounded."""
    try:
        asked = float(answer.headers.get("Retry-After", ""))
    except ValueError:
        asked = math.nan
    if not math.isfinite(asked):  # absent, a date, or "nan": time.sleep would refuse it
        asked = BACKOFF * 2**retry
    return min(max(asked, 0.0), MAX_WAIT)


@dataclass
class Connection:
    """One pooled session to the server, shared by every Target of a run.

    A 429 or 503 means "busy, nothing applied, try again" (Segment retries both), so each is
    retried a few times, as Retry-After asks: a rate-limited Akita is not a broken one. Once a
    request gets no answer at all, every later one fails at once with that same error: a failed
    check makes Hypothesis replay and shrink it, which must not wait out a timeout for each of
    hundreds of examples when the server has gone away.
    """

    session: requests.Session
    timeout: float
    sleep: Callable[[float], None] = time.sleep
    lost: requests.RequestException | None = None
    created: list[str] = field(default_factory=list)  # workspaces this run made

    def request(self, method: str, url: str, **options: Any) -> requests.Response:
        """`session.request` with busy answers retried, or the error that ended the connection."""
        for retry in range(BUSY_RETRIES + 1):
            if self.lost is not None:
                raise self.lost
            try:
                answer = self.session.request(method, url, timeout=self.timeout, **options)
            except (requests.ConnectionError, requests.Timeout) as error:
                self.lost = error
                raise
            if answer.status_code not in BUSY or retry == BUSY_RETRIES:
                break
            self.sleep(_wait(answer, retry))
        return answer


@dataclass
class Target:
    """The server under test, seen through one API key (one workspace) and the connection."""

    url: str
    api_key: str
    connection: Connection
    workspace_id: str | None = None

    def post(self, body: Any, auth: tuple[str, str] | None) -> requests.Response:
        """POST any body to ingest with the given Basic credentials (None sends none)."""
        return self.connection.request("POST", self.url + INGEST_PATH, json=body, auth=auth)

    def send(self, messages: list[dict[str, Any]]) -> requests.Response:
        """POST a batch with this target's own API key."""
        return self.post({"batch": messages}, (self.api_key, ""))

    def control(self, method: str, path: str) -> requests.Response:
        """A request to the simulator's control API (which takes no key)."""
        return self.connection.request(method, self.url + CONTROL_PATH + path)

    def has_control_api(self) -> bool:
        """Whether the server answers the simulator's health check with JSON."""
        try:
            answer = self.control("GET", "/health")
        except requests.RequestException:
            return False
        return answer.status_code == 200 and "json" in answer.headers.get("Content-Type", "")

    def fresh_workspace(self) -> Target:
        """A new, empty workspace on the simulator, as a Target of its own."""
        created = self.connection.request("POST", self.url + CONTROL_PATH + "/workspaces",
                                          json={"name": "created by akita-contract verify"})
        expect(created.status_code in (200, 201),
               f"creating a workspace answered {show(created)}")
        body = json_body(created, "creating a workspace")
        expect(isinstance(body, dict) and isinstance(body.get("api_key"), str)
               and isinstance(body.get("id"), str),
               f"creating a workspace answered without its id and api_key: {show(created)}")
        self.connection.created.append(body["id"])
        return Target(self.url, body["api_key"], self.connection, body["id"])

    def delete_created(self) -> None:
        """Delete the workspaces this run made; a server that cannot is left as it is."""
        for workspace_id in self.connection.created:
            try:
                self.control("DELETE", f"/workspaces/{workspace_id}")
            except requests.RequestException:
                return
        self.connection.created.clear()

    def state(self) -> dict[str, Any]:
        """The workspace's snapshot, without what names the workspace itself."""
        answer = self.control("GET", f"/workspaces/{self.workspace_id}/state")
        expect(answer.status_code == 200, f"reading the state answered {show(answer)}")
        body = json_body(answer, "reading the state")
        expect(isinstance(body, dict), f"the state is not a JSON object: {show(answer)}")
        return {k: v for k, v in body.items() if k not in ("workspace", "workspace_id")}
