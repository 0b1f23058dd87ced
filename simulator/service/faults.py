"""Fault injection: one workspace's ingest fails the way a real Akita sometimes does.

A sender that retries (the destination, Segment itself) is only trusted once it has met error
answers, rate limits, slow answers and connections closed with no answer, and still delivered
every message exactly once. Each workspace has a `FaultPlan`; `WorkspaceFaults` keeps that plan
in use (its random generator, what is left of its fixed sequence, counts of what was injected)
under its own lock, and `draw()` decides the `Outcome` of one ingest request, after the API key
has named the workspace and before the body is read:

    "ok"            handled as usual
    429             Too Many Requests, with Retry-After; nothing applied
    500, 503        an error answer; nothing applied
    "drop"          the connection is closed with no answer; nothing applied
    "lost_answer"   handled as usual (applied if valid), then the connection is closed with no
                    answer: the sender cannot tell it arrived, the case only Akita's
                    de-duplication by message_id makes safe to retry

First the `sequence` is used up, one outcome per request (deterministic tests; `fail_next: N`
puts N 503s in front of it), then each request is drawn at random, in turn: dropped with
probability `drop_rate`; if not, its answer lost with `lost_answer_rate`; if not, an error
(a status picked from `statuses`) with `error_rate`. Drawn in turn, any three rates from 0 to 1
make a plan, so a rate can be raised without lowering another. `latency_ms` delays every
ingest request of the workspace. Draws come from `random.Random(seed)`; without a seed one is
picked and shown, so a run can be replayed.

Faults are counted here, not journaled: a request failed on purpose is never read, so there is
no message to journal (a lost answer's messages are journaled as accepted, which they were).
This module knows nothing of HTTP; the ingest endpoint turns outcomes into answers.
"""

from __future__ import annotations

import random
import secrets
import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass, fields
from typing import Any

from simulator.errors import InvalidFaultPlan

Outcome = int | str
ERROR_STATUSES = (429, 500, 503)
OUTCOMES: tuple[Outcome, ...] = ("ok", *ERROR_STATUSES, "drop", "lost_answer")
MAX_LATENCY_MS = 30_000  # each delayed request holds a server thread; longer is a drop anyway
MAX_RETRY_AFTER = 3600
MAX_SEQUENCE = 10_000
_RATES = ("error_rate", "drop_rate", "lost_answer_rate")
_INTEGERS = {"latency_ms": MAX_LATENCY_MS, "retry_after": MAX_RETRY_AFTER,
             "fail_next": MAX_SEQUENCE}
_WHOLE = (*_INTEGERS, "seed")


def _whole(value: Any) -> Any:
    """5.0 as 5: JSON does not tell them apart, and JSON Schema's "integer" takes both."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class FaultPlan:
    """What to inject into one workspace's ingest (the module docstring has the rules).

    The default plan injects nothing. Invalid values raise InvalidFaultPlan naming the field.
    """

    error_rate: float = 0.0
    statuses: tuple[int, ...] = (500, 503, 429)
    drop_rate: float = 0.0
    lost_answer_rate: float = 0.0
    latency_ms: int = 0
    retry_after: int = 1
    sequence: tuple[Outcome, ...] = ()
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in _RATES:
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) \
                    or not 0 <= value <= 1:
                raise InvalidFaultPlan(f"{name} must be a number from 0 to 1, not {value!r}")
        if not self.statuses or any(not _is_int(s) or s not in ERROR_STATUSES
                                    for s in self.statuses) \
                or len(set(self.statuses)) != len(self.statuses):
            raise InvalidFaultPlan("statuses must list distinct statuses among "
                                   f"{', '.join(map(str, ERROR_STATUSES))}")
        for name in ("latency_ms", "retry_after"):
            value = getattr(self, name)
            if not _is_int(value) or not 0 <= value <= _INTEGERS[name]:
                raise InvalidFaultPlan(f"{name} must be a whole number from 0 to "
                                       f"{_INTEGERS[name]}, not {value!r}")
        # fail_next's 503s come before the given sequence: each may hold MAX_SEQUENCE.
        if len(self.sequence) > 2 * MAX_SEQUENCE or any(
                not any(o == k and type(o) is type(k) for k in OUTCOMES) for o in self.sequence):
            raise InvalidFaultPlan(f"sequence must hold at most {2 * MAX_SEQUENCE} outcomes "
                                   f"among {', '.join(map(repr, OUTCOMES))}")
        if self.seed is not None and not _is_int(self.seed):
            raise InvalidFaultPlan(f"seed must be a whole number or null, not {self.seed!r}")

    @classmethod
    def from_json(cls, body: Any) -> FaultPlan:
        """A plan from a control API body; `fail_next: N` becomes N 503s before `sequence`."""
        if not isinstance(body, dict):
            raise InvalidFaultPlan("the body must be a JSON object describing the fault plan")
        known = {*(f.name for f in fields(cls)), "fail_next"}
        unknown = sorted(set(body) - known)
        if unknown:
            raise InvalidFaultPlan(f"unknown field {', '.join(unknown)}; allowed: "
                                   f"{', '.join(sorted(known))}")
        given = {name: [_whole(item) for item in value] if isinstance(value, list)
                 else _whole(value) if name in _WHOLE else value
                 for name, value in body.items()}
        fail_next = given.pop("fail_next", 0)
        if not _is_int(fail_next) or not 0 <= fail_next <= MAX_SEQUENCE:
            raise InvalidFaultPlan(f"fail_next must be a whole number from 0 to {MAX_SEQUENCE}")
        for name in ("statuses", "sequence"):
            if name in given:
                if not isinstance(given[name], list):
                    raise InvalidFaultPlan(f"{name} must be a list")
                given[name] = tuple(given[name])
        if len(given.get("sequence", ())) > MAX_SEQUENCE:
            raise InvalidFaultPlan(f"sequence must hold at most {MAX_SEQUENCE} outcomes")
        given["sequence"] = (503,) * fail_next + given.get("sequence", ())
        return cls(**given)

    def to_json(self) -> dict[str, Any]:
        """The plan as the control API shows it."""
        shown = asdict(self)
        shown["statuses"], shown["sequence"] = list(self.statuses), list(self.sequence)
        return shown


@dataclass(frozen=True)
class Decision:
    """What to do with one ingest request: its outcome, after `latency` seconds."""

    outcome: Outcome
    latency: float
    retry_after: int


class WorkspaceFaults:
    """One workspace's plan in use; every method is safe from any thread."""

    def __init__(self, plan: FaultPlan) -> None:
        self._lock = threading.Lock()
        self.configure(plan)

    def configure(self, plan: FaultPlan) -> dict[str, Any]:
        """Follow `plan` from now on, from the start of its sequence and with counts at zero."""
        with self._lock:
            self.plan = plan
            self._seed = plan.seed if plan.seed is not None else secrets.randbits(32)
            self._random = random.Random(self._seed)
            self._sequence = deque(plan.sequence)
            self._counts: Counter[str] = Counter()
            return self._describe()

    def draw(self) -> Decision:
        """The outcome of the next ingest request (counted)."""
        with self._lock:
            plan = self.plan
            outcome: Outcome = "ok"
            if self._sequence:
                outcome = self._sequence.popleft()
            elif self._random.random() < plan.drop_rate:
                outcome = "drop"
            elif self._random.random() < plan.lost_answer_rate:
                outcome = "lost_answer"
            elif self._random.random() < plan.error_rate:
                outcome = self._random.choice(plan.statuses)
            self._counts["requests"] += 1
            self._counts[str(outcome)] += 1
            return Decision(outcome, plan.latency_ms / 1000, plan.retry_after)

    def describe(self) -> dict[str, Any]:
        """The plan, the seed in use, what is left of the sequence, and counts per outcome."""
        with self._lock:
            return self._describe()

    def _describe(self) -> dict[str, Any]:
        counts = {"requests": self._counts["requests"],
                  **{str(outcome): self._counts[str(outcome)] for outcome in OUTCOMES}}
        return {**self.plan.to_json(), "seed": self._seed, "sequence": list(self._sequence),
                "counts": counts}


class Faults:
    """Every workspace's fault injection; a workspace never configured follows the default
    (what `akita-sim serve --fault-...` sets for all of them)."""

    def __init__(self, default: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self._default = default or FaultPlan()
        self._workspaces: dict[str, WorkspaceFaults] = {}

    def set_default(self, plan: FaultPlan) -> None:
        """Make `plan` every workspace's plan, starting over (meant for before serving)."""
        with self._lock:
            self._default = plan
            self._workspaces.clear()

    def forget(self, workspace_id: str) -> None:
        """Drop a deleted workspace's fault injection."""
        with self._lock:
            self._workspaces.pop(workspace_id, None)

    def of(self, workspace_id: str) -> WorkspaceFaults:
        """The fault injection of `workspace_id`, created from the default on first use."""
        with self._lock:
            found = self._workspaces.get(workspace_id)
            if found is None:
                found = self._workspaces[workspace_id] = WorkspaceFaults(self._default)
            return found
