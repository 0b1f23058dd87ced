"""Coherent customer journeys: the raw material of the simulator's and the contract suite's
property tests.

A journey is what a small B2B product sends Segment over a few days. Founders sign up and
create their accounts (group calls with company traits); colleagues join through a `groupId`
trait on identify, through `context.groupId`, or only through a later group call, or are never
placed and stay pending; people browse anonymously before the identify that carries both their
userId and anonymousId; pages and events fall into sessions separated by gaps under, exactly
at, and over 30 minutes; people move to another account later on; traits change over time,
sometimes twice at the same instant so that the messageId must break the tie; and some calls
are re-sent as exact duplicates.

The structure (how many users, accounts, calls, which gaps) is drawn before the values, so a
failing journey shrinks to few people, few calls and plain values.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contract.samples import (
    COMPANY_NAMES,
    EVENT_NAMES,
    JS,
    LIBRARIES,
    PLANS,
    calls,
    moments,
    names,
    numbers,
)

_MINUTE = 60_000  # journeys count time in milliseconds, the precision Akita keeps
_TIMEOUT = 30 * _MINUTE  # the session rule of Segment and Amplitude: a gap this long splits
_DAY = 24 * 60 * _MINUTE
_USER_IDS = ("user_{}", "ada{}@example.com", "{}", "ユーザー{}")  # numbered from 1: all differ
_ACCOUNT_IDS = ("acct_{}", "{}", "acme-{}.example", "組織-{}")  # "{}" is sent as a JSON number


@dataclass(frozen=True)
class Journey:
    """A journey's Segment calls in the order they were made (or shuffled, when asked), plus
    the facts they were built from, for tests that need them without re-deriving them.

    `accounts` and `users` are ids as Akita knows them (numbers stringified); `anonymous_ids`
    maps each user to the anonymousId their identify stitches; `visitors` are anonymousIds that
    never identify; `pending_users` are users no call places in any account; `duplicates` are
    the messageIds sent twice (each re-send an exact copy of the call).
    """

    calls: list[dict[str, Any]]
    accounts: list[str]
    users: list[str]
    anonymous_ids: dict[str, str]
    visitors: list[str]
    pending_users: list[str]
    duplicates: list[str]


@dataclass
class _Step:
    """One call of the plan, before it is written the way some library writes it."""

    at: int  # milliseconds after the journey's start
    kind: str
    user_id: str | None  # None: anonymous browsing
    anonymous_id: str
    stitch: bool = False  # the identify that ties the anonymousId to the userId
    body: dict[str, Any] = field(default_factory=dict)
    context_group_id: str | int | None = None

    @property
    def places(self) -> bool:
        """Whether this call names the account of its user."""
        return self.kind == "group" or (self.kind == "identify" and (
            "groupId" in self.body.get("traits", {}) or self.context_group_id is not None))


class _Budget:
    """Calls left to hand out, so that a journey stays within `max_calls`."""

    def __init__(self, left: int) -> None:
        self.left = left

    def take(self, draw: st.DrawFn, most: int) -> int:
        taken = draw(st.integers(0, min(most, self.left)))
        self.left -= taken
        return taken


@dataclass
class _Cast:
    """What every person's plan shares: the accounts, their current company traits, the budget."""

    accounts: list[str | int]
    companies: list[dict[str, Any]]
    budget: _Budget


@cache
def _gaps() -> st.SearchStrategy[int]:
    """Milliseconds between two activities of one person: inside a session, exactly the
    timeout (which starts a new one), or beyond it, with the edges either side drawn often."""
    return st.one_of(st.integers(1_000, _TIMEOUT - 1) | st.just(_TIMEOUT - 1), st.just(_TIMEOUT),
                     st.just(_TIMEOUT + 1) | st.integers(_TIMEOUT + 1, 3 * _DAY))


@st.composite
def _timelines(draw: st.DrawFn, count: int) -> list[int]:
    """When `count` pages and events of one person happen: a start within two days, then gaps."""
    times: list[int] = []
    for _ in range(count):
        times.append(times[-1] + draw(_gaps()) if times else draw(st.integers(0, 2 * _DAY)))
    return times


def _placements(draw: st.DrawFn, index: int, cast: _Cast) -> list[tuple[int, str]]:
    """(account, how) in time order: founders create their own account with a group call;
    others join through a trait, context.groupId or a later group call, or never; some move."""
    count = len(cast.accounts)
    if index < count:
        placements = [(index, "group")]
    else:
        how = draw(st.sampled_from(("trait", "context", "group", "never")))
        if how == "group" and not cast.budget.take(draw, 1):
            how = "trait"
        placements = [] if how == "never" else [(draw(st.integers(0, count - 1)), how)]
    if placements and count > 1 and cast.budget.take(draw, 1):
        target = draw(st.integers(0, count - 2))
        placements.append((target + (target >= placements[0][0]),
                           draw(st.sampled_from(("group", "trait")))))
    return placements


def _group(draw: st.DrawFn, at: int, user: _Step, account: int, cast: _Cast, *,
           change: bool | None = None) -> _Step:
    """A group call placing the user in `account` with its company traits, of which the plan or
    headcount changes sometimes (always when `change`)."""
    company = cast.companies[account]
    if change or (change is None and draw(st.booleans())):
        if draw(st.booleans()):
            company["plan"] = draw(st.sampled_from(PLANS).filter(lambda p: p != company["plan"]))
        else:
            company["employees"] += draw(st.integers(1, 100))
    return _Step(at, "group", user.user_id, user.anonymous_id,
                 body={"groupId": cast.accounts[account], "traits": copy.deepcopy(company)})


def _update(draw: st.DrawFn, at: int, latest: _Step, traits: dict[str, Any]) -> _Step:
    """An identify changing some traits of the user: later than `latest`, or at the very same
    instant and on the same keys, so only the messageId can break the tie."""
    tie = draw(st.booleans())
    keys = sorted(set(latest.body["traits"] if tie else traits) - {"email", "groupId"})
    changes = {}
    for key in draw(st.lists(st.sampled_from(keys), min_size=1, unique=True)):
        old = traits[key]
        if key == "logins":
            changes[key] = old + draw(st.integers(1, 20))
        elif key == "preferences":
            changes[key] = {**old, "digest": not old["digest"]}
        else:
            values = names() if key == "name" else st.sampled_from(PLANS)
            changes[key] = draw(values.filter(lambda value, old=old: value != old))
    traits.update(changes)
    return _Step(latest.at if tie else at, "identify", latest.user_id, latest.anonymous_id,
                 body={"traits": changes})


@st.composite
def _people(draw: st.DrawFn, index: int, user_id: str, anonymous_id: str,
            cast: _Cast) -> list[_Step]:
    """One person's calls: anonymous browsing, the identify that stitches it, placement, pages
    and events over sessions, trait updates, perhaps a move to another account."""
    browsing, visits, updates = (cast.budget.take(draw, most) for most in (3, 6, 2))
    placements = _placements(draw, index, cast)
    echo = any(how == "group" for _, how in placements) and cast.budget.take(draw, 1)
    times = draw(_timelines(browsing + visits))
    if browsing and visits:  # between the last anonymous page and the first known one
        identified_at = draw(st.integers(times[browsing - 1] + 1, times[browsing]))
    elif browsing:
        identified_at = times[-1] + draw(st.integers(1, 10 * _MINUTE))
    else:
        identified_at = times[0] if times else draw(st.integers(0, 2 * _DAY))
    traits = {"name": draw(names()), "email": f"person{index + 1}@example.com",
              "plan": draw(st.sampled_from(PLANS)), "logins": draw(st.integers(1, 50)),
              "preferences": {"language": draw(st.sampled_from(("en", "ar", "he", "ja"))),
                              "digest": draw(st.booleans())}}
    identify = _Step(identified_at, "identify", user_id, anonymous_id, stitch=True,
                     body={"traits": copy.deepcopy(traits)})
    (first, how), *moves = placements or [(0, "never")]
    placed_at = [(identified_at, first)] if how in ("trait", "context") else []
    if how == "trait":
        identify.body["traits"]["groupId"] = cast.accounts[first]
    elif how == "context":
        identify.context_group_id = cast.accounts[first]
    later = [(first, "group")] * (how == "group") + [None] * updates + moves
    horizon = max(times[-1] if times else 0, identified_at + 60 * _MINUTE)
    stamps = sorted(draw(st.lists(st.integers(identified_at + 1, horizon), min_size=len(later),
                                  max_size=len(later), unique=True)))
    steps = [identify]
    for placement, at in zip(later, stamps, strict=True):
        if placement is None:
            latest = [step for step in steps if step.kind == "identify"][-1]
            steps.append(_update(draw, at, latest, traits))
            continue
        account, how_now = placement
        placed_at.append((at, account))
        if how_now == "trait":
            steps.append(_Step(at, "identify", user_id, anonymous_id,
                               body={"traits": {"groupId": cast.accounts[account]}}))
            continue
        steps.append(_group(draw, at, identify, account, cast))
        if echo:  # the same instant, other company traits: the messageId breaks the tie
            steps.append(_group(draw, at, identify, account, cast, change=True))
            echo = False
    for position, at in enumerate(times):
        known = position >= browsing
        placed = [account for when, account in placed_at if when <= at]
        tagged = known and placed and draw(st.booleans())
        steps.append(_Step(at, draw(st.sampled_from(("page", "track"))),
                           user_id if known else None, anonymous_id,
                           context_group_id=cast.accounts[placed[-1]] if tagged else None))
    return steps


@st.composite
def _written(draw: st.DrawFn, step: _Step, start: datetime, token: uuid.UUID) -> dict[str, Any]:
    """`step` as some library writes it. Browsing comes from analytics.js, which keeps sending
    the anonymousId once the user is known; server libraries send it only to stitch."""
    library = JS if step.user_id is None else draw(st.sampled_from(LIBRARIES))
    browser = step.user_id is None or step.stitch or library == JS
    body = step.body
    if step.kind == "track":
        body = {"event": draw(st.sampled_from(EVENT_NAMES)),
                "properties": draw(st.fixed_dictionaries({}, optional={"revenue": numbers()}))}
    elif step.kind == "page":
        body = {"name": draw(st.sampled_from((None, "Pricing", "Docs", "الأسعار")))}
    return draw(calls(library, step.kind, user_id=step.user_id,
                      anonymous_id=step.anonymous_id if browser else None,
                      moment=start + timedelta(milliseconds=step.at), token=token, body=body,
                      context_group_id=step.context_group_id))


def journeys(*, min_users: int = 2, max_users: int = 6, min_accounts: int = 2,
             max_accounts: int = 4, max_visitors: int = 2, max_calls: int = 40,
             shuffled: bool = False) -> st.SearchStrategy[Journey]:
    """Coherent customer journeys (see the module docstring): `min_users` to `max_users` users,
    `min_accounts` to `max_accounts` accounts (never more than users, as each has a founder), up
    to `max_visitors` visitors who never identify, at most `max_calls` calls counting re-sends.
    Calls come in time order, or in any order when `shuffled`."""
    if not 1 <= min_accounts <= min(min_users, max_accounts) or min_users > max_users:
        raise InvalidArgument("journeys need 1 <= min_accounts <= min_users <= max_users "
                              "and min_accounts <= max_accounts")
    if max_calls < max_users + max_accounts + max_visitors:
        raise InvalidArgument("max_calls must leave room for an identify per user, a group call "
                              "per account and a page per visitor")
    return _journeys(min_users, max_users, min_accounts, max_accounts, max_visitors, max_calls,
                     shuffled)


@st.composite
def _journeys(draw: st.DrawFn, min_users: int, max_users: int, min_accounts: int,
              max_accounts: int, max_visitors: int, max_calls: int, shuffled: bool) -> Journey:
    n_users = draw(st.integers(min_users, max_users))
    n_accounts = draw(st.integers(min_accounts, min(max_accounts, n_users)))
    n_visitors = draw(st.integers(0, max_visitors))
    cast = _Cast([], [], _Budget(max_calls - n_users - n_accounts - n_visitors))
    for number in range(1, n_accounts + 1):
        style = draw(st.sampled_from(_ACCOUNT_IDS))
        cast.accounts.append(int(style.format(number)) if style == "{}" else style.format(number))
        cast.companies.append({"name": draw(st.sampled_from(COMPANY_NAMES)),
                               "plan": draw(st.sampled_from(PLANS)),
                               "employees": draw(st.integers(1, 5_000)), "mrr": draw(numbers())})
    users = [draw(st.sampled_from(_USER_IDS)).format(number) for number in range(1, n_users + 1)]
    anonymous = [str(token) for token in draw(st.lists(
        st.uuids(version=4), min_size=n_users + n_visitors, max_size=n_users + n_visitors,
        unique=True))]
    steps: list[_Step] = []
    for index, user_id in enumerate(users):
        steps += draw(_people(index, user_id, anonymous[index], cast))
    for visitor in anonymous[n_users:]:
        times = draw(_timelines(1 + cast.budget.take(draw, 2)))
        steps += [_Step(at, draw(st.sampled_from(("page", "track"))), None, visitor)
                  for at in times]
    steps.sort(key=lambda step: step.at)  # stable: the plan's order among equal instants
    start = draw(moments(earliest=datetime(2024, 1, 1), latest=datetime(2026, 12, 31)))
    start = start.replace(microsecond=start.microsecond // 1000 * 1000)
    tokens = draw(st.lists(st.uuids(version=4), min_size=len(steps), max_size=len(steps),
                           unique=True))
    written = [draw(_written(step, start, token))
               for step, token in zip(steps, tokens, strict=True)]
    resent = min(cast.budget.take(draw, 3), len(written))
    duplicates = [copy.deepcopy(written[index]) for index in sorted(draw(st.lists(
        st.sampled_from(range(len(written))), min_size=resent, max_size=resent, unique=True)))]
    placed = {step.user_id for step in steps if step.places}
    sent = written + duplicates
    return Journey(
        calls=list(draw(st.permutations(sent))) if shuffled else sent,
        accounts=[str(account) for account in cast.accounts], users=users,
        anonymous_ids=dict(zip(users, anonymous, strict=False)), visitors=anonymous[n_users:],
        pending_users=[user for user in users if user not in placed],
        duplicates=[call["messageId"] for call in duplicates],
    )
