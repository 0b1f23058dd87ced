"""Request parsing every blueprint shares: the simulator, JSON bodies, API keys.

Each helper raises the simulator's own errors, so a malformed request gets the same JSON answer
(with a reason) whichever endpoint it reached.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request

from contract.limits import nests_deeper
from simulator.errors import (
    InvalidJSON,
    InvalidParameter,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from simulator.service import Simulator
from simulator.web import simulator_of

_AUTH_HELP = "send Basic auth with the API key as username and an empty password, or Bearer <key>"


def simulator() -> Simulator:
    """The Simulator of the app serving this request."""
    return simulator_of(current_app)


@dataclass(frozen=True)
class Credentials:
    """What `Authorization` carries: Basic's user name and password, or a Bearer token (as
    `user`, with no password)."""

    scheme: str
    user: str
    password: str = ""


_MALFORMED = f"malformed Authorization header: {_AUTH_HELP}"


def credentials() -> Credentials | None:
    """The `Authorization` header read strictly, or None when absent; Unauthorized naming the
    fault when it cannot be read.

    Read here rather than through Werkzeug's `request.authorization`, which raised on bytes
    that are not ASCII (a 500) and reads a Bearer token holding `=` as parameters (no token).
    """
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    scheme, rest = scheme.lower(), rest.strip()
    if scheme == "bearer" and rest:
        return Credentials("bearer", rest)
    if scheme == "basic":
        try:
            decoded = base64.b64decode(rest, validate=True).decode("utf-8")
        except ValueError:  # not ASCII, not base64 (binascii.Error) or not UTF-8
            raise Unauthorized(_MALFORMED) from None
        user, colon, password = decoded.partition(":")
        if colon:
            return Credentials("basic", user, password)
    raise Unauthorized(_MALFORMED)


def api_key() -> str:
    """The API key from `Authorization`: Basic (key as username, empty password) or Bearer."""
    given = credentials()
    if given is None:
        raise Unauthorized(f"missing API key: {_AUTH_HELP}")
    if given.password:
        raise Unauthorized(f"Basic auth password must be empty: {_AUTH_HELP}")
    if not given.user:
        raise Unauthorized(_MALFORMED)
    return given.user


_INTEGER = re.compile(r"-?[0-9]+")
MAX_DEPTH = 256
_TOO_DEEP = f"the body nests arrays and objects more than {MAX_DEPTH} levels deep"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body(max_bytes: int) -> Any:
    """The request body as JSON, refusing oversize bodies before a byte of them is read.

    Checked in the order a sender fixes things: size (413), media type and encoding (415),
    then UTF-8 and JSON syntax (400, with the position of the fault).
    """
    length = request.content_length
    if length is not None and length > max_bytes:
        raise PayloadTooLarge(
            f"the body is {length:,} bytes; a request may be at most {max_bytes:,} bytes"
        )
    if request.mimetype != "application/json":
        given = request.mimetype or "no Content-Type"
        raise UnsupportedMediaType(f"the body must be application/json, not {given}")
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding != "identity":
        raise UnsupportedMediaType(
            f"Content-Encoding {encoding} is not supported; send the body uncompressed"
        )
    raw = request.get_data(cache=False)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidJSON(
            f"the body is not valid UTF-8: byte 0x{raw[error.start]:02x} at offset {error.start}"
        ) from error
    try:
        body = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise InvalidJSON(
            f"the body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from error
    except ValueError as error:
        raise InvalidJSON(f"the body is not valid JSON: {error}") from error
    except RecursionError as error:
        raise InvalidJSON(_TOO_DEEP) from error
    # Python parses JSON a thousand levels deep, but validating, storing and showing such a
    # body recurses further and would fail with a 500; a fixed limit makes it a 400 up front.
    if nests_deeper(body, MAX_DEPTH):
        raise InvalidJSON(_TOO_DEEP)
    return body


def int_arg(name: str, *, minimum: int | None = None, form: bool = False) -> int | None:
    """An integer query argument, None when absent; 400 naming it when not a whole number.

    `form`: an empty value also counts as absent, as HTML forms send every field. Ranges that
    are the service's rules (a journal page's limit) are checked there; `minimum` is for what
    only a page cares about (page numbers start at 1).
    """
    text = request.args.get(name)
    if text is None or (form and not text.strip()):
        return None
    # ASCII digits only: int() also takes "٣", "1_0" and " 5 ", which no client means.
    if not _INTEGER.fullmatch(text) or len(text) > 20:
        raise InvalidParameter(f"{name} must be a whole number in ASCII digits, "
                               f"not {text[:40]!r}")
    value = int(text)
    if minimum is not None and value < minimum:
        raise InvalidParameter(f"{name} must be at least {minimum}, not {value}")
    return value


def streamed_json(document: dict[str, Any]) -> Response:
    """A whole-workspace answer, encoded one list item at a time as it is sent.

    Encoding a large workspace's state in one `json.dumps` holds the GIL for the whole of it
    (about a second at 100,000 messages), and every ingest in the process waits that long; in
    pieces, the GIL changes hands between them. Same JSON as `jsonify`, keys sorted.
    """
    dumps = current_app.json.dumps

    def pieces() -> Iterator[str]:
        yield "{"
        for number, key in enumerate(sorted(document)):
            value = document[key]
            yield ("," if number else "") + dumps(key) + ":"
            if isinstance(value, list):
                yield "["
                for index, item in enumerate(value):
                    yield ("," if index else "") + dumps(item)
                yield "]"
            else:
                yield dumps(value)
        yield "}\n"

    return Response(pieces(), mimetype="application/json")
