"""A requests transport that hands each request to a WSGI app in the same process.

The gateway delivers with the same `AkitaClient` that talks to a real Akita over the network;
only its `requests.Session` differs. Posting to the server's own port would make a request
wait on another thread of the same pool (with every thread busy in the gateway, on itself);
calling the app's WSGI callable directly needs no socket and no free thread, and the answer
is there when the call returns, which is what lets an SDK's `flush()` mean "it is in Akita".

Failures are mapped here, at the transport's boundary, to what `requests` raises for a socket:
an app that fails while writing its answer is a dropped connection (`requests.ConnectionError`).
The server side never imports a client library to look like one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

# The base URL the in-process session answers; never resolved, never on the network. A name on
# the simulator's Host allowlist, so the app answers it as it answers a local client.
IN_PROCESS_URL = "http://localhost"


class WSGIAdapter(BaseAdapter):
    """Sends a prepared request to `app` through Werkzeug's WSGI runner; stateless."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        """Run the request through the app and wrap its answer as a `requests.Response`."""
        url = urlsplit(request.url or "")
        body = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
        builder = EnvironBuilder(
            path=url.path or "/", query_string=url.query,
            base_url=f"{url.scheme}://{url.netloc}", method=request.method or "GET",
            headers=dict(request.headers), data=body or b"",
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        try:
            app_iter, status, headers = run_wsgi_app(self.app, environ, buffered=True)
            try:
                content = b"".join(app_iter)
            finally:
                close = getattr(app_iter, "close", None)
                if close is not None:
                    close()
        except Exception as error:
            # What a server does when the app fails while writing its answer (the simulator's
            # dropped-connection fault does so on purpose): the connection closes, and the
            # client meets no answer, as it would over a socket.
            raise requests.ConnectionError(
                f"the connection closed with no answer: {error}", request=request) from error
        response = requests.Response()
        code, _, reason = status.partition(" ")
        response.status_code = int(code)
        response.reason = reason
        response.headers = CaseInsensitiveDict(headers.items())
        response.encoding = get_encoding_from_headers(response.headers)
        response._content = content  # what `.content`, `.text` and `.json()` read
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to release: no connections are ever opened."""


def in_process_session(app: Any) -> requests.Session:
    """A session whose requests to `IN_PROCESS_URL` go straight to `app`, and nowhere else.

    The network adapters are removed, so a request to any other URL fails at once instead
    of leaving the process.
    """
    session = requests.Session()
    session.adapters.clear()
    session.mount(f"{IN_PROCESS_URL}/", WSGIAdapter(app))  # not http://localhost:8400
    return session
