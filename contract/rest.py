"""What a write to Akita's REST API means in the same terms as a Segment call: an Akita message.

Akita's REST API upserts accounts and contacts by `internal_id` (help centre). Here an upsert
becomes the `account` or `contact` message the engine already understands, so REST and Segment
writes meet in one state under one set of rules:

    POST /v1/accounts   -> account   internal_id -> organization_id;
                                     name, is_tracked (true unless given), traits -> traits
    POST /v1/contacts   -> contact   internal_id -> person_id;
                                     internal_account_id -> organization_id (places it);
                                     first_name, last_name, email, traits -> traits

A REST write carries no time of its own, so it is stamped with when Akita received it and is
ordered against Segment messages by that time, per field, like any message (*assumption*).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract.problems import Problem
from contract.validation import validate_against

_NAMED = {"account": ("name", "is_tracked"), "contact": ("first_name", "last_name", "email")}


def validate_rest(kind: str, body: Any) -> list[Problem]:
    """Every problem of a REST body, by JSON path, as the contract's other validators report."""
    return validate_against(f"rest/{kind}", body)


def rest_message(kind: str, body: Mapping[str, Any], *, message_id: str,
                 timestamp: str) -> dict[str, Any]:
    """The Akita message a valid account or contact upsert stands for (module docstring)."""
    traits = {**body.get("traits", {})}
    for field in _NAMED[kind]:
        if field in body:
            traits[field] = body[field]
    if kind == "account":
        traits.setdefault("is_tracked", True)  # the API's default (help centre)
        return {"type": "account", "message_id": message_id, "timestamp": timestamp,
                "organization_id": body["internal_id"], "traits": traits}
    return {"type": "contact", "message_id": message_id, "timestamp": timestamp,
            "person_id": body["internal_id"], "organization_id": body["internal_account_id"],
            "traits": traits}
