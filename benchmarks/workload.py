"""Deterministic traffic for the benchmarks: Akita messages and Segment calls that exercise
every rule, generated fast enough that a million of them cost seconds, not minutes.

The contract's Hypothesis strategies draw far richer values but a few thousand per second at
best; benchmarks need volume and the same input on every run (a seeded `random.Random`), with
every rule on: contacts placed by `groupId` and by `account` messages, pending contacts, moves
between accounts, anonymous visitors later tied to a contact, sessions split by the timeout,
late (out of order) messages and repeated message ids.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

MESSAGES_PER_PERSON = 50  # so a contact's history grows with the workspace, as in real use
PERSONS_PER_ACCOUNT = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
# A person's messages come about ten minutes apart on average, so a 30-minute timeout cuts
# their history into sessions of some twenty items, whatever the size of the workspace.
PERSON_GAP = timedelta(minutes=10)
EVENTS = ("Signed Up", "Report Exported", "Invite Sent", "Order Completed")
PAGES = (("/", "Home"), ("/pricing", "Pricing"), ("/docs", "Docs"))


def _wire(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def population(total: int) -> tuple[int, int]:
    """How many persons and accounts a workspace of `total` messages holds."""
    persons = max(10, total // MESSAGES_PER_PERSON)
    return persons, max(2, persons // PERSONS_PER_ACCOUNT)


def person_id(index: int) -> str:
    """The id of person `index` (the growth benchmark looks one up)."""
    return f"user-{index:07d}"


def organization_id(index: int) -> str:
    """The id of account `index`."""
    return f"org-{index:06d}"


def akita_messages(total: int, *, seed: int = 9, prefix: str = "m") -> Iterator[dict[str, Any]]:
    """`total` Akita messages: 8% contacts, 4% accounts, 48% events, 40% pages, 1% repeats.

    A person's first contact message either names its account (`groupId`) or leaves it pending
    until an account message places it; one account message in twenty moves a contact. A
    fifth of events and pages come from an anonymous visitor whom a later contact message ties
    to its person; one in fifty messages arrives up to two hours late.
    """
    rng = random.Random(seed)
    persons, accounts = population(total)
    step = PERSON_GAP / persons
    recent: list[dict[str, Any]] = []
    for index in range(total):
        roll = rng.random()
        if roll < 0.01 and recent:
            yield dict(_repeat(rng, recent))
            continue
        moment = START + step * index
        if rng.random() < 0.02:
            moment -= timedelta(minutes=rng.randint(1, 120))
        who = rng.randrange(persons)
        message: dict[str, Any] = {"message_id": f"{prefix}{index}", "timestamp": _wire(moment)}
        if roll < 0.09:
            message.update(type="contact", person_id=person_id(who), anonymous_id=f"anon-{who}",
                           traits={"email": f"{person_id(who)}@example.com",
                                   "plan": rng.choice(("free", "pro", "enterprise")),
                                   "seats": rng.randint(1, 500)})
            if who % 3:
                message["organization_id"] = organization_id(who % accounts)
        elif roll < 0.13:
            org = who % accounts if rng.random() > 0.05 else rng.randrange(accounts)
            message.update(type="account", organization_id=organization_id(org),
                           person_id=person_id(who),
                           traits={"name": f"Account {org}", "mrr": rng.randint(0, 10_000)})
        elif roll < 0.61:
            message.update(type="event", event=rng.choice(EVENTS),
                           properties={"value": rng.randint(1, 100), "source": "benchmark"})
            _actor(rng, message, who)
        else:
            path, name = rng.choice(PAGES)
            message.update(type="page", name=name, category=None,
                           properties={"path": path, "url": f"https://example.com{path}"})
            _actor(rng, message, who)
        recent.append(message)
        if len(recent) > 1000:
            del recent[:500]
        yield message


def _actor(rng: random.Random, message: dict[str, Any], who: int) -> None:
    if rng.random() < 0.2:
        message["anonymous_id"] = f"anon-{who}"
    else:
        message["person_id"] = person_id(who)


def _repeat(rng: random.Random, recent: list[dict[str, Any]]) -> dict[str, Any]:
    return recent[rng.randrange(len(recent))]


def batches(messages: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Messages cut into lists of `size` (the last may be shorter)."""
    batch: list[dict[str, Any]] = []
    for message in messages:
        batch.append(message)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def segment_calls(total: int, *, seed: int = 9, prefix: str = "c") -> list[dict[str, Any]]:
    """`total` Segment calls as analytics-python sends them: identify, group, track, page."""
    return list(segment_call_stream(total, seed=seed, prefix=prefix))


def segment_call_stream(total: int, *, seed: int = 9, prefix: str = "c",
                        archived: bool = False) -> Iterator[dict[str, Any]]:
    """The calls of `segment_calls`, one at a time; `archived` gives them what Segment's S3
    archive holds besides: a `receivedAt`, an anonymousId on identifies (so that a tenth of the
    pages, sent before sign-in under that id alone, are stitched) and 1% re-sent calls."""
    rng = random.Random(seed)
    persons, accounts = population(total)
    step = PERSON_GAP / persons
    recent: list[dict[str, Any]] = []
    for index in range(total):
        if archived and recent and rng.random() < 0.01:
            yield _repeat(rng, recent)
            continue
        who = rng.randrange(persons)
        moment = START + step * index
        call: dict[str, Any] = {
            "messageId": f"{prefix}{index}", "timestamp": _wire(moment),
            "userId": person_id(who), "context": {"library": {"name": "analytics-python",
                                                              "version": "2.3.3"}},
        }
        roll = rng.random()
        if roll < 0.1:
            call.update(type="identify", traits={"email": f"{person_id(who)}@example.com",
                                                 "groupId": organization_id(who % accounts)})
            if archived:
                call["anonymousId"] = f"device-{who:07d}"
        elif roll < 0.15:
            call.update(type="group", groupId=organization_id(who % accounts),
                        traits={"name": f"Account {who % accounts}"})
        elif roll < 0.6:
            call.update(type="track", event=rng.choice(EVENTS),
                        properties={"value": rng.randint(1, 100)})
        else:
            path, name = rng.choice(PAGES)
            call.update(type="page", name=name, properties={"path": path})
            if archived and roll > 0.96:
                del call["userId"]
                call["anonymousId"] = f"device-{who:07d}"
        if archived:
            call["receivedAt"] = _wire(moment + timedelta(milliseconds=rng.randint(20, 900)))
            recent.append(call)
            del recent[:-100]
        yield call
