"""One realistic customer journey, for the end-to-end tests that send it through real Segment
SDKs, and the state Akita must hold once the SDK has flushed.

A founder creates the Acme account (group) and identifies with a `groupId` trait; a colleague
browses anonymously (two pages), signs up (identify with both ids: the pages become hers),
tracks an event in the same session and another three hours later (a second session); the
founder invites a teammate with `context.groupId`. Written SDK-neutrally: (method, fields,
minutes after START); each SDK test turns it into its own calls.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ACCOUNT = "acct-acme"
FOUNDER, COLLEAGUE, VISITOR = "founder-1", "user-2", "anon-7"

JOURNEY: list[tuple[str, dict[str, Any], int]] = [
    ("group", {"userId": FOUNDER, "groupId": ACCOUNT,
               "traits": {"name": "Acme", "plan": "pro"}}, 0),
    ("identify", {"userId": FOUNDER,
                  "traits": {"email": "ada@acme.example", "groupId": ACCOUNT}}, 1),
    ("page", {"anonymousId": VISITOR, "name": "Pricing",
              "properties": {"path": "/pricing"}}, 10),
    ("page", {"anonymousId": VISITOR, "name": "Sign up",
              "properties": {"path": "/signup"}}, 12),
    ("identify", {"userId": COLLEAGUE, "anonymousId": VISITOR,
                  "traits": {"email": "bo@acme.example", "groupId": ACCOUNT}}, 13),
    ("track", {"userId": COLLEAGUE, "event": "Signed Up", "properties": {"plan": "pro"}}, 14),
    ("track", {"userId": FOUNDER, "event": "Invited Teammate",
               "context": {"groupId": ACCOUNT}}, 20),
    ("track", {"userId": COLLEAGUE, "event": "Report Viewed"}, 14 + 180),
]


def at(minutes: int) -> datetime:
    """The moment a journey step happens."""
    return START + timedelta(minutes=minutes)


def assert_journey_landed(state: dict[str, Any]) -> None:
    """The account, both contacts in it, the stitched visitor and the sessions."""
    assert state["pending"] == [] and state["visitors"] == []
    (account,) = state["accounts"]
    assert account["organization_id"] == ACCOUNT
    assert account["traits"] == {"name": "Acme", "plan": "pro"}
    assert account["contacts"] == [FOUNDER, COLLEAGUE]
    contacts = {c["person_id"]: c for c in state["contacts"]}
    assert {person: c["organization_id"] for person, c in contacts.items()} == {
        FOUNDER: ACCOUNT, COLLEAGUE: ACCOUNT}
    colleague = contacts[COLLEAGUE]
    assert colleague["anonymous_ids"] == [VISITOR]
    assert colleague["traits"]["email"] == "bo@acme.example"
    # The anonymous pages joined her sign-up session; three hours later is a new session.
    assert [[item.get("name") or item.get("event") for item in session["items"]]
            for session in colleague["sessions"]] == [
        ["Pricing", "Sign up", "Signed Up"], ["Report Viewed"]]
    assert colleague["sessions"][0]["start"] == "2026-11-20T09:10:00.000Z"
    (founder_session,) = contacts[FOUNDER]["sessions"]
    assert [item["event"] for item in founder_session["items"]] == ["Invited Teammate"]
    assert state["counts"]["messages"] == len(JOURNEY)
