"""The contract between Segment and Akita: the single source of truth for both sides of the wire.

JSON Schemas of Segment calls (what arrives) and Akita messages (what the destination sends), the
validators that say which field is wrong and why, the mapping (`contract.mapping`: what a
Segment call means to Akita), the Hypothesis strategies that generate both sides
(`contract.generators`) and the provider check (`contract.provider`). Nothing here depends on
the destination or the simulator, and `import contract` imports no Hypothesis.
"""

from __future__ import annotations

from contract import limits
from contract.problems import Problem
from contract.validation import (
    AKITA_MESSAGE_TYPES,
    SCHEMAS,
    SEGMENT_CALL_TYPES,
    validate_against,
    validate_akita_batch,
    validate_akita_message,
    validate_segment_batch,
    validate_segment_call,
)

__all__ = [
    "AKITA_MESSAGE_TYPES",
    "SCHEMAS",
    "SEGMENT_CALL_TYPES",
    "Problem",
    "limits",
    "validate_against",
    "validate_akita_batch",
    "validate_akita_message",
    "validate_segment_batch",
    "validate_segment_call",
]
