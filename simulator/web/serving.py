"""The app as served: the simulator with the local Segment Tracking API mounted in front of it.

The only simulator module that imports `destination`: the core (engine, store, service, the
ingest and control blueprints) is Akita alone and never depends on Segment's side of the wire,
while `akita-sim serve` and the pytest plugin's live server want both, so that an SDK pointed
at the server sends through the real destination into the simulator.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import Flask

from destination.gateway import SegmentGateway
from destination.gateway.openapi import openapi_fragment
from destination.gateway.queue import RETRY_WINDOW
from destination.pipeline.dedup import DEFAULT_WINDOW
from simulator.web import GATEWAY, gateway_of, simulator_of
from simulator.web.app import create_app


def create_serving_app(config: Mapping[str, Any] | None = None, *,
                       segment: bool = True) -> Flask:
    """`create_app(config)` plus, unless `segment` is False, the Segment gateway at `/v1/...`,
    reachable as `gateway_of(app)` (None without it) and described in the served
    `/openapi.json`.

    Beside `create_app`'s settings: AKITA_SEGMENT_WIRE (how the gateway delivers: `direct`, one
    raw call a request as Segment delivers to partners, the default; or `batch`),
    AKITA_SEGMENT_DEDUP_WINDOW (seconds the edge remembers a
    messageId, 24 h) and AKITA_SEGMENT_RETRY_WINDOW (seconds a queued call is retried, 4 h).
    Queued calls are retried when asked (`POST .../deliveries/retry`); `akita-sim serve` also
    starts `gateway_of(app).queue.start()` to retry them in the background.
    """
    app = create_app(config)
    if segment:
        settings = app.config
        gateway = SegmentGateway(
            simulator_of(app), app,
            dedup_window=timedelta(seconds=float(settings.get(
                "AKITA_SEGMENT_DEDUP_WINDOW", DEFAULT_WINDOW.total_seconds()))),
            retry_window=timedelta(seconds=float(settings.get(
                "AKITA_SEGMENT_RETRY_WINDOW", RETRY_WINDOW.total_seconds()))),
            wire=settings.get("AKITA_SEGMENT_WIRE", "direct"))
        for blueprint in gateway.blueprints:
            app.register_blueprint(blueprint)
        app.extensions[GATEWAY] = gateway
        app.extensions.setdefault("akita_openapi", []).append(openapi_fragment())
    return app


@contextmanager
def opened_app(config: Mapping[str, Any] | None = None, *,
               segment: bool = True) -> Iterator[Flask]:
    """`create_serving_app(config, segment=segment)`, its simulator closed on leaving: how
    fixtures, scripts and benchmarks make an app without leaking its database connection."""
    app = create_serving_app(config, segment=segment)
    try:
        yield app
    finally:
        gateway = gateway_of(app)
        if gateway is not None:
            gateway.queue.stop()
        simulator_of(app).close()
