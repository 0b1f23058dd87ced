"""The plugin's `akita_segment` client lands each test's calls in that test's own workspace,
and the workspace's helpers read them back: what a user's own suite does."""

from __future__ import annotations

from typing import Any

import pytest


def sign_up(analytics: Any, user: str, company: str) -> None:
    """A user's signup code, as it would call Segment."""
    analytics.identify(user, {"email": f"{user}@example.com", "groupId": company})
    analytics.group(user, company, {"name": company.title()})
    analytics.track(user, "Signed Up", {"plan": "trial"})


@pytest.mark.parametrize("user", ["ada", "grace"])
def test_each_test_gets_its_own_workspace_through_the_sdk(
        akita_segment: Any, akita_workspace: Any, user: str) -> None:
    sign_up(akita_segment, user, "acme")
    akita_segment.flush()

    assert [c["person_id"] for c in akita_workspace.state()["contacts"]] == [user]
    assert akita_workspace.contact(user)["organization_id"] == "acme"
    assert akita_workspace.account("acme")["traits"]["name"] == "Acme"
    [session] = akita_workspace.sessions(user)
    assert (session["person"], session["event_count"]) == (user, 1)
    assert akita_workspace.pending() == []
    assert {e["status"] for e in akita_workspace.journal()} == {"accepted"}
    assert akita_workspace.account("nobody") is None


def test_a_contact_without_an_account_is_pending_with_its_reason(
        akita_segment: Any, akita_workspace: Any) -> None:
    akita_segment.identify("lone", {"email": "lone@example.com"})
    akita_segment.flush()

    [pending] = akita_workspace.pending()
    assert pending["person_id"] == "lone" and pending["reason"]
