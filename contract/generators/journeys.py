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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contract.generators.journey_plans import account_plans, fit, person_plans, visitor_plans
from contract.generators.journey_steps import person_steps, visitor_steps
from contract.generators.samples import HTTP, NODE, PYTHON, moments
from contract.generators.senders import senders, write_call


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


def journeys(*, min_users: int = 2, max_users: int = 6, min_accounts: int = 2,
             max_accounts: int = 4, max_visitors: int = 2, max_calls: int = 40,
             shuffled: bool = False) -> st.SearchStrategy[Journey]:
    """Coherent customer journeys (see the module docstring): `min_users` to `max_users` users,
    `min_accounts` to `max_accounts` accounts (never more than users: each has a founder), up
    to `max_visitors` visitors who never identify, at most `max_calls` calls counting re-sends.
    Calls come in time order, re-sends last, or in any order when `shuffled`."""
    if not 1 <= min_accounts <= min(min_users, max_accounts) or max_accounts > max_users:
        raise InvalidArgument("journeys need 1 <= min_accounts <= min_users, min_accounts <= "
                              "max_accounts <= max_users")
    if min_users > max_users or max_calls < max_users + max_accounts + max_visitors:
        raise InvalidArgument("journeys need min_users <= max_users, and max_calls large enough "
                              "for an identify per user, a group call per account and a page "
                              "per visitor")
    return _journeys(min_users, max_users, min_accounts, max_accounts, max_visitors, max_calls,
                     shuffled)


@st.composite
def _journeys(draw: st.DrawFn, min_users: int, max_users: int, min_accounts: int,
              max_accounts: int, max_visitors: int, max_calls: int, shuffled: bool) -> Journey:
    # The structure: who does what, when, and how often a call is re-sent.
    # No list's bounds depend on another's length: when the shrinker drops an element, every
    # later choice keeps its meaning.
    people = draw(st.lists(person_plans(max_accounts), min_size=min_users, max_size=max_users))
    accounts = draw(st.lists(account_plans(), min_size=min_accounts, max_size=max_accounts))
    accounts = accounts[:len(people)]  # each account needs a founder
    visitors = draw(st.lists(visitor_plans(), max_size=max_visitors))
    backend = draw(senders(libraries=(PYTHON, NODE, HTTP)))
    resends = draw(st.lists(st.integers(0, 99), max_size=3))  # where, in percent of the calls
    resends = resends[:max_calls - len(people) - len(accounts) - len(visitors)]
    fit(people, visitors, len(accounts), max_calls - len(resends))
    # The values: what people and accounts are called, and when the journey starts.
    account_ids = [plan.account_id(number) for number, plan in enumerate(accounts, 1)]
    users = [plan.user_id(number) for number, plan in enumerate(people, 1)]
    seed = draw(st.uuids(version=4))
    anonymous = [str(_uuid(seed, f"browser {i}")) for i in range(len(people) + len(visitors))]
    start = draw(moments(earliest=datetime(2024, 1, 1), latest=datetime(2026, 12, 31)))
    start = start.replace(microsecond=start.microsecond // 1000 * 1000)
    companies = [copy.deepcopy(plan.company) for plan in accounts]
    steps = [step for index, (plan, user) in enumerate(zip(people, users, strict=True))
             for step in person_steps(plan, index=index, user_id=user,
                                      anonymous_id=anonymous[index], accounts=account_ids,
                                      companies=companies, backend=backend)]
    for plan, visitor in zip(visitors, anonymous[len(people):], strict=True):
        steps += visitor_steps(plan, visitor)
    steps.sort(key=lambda step: step.at)  # stable: the plan's order among equal instants
    written = [write_call(step.sender, step.kind, user_id=step.user_id,
                          anonymous_id=step.anonymous_id,
                          moment=start + timedelta(milliseconds=step.at),
                          token=_uuid(seed, f"message {index}"), body=step.body, page=step.page,
                          context_group_id=step.context_group_id)
               for index, step in enumerate(steps)]
    duplicates = [copy.deepcopy(written[index])
                  for index in sorted({resend * len(written) // 100 for resend in resends})]
    placed = {step.user_id for step in steps if step.places}
    sent = written + duplicates
    return Journey(
        calls=list(draw(st.permutations(sent))) if shuffled else sent,
        accounts=[str(account) for account in account_ids], users=users,
        anonymous_ids=dict(zip(users, anonymous, strict=False)),
        visitors=anonymous[len(people):], pending_users=[u for u in users if u not in placed],
        duplicates=[call["messageId"] for call in duplicates],
    )


def _uuid(seed: uuid.UUID, name: str) -> uuid.UUID:
    """A version 4 UUID as random as `seed`, distinct for every `name`: one drawn value gives a
    journey all its ids, and the shrinker has one value to simplify instead of dozens."""
    return uuid.UUID(bytes=uuid.uuid5(seed, name).bytes, version=4)
