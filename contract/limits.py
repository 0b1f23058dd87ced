"""Size limits both sides of the wire share, and the one way to measure a payload against them.

Segment rejects a call over 32 KB and a batch over 500 KB or 2,500 calls; Akita is modelled with
the same limits so that anything Segment accepts fits in one Akita request.
"""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MAX_BATCH_MESSAGES = 2500
MAX_MESSAGE_ID_LENGTH = 100


def encoded_size(payload: Any) -> int:
    """Bytes of `payload` as compact UTF-8 JSON: how big it is on the wire, whoever indents it.

    A body may escape a lone surrogate (`"\\ud800"`) and json.loads keeps it; it is measured
    rather than allowed to crash the validator that measures it.
    """
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode("utf-8", "surrogatepass"))
