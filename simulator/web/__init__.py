"""How the fake Akita is spoken to over HTTP: the app, its blueprints, the dashboard, a server.

    app            create_app(): configuration, the Simulator, the blueprints, the one error handler
    serving        create_serving_app(): the app plus the local Segment gateway, as served
    live_server    LiveServer: waitress in a background thread, on any free port
    blueprints/    ingest, the control API (/_sim) and the OpenAPI document
    dashboard/     the pages at / and the playground
    openapi.json   the document of the simulator's own routes

Everything an app holds hangs off `app.extensions`; `simulator_of(app)` and `gateway_of(app)`
are the one way in, for blueprints, the CLI, tests and benchmarks alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from destination.gateway import SegmentGateway
    from simulator.service import Simulator

SIMULATOR = "akita"
GATEWAY = "akita_segment"


def simulator_of(app: Flask) -> Simulator:
    """The Simulator an app serves (every app made by `create_app` has one)."""
    return app.extensions[SIMULATOR]


def gateway_of(app: Flask) -> SegmentGateway | None:
    """The local Segment gateway mounted on an app, or None for the core app without it."""
    return app.extensions.get(GATEWAY)
