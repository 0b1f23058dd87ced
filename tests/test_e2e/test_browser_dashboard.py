"""The dashboard in a real browser: Debian's chromium driven by Playwright, against the live
simulator of the pytest plugin, fed through the local Segment by analytics-python.

Never `playwright install` (it downloads a browser, which cannot work here): the tests use
/usr/bin/chromium, which `.ci/run` installs with apt-get, and skip without it. Screenshots of
the main pages go to tests/artifacts/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from chromium import NEEDS_CHROMIUM
from playwright.sync_api import Browser, Page, expect
from segment import analytics

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'
LONG = "L" * 10_000
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

pytestmark = NEEDS_CHROMIUM


@contextmanager
def new_page(browser: Browser, *, javascript: bool = True) -> Iterator[Page]:
    """A fresh page with its own cookies (so its own CSRF session), wide enough for tables.

    The browser's console must stay free of errors: a Content-Security-Policy violation (an
    inline style or script the policy refuses) or a missing resource shows up there.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  java_script_enabled=javascript)
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    errors: list[str] = []
    opened.on("console", lambda message: errors.append(message.text)
              if message.type == "error" else None)
    try:
        yield opened
    finally:
        context.close()
    assert errors == []


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A `new_page` for one test."""
    with new_page(browser) as opened:
        yield opened


def shoot(page: Page, name: str) -> None:
    """Save a full-page screenshot to tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def segment(workspace: Any) -> analytics.Client:
    """analytics-python pointed at the live simulator's local Segment, sending each call."""
    return analytics.Client(workspace.api_key, host=workspace.server_url, sync_mode=True,
                            max_retries=1)


def _at(minutes: int) -> datetime:
    """`minutes` after T0, so a test reads as a timeline."""
    return T0 + timedelta(minutes=minutes)


def open_workspace(page: Page, workspace: Any) -> None:
    """From the workspace picker, click through to the workspace's overview."""
    page.goto(f"{workspace.server_url}/")
    page.locator(f'a[href="/workspaces/{workspace.id}"]').click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_calls_through_the_local_segment_show_as_account_contact_and_sessions(
        page: Page, akita_workspace: Any) -> None:
    client = segment(akita_workspace)
    client.identify("ada", {"name": "Ada Lovelace", "email": "ada@example.com",
                            "groupId": "acme"}, timestamp=_at(0), anonymous_id="anon-1")
    client.group("ada", "acme", {"name": "Acme Corp", "plan": "enterprise"}, timestamp=_at(1))
    client.page(anonymous_id="anon-1", name="Pricing", timestamp=_at(-3))
    client.track("ada", "Report Exported", {"rows": 3}, timestamp=_at(2))
    client.track("ada", "Invite Sent", timestamp=_at(120))
    client.identify("bob", {"name": "Bob"}, timestamp=_at(3))
    client.flush()

    open_workspace(page, akita_workspace)
    counts = page.locator("dl.counts")
    expect(counts).to_contain_text("accounts1")
    expect(counts).to_contain_text("pending1")
    shoot(page, "dashboard-overview")

    page.get_by_role("link", name="Accounts", exact=True).click()
    row = page.locator("table.list tbody tr", has_text="acme")
    expect(row).to_contain_text("Acme Corp")
    expect(row.locator("td.number")).to_have_text("1")
    shoot(page, "dashboard-accounts")
    row.get_by_role("link", name="acme").click()
    expect(page.locator("table.traits")).to_contain_text("enterprise")
    page.get_by_role("link", name="ada").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Contact ada")
    expect(page.locator("main")).to_contain_text("In account acme (Acme Corp)")
    traits = page.locator("table.traits")
    expect(traits).to_contain_text("Ada Lovelace")
    expect(page.locator("table.history")).to_contain_text("acme")
    sessions = page.locator("section.session")
    expect(sessions).to_have_count(2)
    expect(sessions.nth(0)).to_contain_text("Invite Sent")
    expect(sessions.nth(1)).to_contain_text("Pricing")  # the visitor's page, stitched
    expect(sessions.nth(1)).to_contain_text("Report Exported")
    expect(page.locator("svg.axis rect.session-bar")).to_have_count(2)
    shoot(page, "dashboard-contact")

    # Where did the email come from? The identify call's message.
    traits.locator("tr", has_text="email").get_by_role("link").click()
    expect(page.locator("main")).to_contain_text('"type": "contact"')

    page.get_by_role("link", name="Journal", exact=True).click()
    entry = page.locator("li.entry", has_text="Report Exported").first
    entry.get_by_text("Segment call").click()
    expect(entry).to_contain_text('"library"')
    expect(entry).to_contain_text("analytics-python")
    shoot(page, "dashboard-journal")

    page.get_by_role("link", name="Pending").click()
    expect(page.locator("table.list")).to_contain_text("bob")
    page.get_by_text("Place it with a group call").click()
    page.get_by_role("link", name="Open in the playground").first.click()
    expect(page.locator("#outcome-status")).to_have_text("mapped")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_playground_paste_check_send_and_see_the_change(
        browser: Browser, akita_workspace: Any, javascript: bool) -> None:
    with new_page(browser, javascript=javascript) as page:
        page.goto(f"{akita_workspace.server_url}/workspaces/{akita_workspace.id}/playground")
        page.get_by_role("link", name="identify with a groupId trait").click()
        expect(page.locator("#outcome-status")).to_have_text("mapped")
        expect(page.locator("section.outcome")).to_contain_text('"organization_id": "acme"')

        page.locator("#call").fill('{"type": "track", "userId": "user-42", '
                                   '"event": "Clicked", "timestamp": "yesterday"}')
        page.get_by_role("button", name="Check").click()
        expect(page.locator("#outcome-status")).to_have_text("invalid")
        expect(page.locator("table.problems")).to_contain_text("$.timestamp")

        page.get_by_role("link", name="identify with a groupId trait").click()
        page.locator('input[name="write_key"]').fill(akita_workspace.api_key)
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#delivery-status")).to_have_text("delivered")
        contact = page.get_by_role("region", name="contact user-42")
        expect(contact.locator(".verdict")).to_have_text("created")
        expect(contact.locator("tr.changed", has_text="traits.email")).to_contain_text(
            "ada@example.com")
        if javascript:
            shoot(page, "dashboard-playground")
        contact.get_by_role("link", name="user-42").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Contact user-42")
        expect(page.locator("main")).to_contain_text("In account acme")


def test_a_script_trait_renders_as_text_and_never_runs(page: Page, akita_workspace: Any) -> None:
    client = segment(akita_workspace)
    client.identify("mallory", {"name": SCRIPT, "bio": LONG, "city": "שלום עולם"},
                    timestamp=_at(0))
    client.track("mallory", IMG, timestamp=_at(1))
    client.flush()

    page.goto(f"{akita_workspace.server_url}/workspaces/{akita_workspace.id}/contacts/mallory")
    expect(page.get_by_text(SCRIPT)).to_be_visible()
    expect(page.locator("table.items")).to_contain_text(IMG)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("script").count() == 0 and page.locator("main img").count() == 0

    bio = page.locator("table.traits tr", has_text="bio")
    expect(bio.locator(".full")).to_be_hidden()
    bio.get_by_text(re.compile("show all 10,000 characters")).click()
    expect(bio.locator(".full")).to_be_visible()
    expect(bio.locator(".full")).to_have_text(LONG)
    assert page.locator('span[dir="auto"]', has_text="שלום עולם").count() == 1

    page.goto(f"{akita_workspace.server_url}/workspaces/{akita_workspace.id}/journal")
    for summary in page.locator("li.entry summary").all():
        summary.click()
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_reset_from_the_overview_empties_the_workspace(page: Page, akita_workspace: Any) -> None:
    segment(akita_workspace).identify("ada", {"name": "Ada"}, timestamp=_at(0))
    open_workspace(page, akita_workspace)
    page.get_by_role("button", name="Reset this workspace").click()
    expect(page.get_by_role("status")).to_contain_text("The workspace was reset")
    expect(page.locator("dl.counts")).to_contain_text("messages0")
    assert akita_workspace.contact("ada") is None
