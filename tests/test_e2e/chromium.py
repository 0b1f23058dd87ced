"""Debian's chromium for the browser tests, driven by Playwright: never `playwright install`
(it downloads a browser, which cannot work here); `.ci/run` installs /usr/bin/chromium with
apt-get, and the tests skip without it. The `browser` fixture is in this folder's conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags chromium keeps calling home, refused on a closed
# network; the rest keep a headless run quiet and quick.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
NEEDS_CHROMIUM = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium "
                              "(apt-get install chromium; .ci/run does it)"),
]
