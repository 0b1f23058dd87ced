"""The dashboard at `/`: what Akita made of the data and why, and a playground for calls.

Server-rendered with Jinja (autoescaped, no front-end build, no script), so every page works
in any browser and hostile values render as text. It reads through the `Simulator` facade
with per-id lookups and paged lists, never a whole snapshot, so pages stay fast in a large
workspace. The playground reaches the destination only through the Segment gateway object
(`gateway_of(app)`), keeping the simulator's core free of it.

    blueprint    the Blueprint, its security hooks and its error page
    pages        workspaces, accounts, contacts, pending, visitors, journal, messages, reset
    playground   check a Segment call, see its Akita message, send it, see what changed
    onboarding   Akita's Connect Segment and Segment > Configure pages
    changes      before and after of what a sent call touched, from per-id lookups
    examples     the playground's example calls
    security     CSRF token and origin checks on POST, CSP and friends on every answer
    render       helpers the templates call: JSON, time axis, paging, placing calls
"""

from __future__ import annotations

from simulator.web.dashboard import onboarding, pages, playground
from simulator.web.dashboard.blueprint import bp

__all__ = ["bp", "onboarding", "pages", "playground"]
