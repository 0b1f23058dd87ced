"""Settings every test package shares.

Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (default "dev"):
- "dev": few examples, so a local run stays quick on a shared two-core machine;
- "ci": derandomized, so a red build is red again on a re-run and on a laptop, with more
  examples but still inside the five-minute budget of the whole suite; a failure prints the
  blob that reproduces it (@reproduce_failure).
No deadline in either: timings on a shared machine are noise, and performance has benchmarks.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
