"""Journeys are coherent: valid calls, explicit timestamps, unique messageIds but for exact
re-sends, browsing before stitching, pending users never placed; and they give every Akita rule
something to do (sessions split at exactly 30 minutes, ties, moves, duplicates...)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contract import validate_segment_call
from contract.generators.journeys import Journey
from contract.generators.strategies import journeys
from contract.timestamps import parse_timestamp

TIMEOUT = timedelta(minutes=30)


def instant(call: dict[str, Any]) -> datetime:
    return parse_timestamp(call["timestamp"])


def person(call: dict[str, Any], journey: Journey) -> str | None:
    """Who made the call once stitched: its userId, or the user whose anonymousId it carries."""
    if call.get("userId") is not None:
        return str(call["userId"])
    return {anon: user for user, anon in journey.anonymous_ids.items()}.get(call["anonymousId"])


def session_gaps(journey: Journey) -> list[timedelta]:
    """Gaps between consecutive pages and events of each person."""
    moments = defaultdict(set)
    for call in journey.calls:
        if call["type"] in ("page", "track") and (who := person(call, journey)):
            moments[who].add(instant(call))
    gaps = []
    for times in moments.values():
        ordered = sorted(times)
        gaps += [later - earlier for earlier, later in pairwise(ordered)]
    return gaps


def placements(journey: Journey) -> dict[str, set[str]]:
    """The accounts each user's calls name: group calls, and groupId on identify."""
    named = defaultdict(set)
    for call in journey.calls:
        if call["type"] == "group":
            named[str(call["userId"])].add(str(call["groupId"]))
        elif call["type"] == "identify":
            for holder in (call.get("traits", {}), call.get("context", {})):
                if "groupId" in holder:
                    named[str(call["userId"])].add(str(holder["groupId"]))
    return named


def tied(journey: Journey, kind: str, key: str) -> bool:
    """Two distinct calls of `kind` for the same `key` (userId or groupId) at the same instant."""
    seen = Counter((str(call[key]), instant(call)) for call in journey.calls
                   if call["type"] == kind and call["messageId"] not in journey.duplicates)
    return any(count > 1 for count in seen.values())


@pytest.mark.parametrize("shuffled", [False, True])
@given(data=st.data())
def test_every_call_is_valid_with_an_explicit_recent_timestamp(shuffled: bool,
                                                                data: st.DataObject) -> None:
    for call in data.draw(journeys(shuffled=shuffled)).calls:
        assert validate_segment_call(call) == []
        assert datetime(2024, 1, 1, tzinfo=UTC) <= instant(call) <= datetime(2027, 3, 1, tzinfo=UTC)


@given(journeys(shuffled=True))
def test_message_ids_are_unique_except_exact_re_sends(journey: Journey) -> None:
    copies = defaultdict(list)
    for call in journey.calls:
        copies[call["messageId"]].append(call)
    assert sorted(i for i, sent in copies.items() if len(sent) > 1) == sorted(journey.duplicates)
    for message_id in journey.duplicates:
        first, again = copies[message_id]
        assert first == again


@given(journeys())
def test_calls_come_in_time_order_and_re_sends_last(journey: Journey) -> None:
    originals = journey.calls[:len(journey.calls) - len(journey.duplicates)]
    assert [instant(c) for c in originals] == sorted(instant(c) for c in originals)
    assert [c["messageId"] for c in journey.calls[len(originals):]] == journey.duplicates


@given(journeys())
def test_anonymous_browsing_comes_before_the_identify_that_stitches_it(journey: Journey) -> None:
    for user, anonymous_id in journey.anonymous_ids.items():
        stitches = [instant(c) for c in journey.calls if c["type"] == "identify"
                    and str(c.get("userId")) == user and c.get("anonymousId") == anonymous_id]
        assert stitches, f"{user} never identifies with {anonymous_id}"
        browsing = [instant(c) for c in journey.calls
                    if c.get("anonymousId") == anonymous_id and c.get("userId") is None]
        assert all(moment < min(stitches) for moment in browsing)


@given(journeys())
def test_accounts_are_founded_by_group_calls_and_pending_users_are_never_placed(
        journey: Journey) -> None:
    founded = {str(c["groupId"]) for c in journey.calls if c["type"] == "group" and c["traits"]}
    assert set(journey.accounts) == founded
    named = placements(journey)
    assert set(journey.pending_users) == set(journey.users) - set(named)
    assert not set(journey.visitors) & set(journey.anonymous_ids.values())


@given(journeys(min_users=1, max_users=3, min_accounts=1, max_accounts=2, max_visitors=1,
                max_calls=12))
def test_sizes_follow_the_options(journey: Journey) -> None:
    assert 1 <= len(journey.users) <= 3 and 1 <= len(journey.accounts) <= 2
    assert len(journey.visitors) <= 1 and len(journey.calls) <= 12


@pytest.mark.parametrize("options", [
    {"min_accounts": 3, "min_users": 2}, {"min_accounts": 0}, {"min_users": 5, "max_users": 4},
    {"max_calls": 5},
])
def test_options_no_journey_can_satisfy_are_refused_at_once(options: dict[str, int]) -> None:
    with pytest.raises(InvalidArgument):
        journeys(**options)


FEATURES: dict[str, Callable[[Journey], bool]] = {
    "anonymous browsing before identify": lambda j: any(
        c.get("userId") is None and c["anonymousId"] in j.anonymous_ids.values() for c in j.calls),
    "a gap of exactly 30 minutes": lambda j: TIMEOUT in session_gaps(j),
    "a gap under 30 minutes": lambda j: any(gap < TIMEOUT for gap in session_gaps(j)),
    "a gap over 30 minutes": lambda j: any(gap > TIMEOUT for gap in session_gaps(j)),
    "a user moving between accounts": lambda j: any(len(a) > 1 for a in placements(j).values()),
    "a pending user": lambda j: bool(j.pending_users),
    "placement through context.groupId": lambda j: any(
        c["type"] == "identify" and "groupId" in c["context"] for c in j.calls),
    "traits changed twice at one instant": lambda j: tied(j, "identify", "userId"),
    "company traits changed twice at one instant": lambda j: tied(j, "group", "groupId"),
    "a re-sent call": lambda j: bool(j.duplicates),
    "a visitor who never identifies": lambda j: bool(j.visitors),
    "a numeric groupId": lambda j: any(isinstance(c.get("groupId"), int) for c in j.calls),
    "a local offset such as +05:30": lambda j: any(
        not c["timestamp"].endswith(("Z", "+00:00")) for c in j.calls),
}


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_journeys_give_every_rule_something_to_do(feature: str) -> None:
    """Found deterministically within a few dozen journeys, so no seed can miss one."""
    find(journeys(), FEATURES[feature], settings=settings(
        max_examples=200, derandomize=True, database=None, phases=[Phase.generate]))


def test_the_simplest_journey_is_two_founders_in_plain_words() -> None:
    """What a failure shrinks towards: every choice at its simplest."""
    simplest = find(journeys(), lambda j: True,
                    settings=settings(database=None, phases=[Phase.generate]))
    assert [(c["type"], c["userId"]) for c in simplest.calls] == [
        ("identify", "user_1"), ("identify", "user_2"), ("group", "user_1"), ("group", "user_2")]
    assert simplest.accounts == ["acct_1", "acct_2"] and not simplest.pending_users
    assert simplest.calls[0]["traits"]["name"] == "Ada Lovelace"
