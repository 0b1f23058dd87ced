"""The provider side of the contract: does an Akita at some base URL honour the wire format?

`verify()` drives any Akita-compatible server over HTTP with generated messages and reports, check
by check, what it found. It needs nothing of ours on the server: auth, acceptance of every valid
message, a 4xx naming the field for every invalid one, de-duplication and 501 for unsupported
types are checked everywhere (`contract.provider.checks`). Where the server also exposes the
simulator's control API (`/_sim/...`), the rules are checked too, each case in fresh workspaces
so earlier data cannot mask a failure.

Hypothesis runs each generated check outside pytest with the run's seed, shrinks a failure to a
small case, and the report keeps that case (with the request body sent, as JSON) under the
check's name; the seed is printed so that a failing run can be repeated exactly.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.errors import Flaky

from contract.errors import ProviderError
from contract.provider.checks import (
    check_auth,
    check_duplicates,
    check_invalid_rejected,
    check_rules,
    check_unsupported_types,
    check_valid_accepted,
)
from contract.provider.http import CONTROL_PATH, INGEST_PATH, Connection, Target

RULES = "the rules hold (one account per contact, order independence, idempotency)"


@dataclass
class CheckResult:
    """One check: its name, whether it held, and what was seen when it did not."""

    name: str
    passed: bool
    detail: str = ""
    skipped: bool = False


@dataclass
class VerifyReport:
    """Every check run against one base URL, with what reproduces the run."""

    url: str
    seed: int
    max_examples: int
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no check failed (a skipped check does not fail the run)."""
        return all(result.passed or result.skipped for result in self.results)

    def render(self) -> str:
        """The report a user reads in CI: one line a check, details under the failures."""
        lines = [f"akita-contract verify {self.url} (seed {self.seed}, "
                 f"{self.max_examples} examples a check)", ""]
        for result in self.results:
            mark = "SKIP" if result.skipped else ("PASS" if result.passed else "FAIL")
            lines.append(f"  {mark}  {result.name}")
            if result.detail and not result.passed:
                lines.extend(f"        {line}" for line in result.detail.splitlines())
        failed = sum(not (result.passed or result.skipped) for result in self.results)
        lines += ["", f"{len(self.results) - failed} of {len(self.results)} checks held"]
        if failed:
            lines[-1] += f", {failed} failed"
            lines.append(f"Reproduce with: akita-contract verify --url {self.url} --api-key ... "
                         f"--max-examples {self.max_examples} --seed {self.seed}")
        return "\n".join(lines)


def explain(error: BaseException) -> str:
    """What a failed check saw, for a person: the server's fault first, then Hypothesis's notes
    (the shrunk falsifying case and the request body sent)."""
    if isinstance(error, BaseExceptionGroup):
        heading = ("the server answered the same case differently when it was sent again"
                   if isinstance(error, Flaky) else "several different failures")
        return "\n".join([heading + ":", *(explain(inner) for inner in error.exceptions)])
    if isinstance(error, ProviderError):
        summary = str(error)
    elif isinstance(error, requests.RequestException):
        summary = f"no answer from the server: {error}"
    else:
        summary = f"the check could not run: {type(error).__name__}: {error}"
    notes = [note for note in getattr(error, "__notes__", ()) if note.strip()]
    return "\n".join([summary, *notes])


def _run(name: str, test: Callable[[], None], *, examples: int | None,
         run_seed: int) -> CheckResult:
    """Run one check, generated (with `examples` and the seed) or plain, never raising."""
    if examples is not None:
        test = settings(max_examples=examples, deadline=None, database=None, derandomize=False,
                        print_blob=False, suppress_health_check=list(HealthCheck),
                        phases=(Phase.explicit, Phase.generate, Phase.shrink))(test)
        test = seed(run_seed)(test)
    try:
        test()
    except Exception as failure:  # any failure, the server's or the run's, is the report's
        return CheckResult(name, False, explain(failure))
    return CheckResult(name, True)


def verify(url: str, api_key: str, *, max_examples: int = 50, run_seed: int | None = None,
           session: requests.Session | None = None, timeout: float = 10.0) -> VerifyReport:
    """Run every provider check against the Akita at `url` and report each one."""
    run_seed = random.randrange(2**32) if run_seed is None else run_seed
    connection = Connection(session or requests.Session(), timeout)
    target = Target(url.rstrip("/"), api_key, connection)
    report = VerifyReport(target.url, run_seed, max_examples)
    reachable = f"the server answers at {target.url}{INGEST_PATH}"
    try:
        target.send([])
    except requests.RequestException as error:
        report.results.append(CheckResult(reachable, False, explain(error)))
        return report
    report.results.append(CheckResult(reachable, True))
    checks: list[tuple[str, Callable[[], None], int | None]] = [
        ("auth is enforced: 401 without a valid key", lambda: check_auth(target), None),
        ("unsupported types are answered 501", lambda: check_unsupported_types(target), None),
        ("every valid message is accepted", check_valid_accepted(target), max_examples),
        ("every invalid message gets a 4xx naming its field", check_invalid_rejected(target),
         max_examples),
        ("duplicates are acknowledged and not applied again", check_duplicates(target),
         max_examples),
    ]
    for name, test, examples in checks:
        report.results.append(_run(name, test, examples=examples, run_seed=run_seed))
    if target.has_control_api():
        report.results.append(_run(RULES, check_rules(target),
                                   examples=max(1, max_examples // 2), run_seed=run_seed))
    else:
        report.results.append(CheckResult(
            RULES, False, f"no control API at {CONTROL_PATH}: the rules are checked on the "
                          "simulator only", skipped=True))
    return report
