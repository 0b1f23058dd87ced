"""Plans turned into timed calls: who sends what, when, to which account, with which traits.

Pure functions of the plans drawn in `contract.generators.journey_plans`: all randomness is in
the plans, so a shrunk plan gives a journey that still means the same thing, only smaller.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from contract.generators.journey_plans import (
    ACTIVITIES,
    MINUTE,
    Activity,
    PersonPlan,
    VisitorPlan,
)
from contract.generators.samples import PERSON_NAMES, PLANS
from contract.generators.senders import Sender


@dataclass
class Step:
    """One call of the journey with its time, before its sender writes it."""

    at: int  # milliseconds after the journey's start
    kind: str
    user_id: str | None  # None: anonymous browsing
    anonymous_id: str | None  # None: a backend call, which only sends it to stitch
    sender: Sender
    body: dict[str, Any] = field(default_factory=dict)
    page: dict[str, str] | None = None
    context_group_id: str | int | None = None

    @property
    def places(self) -> bool:
        """Whether this call names the account of its user."""
        return self.kind == "group" or (self.kind == "identify" and (
            "groupId" in self.body.get("traits", {}) or self.context_group_id is not None))


def _changed(traits: dict[str, Any], keys: list[str], seed: int) -> dict[str, Any]:
    """New values, each different from the current one, for a non-empty subset of `keys`."""
    mask = 1 + seed % (2 ** len(keys) - 1)
    changes: dict[str, Any] = {}
    for bit, key in enumerate(keys):
        if not mask >> bit & 1:
            continue
        old = traits[key]
        if key == "logins":
            changes[key] = old + 1 + seed % 20
        elif key == "preferences":
            changes[key] = {**old, "digest": not old["digest"]}
        else:
            choices = PERSON_NAMES if key == "name" else PLANS
            changes[key] = choices[(choices.index(old) + 1 + seed % (len(choices) - 1))
                                   % len(choices)]
    return changes


def _grown(company: dict[str, Any], seed: int) -> None:
    """The company changes plan or headcount, as accounts do."""
    if seed % 2:
        company["plan"] = PLANS[(PLANS.index(company["plan"]) + 1 + seed // 2 % 3) % len(PLANS)]
    else:
        company["employees"] += 1 + seed % 100


def _timeline(start: int, activities: list[Activity]) -> list[int]:
    times = [start]
    for activity in activities[1:]:
        times.append(times[-1] + activity.gap)
    return times[:len(activities)]


def visitor_steps(plan: VisitorPlan, anonymous_id: str) -> list[Step]:
    """A visitor's pages and events, all from their browser."""
    return [Step(at, ACTIVITIES[a.what][0], None, anonymous_id, plan.browser,
                 copy.deepcopy(ACTIVITIES[a.what][1]), copy.deepcopy(ACTIVITIES[a.what][2]))
            for at, a in zip(_timeline(plan.start, plan.activities), plan.activities, strict=True)]


def person_steps(plan: PersonPlan, *, index: int, user_id: str, anonymous_id: str,
                 accounts: list[str | int], companies: list[dict[str, Any]],
                 backend: Sender) -> list[Step]:
    """One person's calls: anonymous browsing, the identify that stitches it, joining an account
    (founders, the first person of each account, create it with a group call), trait updates,
    perhaps a move, and pages and events. Company traits in `companies` change as they go."""
    founder = index < len(accounts)
    how, account = ("group", index) if founder else (plan.how, plan.account % len(accounts))
    times = _timeline(plan.start, plan.activities)
    browsing = min(plan.browsing, len(times))
    if 0 < browsing < len(times):  # between the last anonymous activity and the first known one
        before, after = times[browsing - 1], times[browsing]
        at = before + 1 + (after - before - 1) * plan.identify_at // 4
    elif browsing:
        at = times[-1] + 1 + plan.identify_at * MINUTE
    else:
        at = times[0] if times else plan.start
    sender = backend if plan.server_side else plan.browser
    known_anonymous_id = None if plan.server_side else anonymous_id  # stitching aside
    placed_at: list[tuple[int, int]] = []  # (when, account index), in time order

    def said(moment: int, kind: str, body: dict[str, Any]) -> Step:
        return Step(moment, kind, user_id, known_anonymous_id, sender, body)

    def joined(moment: int, target: int) -> Step:
        placed_at.append((moment, target))
        return said(moment, "group", {"groupId": accounts[target],
                                      "traits": copy.deepcopy(companies[target])})

    traits = {"email": f"person{index + 1}@example.com", **copy.deepcopy(plan.traits)}
    identify = Step(at, "identify", user_id, anonymous_id, sender, {"traits": dict(traits)})
    steps, latest = [identify], identify
    if how == "trait":
        identify.body["traits"]["groupId"] = accounts[account]
    elif how == "context":
        identify.context_group_id = accounts[account]
    if how in ("trait", "context"):
        placed_at.append((at, account))
    elif how == "group":
        at += plan.delay
        if plan.changes_company and not founder:
            _grown(companies[account], plan.delay)
        steps.append(joined(at, account))
        if plan.echo:  # the same instant, other company traits: the messageId breaks the tie
            _grown(companies[account], plan.delay + 1)
            steps.append(joined(at, account))
    for tie, delay, seed in plan.updates:  # a tie repeats the last identify's instant and keys
        at += delay
        keys = sorted(set(latest.body["traits"] if tie else traits) - {"email", "groupId"})
        changes = _changed(traits, keys, seed)
        traits.update(changes)
        latest = said(latest.at if tie else at, "identify", {"traits": changes})
        steps.append(latest)
    if plan.move is not None and how != "never" and len(accounts) > 1:
        other, via, delay = plan.move
        at += delay
        target = (account + 1 + other % (len(accounts) - 1)) % len(accounts)
        if via == "group":
            steps.append(joined(at, target))
        else:
            placed_at.append((at, target))
            steps.append(said(at, "identify", {"traits": {"groupId": accounts[target]}}))
    for position, (moment, activity) in enumerate(zip(times, plan.activities, strict=True)):
        kind, body, page = copy.deepcopy(ACTIVITIES[activity.what])
        known = position >= browsing
        by_backend = known and activity.from_backend
        placed = [target for when, target in placed_at if when <= moment]
        steps.append(Step(moment, kind, user_id if known else None,
                          None if by_backend else anonymous_id,
                          backend if by_backend else plan.browser, body, page,
                          accounts[placed[-1]] if known and placed and activity.tagged else None))
    return steps
