"""Reading a request to the Segment Tracking API: its body, its JSON, its write key.

Segment answers 400 only for what makes a request unreadable, and everything here is that kind
of fault: a body over the limit (32 KB for one call, 500 KB for a batch), a compressed body that
is not gzip or inflates past the limit, bytes that are not UTF-8 JSON, a body of the wrong
shape, no write key. Sizes are checked on `Content-Length` before anything is read, and again
on the bytes themselves (a chunked body has no length, and a small gzip body can inflate to
gigabytes: inflation stops one byte past the limit).

A write key comes from Basic auth (the key as username: `key:`, base64; a password, or a
missing colon, is tolerated as Segment's edge tolerates it) or else from `writeKey` in the
body (analytics.js sends it there). No message here ever repeats the key.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from contract import validate_against
from contract.limits import MAX_MESSAGE_BYTES, encoded_size
from destination.errors import GatewayError
from destination.inputs import BATCH_FIELDS

GZIP_WINDOW = 16 + zlib.MAX_WBITS  # zlib's "gzip header and trailer" mode
AUTH_HELP = ("send Basic auth with the write key as username and an empty password, or "
             "writeKey in the body")


def _too_large(size: int | str, limit: int, what: str) -> GatewayError:
    return GatewayError(f"the {what} is {size} bytes; the Tracking API accepts at most "
                        f"{limit:,} bytes ({limit // 1024} KB)", "too_large")


def inflate(data: bytes, limit: int) -> bytes:
    """gzip `data` inflated, refused as soon as it passes `limit` bytes (no gzip bombs).

    Concatenated gzip members are read one after another, as `gzip.decompress` would.
    """
    out = bytearray()
    while data:
        stream = zlib.decompressobj(GZIP_WINDOW)
        try:
            out += stream.decompress(data, limit + 1 - len(out))
        except zlib.error as error:
            raise GatewayError(f"the body is not valid gzip: {error}", "invalid_gzip") from error
        if len(out) > limit or stream.unconsumed_tail:
            raise _too_large(f"over {limit:,}", limit, "inflated body")
        if not stream.eof:
            raise GatewayError("the body is not valid gzip: it ends too early", "invalid_gzip")
        data = stream.unused_data
    return bytes(out)


def read_body(request: Request, limit: int, what: str) -> bytes:
    """The body's bytes, inflated when `Content-Encoding: gzip`, at most `limit` of them."""
    length = request.content_length
    if length is not None and length > limit:
        raise _too_large(f"{length:,}", limit, what)
    try:
        raw = request.stream.read(limit + 1)
    except RequestEntityTooLarge:  # the server's own cap on a body without a length
        raise _too_large(f"over {limit:,}", limit, what) from None
    if len(raw) > limit:
        raise _too_large(f"over {limit:,}", limit, what)
    encoding = (request.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding == "gzip":
        return inflate(raw, limit)
    if encoding != "identity":
        raise GatewayError(f"Content-Encoding {encoding} is not supported; send gzip or "
                           "nothing", "unsupported_encoding")
    return raw


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """The body as JSON, whatever its Content-Type (analytics.js sends text/plain)."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_not_json)
    except UnicodeDecodeError as error:
        raise GatewayError(f"the body is not UTF-8: byte at offset {error.start}",
                           "invalid_json") from error
    except json.JSONDecodeError as error:
        raise GatewayError(f"the body is not valid JSON: {error.msg} at line {error.lineno} "
                           f"column {error.colno}", "invalid_json") from error
    except (ValueError, RecursionError) as error:
        raise GatewayError(f"the body is not valid JSON: {error}", "invalid_json") from error


def _basic_username(authorization: str) -> str | None:
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None  # e.g. analytics-python's OAuth Bearer token: not a write key
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except ValueError:  # not base64 (binascii.Error), not UTF-8, or not even ASCII
        return None
    return decoded.partition(":")[0] or None


def write_key(request: Request, body: Any) -> str:
    """The write key of the request: Basic auth first, then `writeKey` in the body."""
    authorization = request.headers.get("Authorization")
    key = _basic_username(authorization) if authorization else None
    if key is None and isinstance(body, dict):
        given = body.get("writeKey")
        key = given if isinstance(given, str) and given else None
    if key is None:
        raise GatewayError(f"missing write key: {AUTH_HELP}", "missing_write_key")
    return key


def single_call(body: Any) -> dict[str, Any]:
    """The call of a `/v1/<type>` request (the pipeline gives it the path's type)."""
    if not isinstance(body, dict):
        raise GatewayError("the body must be a JSON object: one Segment call", "invalid_body")
    return body


def batch_calls(body: Any) -> tuple[list[Any], dict[str, Any]]:
    """The calls of a `/v1/batch` body and its batch-level fields (context, integrations,
    sentAt); a call that is not an object is left for the gateway to journal as invalid."""
    problems = [problem for problem in validate_against("segment/batch", body)
                if not problem.path.startswith("$.batch[")]
    if problems:
        raise GatewayError("the body is not a Segment batch: "
                           + "; ".join(str(problem) for problem in problems), "invalid_body")
    calls = body["batch"]  # past 2,500 calls the gateway rejects the extra ones, answering 200
    for index, call in enumerate(calls):
        size = encoded_size(call)
        if size > MAX_MESSAGE_BYTES:
            raise _too_large(f"{size:,}", MAX_MESSAGE_BYTES, f"call at $.batch[{index}]")
    return calls, {name: body[name] for name in BATCH_FIELDS if name in body}
