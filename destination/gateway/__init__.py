"""A local Segment: the Tracking API that Segment's SDKs post to, delivering through the
destination into an Akita (the simulator mounts it; see `simulator.web.serving`).

    routes     /v1/batch, /v1/<type> (and analytics.js's /v1/b, /v1/<initial>)
    intake     body, gzip, size limits, JSON, write key: what makes a request a 400
    enrich     Segment's server-side work: batch defaults, messageId, receivedAt, timestamp,
               and the `integrations` filter (pure functions)
    gateway    SegmentGateway: enrich, filter, validate and map, deliver with AkitaClient
    transport  the in-process requests transport AkitaClient uses here
    journal    what the Akita's journal learns of each call
"""

from __future__ import annotations

from destination.errors import GatewayError
from destination.gateway.gateway import SegmentGateway

__all__ = ["GatewayError", "SegmentGateway"]
