"""The structure of a customer journey, drawn before any value that only decorates it.

A plan says who does what and when: per person, their pages and events with the gaps between
them, how much of it is anonymous, how and when they join an account, their trait updates and a
move; per visitor, their pages; per account, its id style and company traits. People, visitors,
accounts and activities are elements of lists whose choices never depend on one another, so the
shrinker can drop any of them whole, and the call budget is enforced afterwards by trimming.
`contract.generators.journey_steps` turns plans into timed calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from hypothesis import strategies as st

from contract.generators.samples import (
    COMPANY_NAMES,
    EVENT_NAMES,
    JS,
    PAGE_VIEWS,
    PERSON_NAMES,
    PLANS,
)
from contract.generators.senders import Sender, senders

MINUTE = 60_000  # plans count time in milliseconds, the precision Akita keeps
TIMEOUT = 30 * MINUTE  # the session rule of Segment and Amplitude: a gap this long splits
_DAY = 24 * 60 * MINUTE
_USER_IDS = ("user_{}", "ada{}@example.com", "{}", "ユーザー{}")  # numbered from 1: all differ
_ACCOUNT_IDS = ("acct_{}", "{}", "acme-{}.example", "組織-{}")  # "{}" is sent as a JSON number
_PROPERTIES = ({}, {"revenue": 19.99, "currency": "USD"}, {"seats": 2**53 - 1},
               {"ratio": 1e-300, "total": 1e300}, {"items": [{"sku": "本-1", "price": 0.1}]})
ACTIVITIES = (  # a page view or an event: call type, its own fields, the page it happened on
    *(("page", {"name": name}, PAGE_VIEWS[9 * i])
      for i, name in enumerate((None, "Pricing", "Docs", "الأسعار", "מחירים", "料金"))),
    *(("track", {"event": event, "properties": _PROPERTIES[i % len(_PROPERTIES)]}, None)
      for i, event in enumerate(EVENT_NAMES)),
)


@dataclass(frozen=True)
class Activity:
    """A page or an event: after `gap` ms, which of ACTIVITIES, whether it carries the user's
    account in `context.groupId`, and whether the backend sends it instead of the browser."""

    gap: int
    what: int
    tagged: bool
    from_backend: bool


@dataclass
class PersonPlan:
    """Everything about one person that shapes the journey."""

    id_style: int
    traits: dict[str, Any]
    browser: Sender
    server_side: bool  # identify and group calls come from the backend, not the browser
    start: int
    browsing: int  # how many of the first activities happen before identify
    activities: list[Activity]
    identify_at: int  # where between the last anonymous and the first known one, in quarters
    how: str  # trait, context, group or never (founders always found with a group call)
    account: int  # modulo the number of accounts
    delay: int  # from identify to a placing group call
    changes_company: bool  # that group call also changes the company's traits
    updates: list[tuple[bool, int, int]]  # (same instant as the last identify, delay, seed)
    move: tuple[int, str, int] | None  # (other account, by group or trait, delay)
    echo: bool  # the first group call is sent again at the same instant with other traits

    def user_id(self, number: int) -> str:
        """The person's userId, unique by `number`."""
        return _USER_IDS[self.id_style].format(number)


@dataclass
class VisitorPlan:
    """Someone who browses and never identifies."""

    browser: Sender
    start: int
    activities: list[Activity]


@dataclass
class AccountPlan:
    """An account's id style and its company traits when founded."""

    id_style: int
    company: dict[str, Any]

    def account_id(self, number: int) -> str | int:
        """The account's groupId, unique by `number`: a string, or a number as JSON carries it."""
        style = _ACCOUNT_IDS[self.id_style]
        return number if style == "{}" else style.format(number)


# Journeys draw times from a few telling values rather than wide ranges: the rules care about
# the edges, and a shrinker spends dozens of runs narrowing every wide integer down.
_GAPS = (1_000, 47_000, 5 * MINUTE, TIMEOUT - 1, TIMEOUT, TIMEOUT + 1, 2 * 60 * MINUTE, _DAY)
_DELAYS = (1, 1_000, MINUTE, 7 * MINUTE, 20 * MINUTE)  # a later call can be 1 ms later


@cache
def _gaps() -> st.SearchStrategy[int]:
    """Milliseconds between two activities of one person: inside a session, a millisecond
    under the 30-minute timeout, exactly it (which starts a new session), just over, far over."""
    return st.sampled_from(_GAPS)


@cache
def _activities(least: int, most: int) -> st.SearchStrategy[list[Activity]]:
    return st.lists(st.builds(Activity, _gaps(), st.sampled_from(range(len(ACTIVITIES))),
                              st.booleans(), st.booleans()), min_size=least, max_size=most)


@cache
def _starts() -> st.SearchStrategy[int]:
    """When a person first shows up: on the hour, within two days of the journey's start."""
    return st.integers(0, 48).map(lambda hours: hours * 60 * MINUTE)


@cache
def _delays() -> st.SearchStrategy[int]:
    return st.sampled_from(_DELAYS)


@cache
def person_plans(max_accounts: int) -> st.SearchStrategy[PersonPlan]:
    """People: up to 6 pages and events (the first 3 may be anonymous), up to 2 trait updates,
    maybe a move."""
    traits = st.fixed_dictionaries({
        "name": st.sampled_from(PERSON_NAMES), "plan": st.sampled_from(PLANS),
        "logins": st.sampled_from((1, 7, 42)),
        "preferences": st.fixed_dictionaries({"language": st.sampled_from(("en", "ar", "he")),
                                              "digest": st.booleans()}),
    })
    moves = st.none() | st.tuples(st.integers(0, max(max_accounts - 2, 0)),
                                  st.sampled_from(("group", "trait")), _delays())
    return st.builds(
        PersonPlan, id_style=st.sampled_from(range(len(_USER_IDS))), traits=traits,
        browser=senders(libraries=(JS,)), server_side=st.booleans(), start=_starts(),
        browsing=st.integers(0, 3), activities=_activities(0, 6), identify_at=st.integers(0, 4),
        how=st.sampled_from(("trait", "context", "group", "never")),
        account=st.integers(0, max_accounts - 1), delay=_delays(), changes_company=st.booleans(),
        updates=st.lists(st.tuples(st.booleans(), _delays(), st.integers(0, 15)), max_size=2),
        move=moves, echo=st.booleans(),
    )


@cache
def visitor_plans() -> st.SearchStrategy[VisitorPlan]:
    """Visitors: one to three pages or events, anonymous to the end."""
    return st.builds(VisitorPlan, senders(libraries=(JS,)), _starts(),
                     _activities(1, 3))


@cache
def account_plans() -> st.SearchStrategy[AccountPlan]:
    """Accounts: an id style, a company name, plan, headcount and an edge-number revenue."""
    return st.builds(AccountPlan, st.sampled_from(range(len(_ACCOUNT_IDS))), st.fixed_dictionaries({
        "name": st.sampled_from(COMPANY_NAMES), "plan": st.sampled_from(PLANS),
        "employees": st.sampled_from((1, 12, 250, 5_000)),
        "mrr": st.sampled_from((49.99, 0, 1e-300, 1e300, 2**53 - 1, -0.0))}))


def _placing(plan: PersonPlan, founder: bool) -> bool:
    """Whether the person sends a group call to join their first account."""
    return founder or plan.how == "group"


def size(plan: PersonPlan | VisitorPlan, founder: bool, accounts: int) -> int:
    """How many calls a plan becomes."""
    if isinstance(plan, VisitorPlan):
        return len(plan.activities)
    moves = plan.move is not None and (founder or plan.how != "never") and accounts > 1
    return (1 + _placing(plan, founder) * (1 + plan.echo) + len(plan.updates) + moves
            + len(plan.activities))


def _spare(plan: PersonPlan | VisitorPlan, founder: bool, accounts: int) -> int:
    """Calls a plan could do without: all but a visitor's first activity, or a person's
    identify and, for a founder, the group call that creates the account."""
    least = 1 if isinstance(plan, VisitorPlan) else 1 + founder
    return size(plan, founder, accounts) - least


def _trim(plan: PersonPlan | VisitorPlan, founder: bool) -> None:
    """One call less: the last activity, else an update, the echo, the move, a group call."""
    if isinstance(plan, VisitorPlan) or plan.activities:
        plan.activities.pop()
    elif plan.updates:
        plan.updates.pop()
    elif plan.echo and _placing(plan, founder):
        plan.echo = False
    elif plan.move is not None:
        plan.move = None
    else:
        plan.how = "trait"  # join through the identify instead of a group call


def fit(people: list[PersonPlan], visitors: list[VisitorPlan], accounts: int, room: int) -> None:
    """Trim the busiest plan, call by call, until all make at most `room` calls. The first
    `accounts` people are founders. Deterministic, so that shrinking a plan keeps its meaning."""
    plans: list[PersonPlan | VisitorPlan] = [*people, *visitors]
    founder = [index < accounts for index in range(len(plans))]
    def total() -> int:
        return sum(size(plan, first, accounts) for plan, first in zip(plans, founder, strict=True))

    while total() > room:
        busiest = max(range(len(plans)), key=lambda i: _spare(plans[i], founder[i], accounts))
        _trim(plans[busiest], founder[busiest])
