"""Every error the contract raises of its own.

    ProviderError (AssertionError)    the Akita under test broke the contract; says how

Validation never raises: it returns the problems it found (`contract.Problem`), because a bad
payload is an answer, not a failure. A provider check does raise, as an assertion would, so
Hypothesis can shrink the case that made it fail.
"""

from __future__ import annotations


class ProviderError(AssertionError):
    """The server under test broke the contract; the message says how."""
