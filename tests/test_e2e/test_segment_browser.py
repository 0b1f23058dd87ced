"""@segment/analytics-next (analytics.js), unmodified, in Debian's chromium, against the live
simulator's local Segment: a page on another origin loads the SDK's own browser bundle, as a
site does, and its calls must arrive: a retry included (its `X-Retry-Count` header is
preflighted, and the gateway must allow it, or the browser refuses the retry), and at the
right time when the device's clock is hours off.

The SDK comes from npm (`npm_packages`); its bundle and the page are served by a small static
server of the test's own, on another port, so every call is cross-origin and preflighted
(analytics.js sends `Authorization`). The SDK's settings are given inline (`cdnSettings`) and
its lazy chunks are served from that same server (`cdnURL`): nothing is fetched from Segment.
"""

from __future__ import annotations

import functools
import http.client
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from chromium import NEEDS_CHROMIUM
from npm_packages import installed
from playwright.sync_api import Browser, Page

from contract.timestamps import parse_timestamp

PACKAGE = "@segment/analytics-next@1"
PAGE = """<!doctype html><meta charset="utf-8"><title>shop</title>
<script src="/analytics-next/bundles/index.js"></script>
<script>
window.send = async (apiHost, writeKey, calls) => {
  const [analytics] = await AnalyticsNext.AnalyticsBrowser.load(
    { writeKey, cdnURL: location.origin,
      cdnSettings: { integrations: { 'Segment.io': { apiKey: writeKey, apiHost,
                                                       protocol: 'http' } } } },
    { retryQueue: true })
  window.analytics = analytics  // as a site keeps it: its retry timers live on with it
  for (const [method, args] of calls) await analytics[method](...args)
  return true
}
</script>"""
JOURNEY = [["page", ["Pricing"]],
           ["identify", ["user-7", {"email": "ada@example.com", "groupId": "acme"}]],
           ["group", ["acme", {"name": "Acme"}]],
           ["track", ["Signed Up", {"plan": "pro"}]]]

pytestmark = NEEDS_CHROMIUM


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing: the test reads the journal, not this log."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A static site with the page and the SDK's bundles; its base URL."""
    bundles = installed(PACKAGE, "analytics-next") / "@segment" / "analytics-next" / "dist"
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    (root / "analytics-next").mkdir()
    (root / "analytics-next" / "bundles").symlink_to(bundles / "umd")
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    """The site's page, loaded in a fresh context."""
    context = browser.new_context()
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    opened.goto(f"{site}/index.html")
    yield opened
    context.close()


def send(page: Page, workspace: Any, calls: list[list[Any]], *, via: str | None = None) -> None:
    """Send `calls` through analytics.js on `page` to the workspace's local Segment, or to
    the server at base URL `via` in front of it."""
    host = (via or workspace.server_url).removeprefix("http://")
    assert page.evaluate("([host, key, calls]) => window.send(host + '/v1', key, calls)",
                         [host, workspace.api_key, calls])


def eventually(page: Page, check: Callable[[], Any], *, within: float = 20.0) -> Any:
    """`check()` once it is truthy; fails after `within` seconds (analytics.js sends later).

    It waits through the page, never with `time.sleep`: Playwright's sync API runs route
    handlers only while the test is inside one of its calls.
    """
    deadline = time.monotonic() + within
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            assert found, "analytics.js's calls did not arrive"
            return found
        page.wait_for_timeout(200)


def accepted(workspace: Any) -> list[dict[str, Any]]:
    """The workspace's accepted journal entries."""
    return workspace.journal(status="accepted", limit=100)


def test_a_page_identify_group_and_track_arrive(page: Page, akita_workspace: Any) -> None:
    send(page, akita_workspace, JOURNEY)

    entries = eventually(page, lambda: len(accepted(akita_workspace)) == 4
                         and accepted(akita_workspace))
    assert {e["segment_call"]["context"]["library"]["name"] for e in entries} == {"analytics.js"}
    contact = akita_workspace.contact("user-7")
    assert contact["organization_id"] == "acme"
    assert len(contact["sessions"]) == 1  # the page (before identify) and the track, tied
    [account] = akita_workspace.state()["accounts"]
    assert (account["organization_id"], account["traits"]["name"]) == ("acme", "Acme")


class FirstPostFails(BaseHTTPRequestHandler):
    """In front of the local Segment: the first POST gets a 503 (as from a busy Segment, CORS
    headers and all); everything else, preflights included, is passed to the gateway, so the
    gateway's own answer to the retry's preflight decides whether the retry may be sent."""

    upstream = ""
    failed: list[str]
    lock = threading.Lock()  # requests are served on threads of their own

    def do_OPTIONS(self) -> None:
        """Pass the preflight on."""
        self._forward()

    def do_POST(self) -> None:
        """Fail the first, pass on the rest."""
        with self.lock:
            first = not self.failed
            if first:
                self.failed.append(self.path)
        if first:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(503)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._forward()

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        connection = http.client.HTTPConnection(self.upstream, timeout=10)
        connection.request(self.command, self.path, body=body or None,
                           headers={k: v for k, v in self.headers.items()})
        answer = connection.getresponse()
        content = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("content-length", "connection", "transfer-encoding",
                                    "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)
        connection.close()

    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing."""


def test_a_call_whose_first_attempt_fails_is_retried_and_arrives(
        page: Page, akita_workspace: Any) -> None:
    handler = type("Handler", (FirstPostFails,), {
        "upstream": akita_workspace.server_url.removeprefix("http://"), "failed": []})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    retries: list[str | None] = []
    page.on("request", lambda request: retries.append(request.headers.get("x-retry-count"))
            if request.method == "POST" else None)
    try:
        send(page, akita_workspace, [["track", ["Retried", {}]]],
             via=f"http://127.0.0.1:{proxy.server_port}")

        entries = eventually(page, lambda: accepted(akita_workspace))
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert handler.failed == ["/v1/t"], handler.failed
    assert entries[0]["segment_call"]["event"] == "Retried"
    assert "1" in retries  # it came as a retry, whose header the gateway's preflight allowed


def test_a_device_clock_hours_ahead_is_corrected(page: Page, akita_workspace: Any) -> None:
    ahead = datetime.now(UTC) + timedelta(hours=3)
    page.clock.install(time=ahead)
    page.reload()

    send(page, akita_workspace, [["track", ["Skewed", {}]]])

    (entry,) = eventually(page, lambda: accepted(akita_workspace))
    sent = entry["segment_call"]
    assert abs(parse_timestamp(sent["originalTimestamp"]) - ahead) < timedelta(minutes=5)
    landed = parse_timestamp(entry["akita_message"]["timestamp"])
    assert abs(landed - datetime.now(UTC)) < timedelta(minutes=5)  # not three hours ahead
