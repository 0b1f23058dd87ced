"""Settings every test package shares.

Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (default "dev"):
- "dev": 20 examples a property, random, so each quick local run explores new cases;
- "ci": 25, as many as the suite's budget (two minutes on two shared cores) allows,
  derandomized, so a red build is red again on a re-run and on a laptop; a failure prints the
  blob that reproduces it (@reproduce_failure).
No deadline in either: timings on a shared machine are noise, and performance has benchmarks.
Neither runs the "explain" phase: it replays a failure under a line tracer, which over HTTP can
outlast the test timeout and lose the shrunk case it was meant to explain.
"""

from __future__ import annotations

import os

from hypothesis import Phase, settings

_PHASES = tuple(phase for phase in Phase if phase is not Phase.explain)
settings.register_profile("dev", max_examples=20, deadline=None, phases=_PHASES)
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          print_blob=True, phases=_PHASES)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
