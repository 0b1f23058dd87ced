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
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.etree import ElementTree

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
from contract.provider.wire_checks import (
    check_direct_auth,
    check_direct_duplicates,
    check_direct_invalid,
    check_direct_rules,
    check_direct_unsupported,
    check_direct_valid,
    check_rest,
)

REST = "the REST API upserts by internal_id, requires its fields and queues interactions"
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


def junit_xml(report: VerifyReport) -> bytes:
    """The report as a JUnit XML test suite, one test case a check, for CI systems."""
    failed = sum(not (r.passed or r.skipped) for r in report.results)
    suite = ElementTree.Element("testsuite", {
        "name": "akita-contract verify", "tests": str(len(report.results)),
        "failures": str(failed), "skipped": str(sum(r.skipped for r in report.results)),
        "hostname": report.url})
    properties = ElementTree.SubElement(suite, "properties")
    for name, value in (("seed", report.seed), ("max_examples", report.max_examples)):
        ElementTree.SubElement(properties, "property", {"name": name, "value": str(value)})
    for result in report.results:
        case = ElementTree.SubElement(suite, "testcase", {"classname": "akita-contract",
                                                          "name": result.name})
        if result.skipped:
            ElementTree.SubElement(case, "skipped", {"message": result.detail})
        elif not result.passed:
            failure = ElementTree.SubElement(case, "failure",
                                             {"message": result.detail.splitlines()[0]
                                              if result.detail else "failed"})
            failure.text = result.detail
    return ElementTree.tostring(suite, encoding="utf-8", xml_declaration=True)


def report_json(report: VerifyReport) -> dict[str, Any]:
    """The report as JSON: the run's settings, whether it held, and every check."""
    return {"url": report.url, "seed": report.seed, "max_examples": report.max_examples,
            "ok": report.ok, "checks": [asdict(result) for result in report.results]}


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


def _misdirected(target: Target, answer: requests.Response) -> str | None:
    """One line with the likely fix when the first answer shows the run cannot go on."""
    where = f"{target.url}{INGEST_PATH}"
    if answer.status_code == 404:
        hint = ("give --url the server's base URL (e.g. http://127.0.0.1:8400), not its ingest "
                "URL" if target.url.endswith(INGEST_PATH) else "is --url the server's base URL?")
        return f"{where} answered 404: {hint}"
    if answer.status_code in (401, 403):
        return (f"{where} answered {answer.status_code} to the API key given: pass a key "
                "this server accepts (--api-key or AKITA_API_KEY)")
    return None


def verify(url: str, api_key: str, *, max_examples: int = 50, run_seed: int | None = None,
           session: requests.Session | None = None, timeout: float = 10.0,
           keep_workspaces: bool = False, wire: str = "batch",
           rest: bool = False) -> VerifyReport:
    """Run every provider check against the Akita at `url` and report each one: on the batched
    wire, or (`wire="direct"`) on Segment's partner wire, and with `rest` Akita's REST API too.
    The workspaces made for the rule checks are deleted at the end unless `keep_workspaces`."""
    run_seed = random.randrange(2**32) if run_seed is None else run_seed
    connection = Connection(session or requests.Session(), timeout)
    target = Target(url.rstrip("/"), api_key, connection)
    report = VerifyReport(target.url, run_seed, max_examples)
    reachable = f"the server answers at {target.url}{INGEST_PATH}"
    try:
        first = target.send([])
    except requests.RequestException as error:
        report.results.append(CheckResult(reachable, False, explain(error)))
        return report
    misdirected = _misdirected(target, first)
    report.results.append(CheckResult(reachable, misdirected is None, misdirected or ""))
    if misdirected is not None:
        return report
    try:
        _run_checks(target, report, wire, max_examples, run_seed)
        if rest:
            report.results.append(_run(REST, lambda: check_rest(target), examples=None,
                                       run_seed=run_seed))
    finally:
        if not keep_workspaces:
            target.delete_created()
    return report


Check = tuple[str, Callable[[], None], int | None]  # name, test, examples (None: a plain one)


def _direct_checks(target: Target, examples: int) -> tuple[list[Check], Callable[[], None]]:
    """Segment's partner wire: the checks, and the rules check."""
    return [
        ("auth is enforced: 401 without a valid key", lambda: check_direct_auth(target), None),
        ("screen and alias calls are answered 501", lambda: check_direct_unsupported(target),
         None),
        ("every valid call the mapping takes is answered 2xx", check_direct_valid(target),
         examples),
        ("every broken call gets a 4xx naming its field", check_direct_invalid(target),
         examples),
        ("a call sent twice is acknowledged twice", check_direct_duplicates(target), examples),
    ], check_direct_rules(target)


def _batch_checks(target: Target, examples: int) -> tuple[list[Check], Callable[[], None]]:
    """The batched wire: the checks, and the rules check."""
    return [
        ("auth is enforced: 401 without a valid key", lambda: check_auth(target), None),
        ("unsupported types are answered 501", lambda: check_unsupported_types(target), None),
        ("every valid message is accepted", check_valid_accepted(target), examples),
        ("every invalid message gets a 4xx naming its field", check_invalid_rejected(target),
         examples),
        ("duplicates are acknowledged and not applied again", check_duplicates(target),
         examples),
    ], check_rules(target)


def _run_checks(target: Target, report: VerifyReport, wire: str, max_examples: int,
                run_seed: int) -> None:
    """Every check of the wire, then the rules where the simulator's control API answers."""
    checks, rules = (_direct_checks if wire == "direct" else _batch_checks)(target, max_examples)
    for name, test, examples in checks:
        report.results.append(_run(name, test, examples=examples, run_seed=run_seed))
    if target.has_control_api():
        report.results.append(_run(RULES, rules, examples=max(1, max_examples // 2),
                                   run_seed=run_seed))
    else:
        report.results.append(CheckResult(
            RULES, False, f"no control API at {CONTROL_PATH}: the rules are checked on the "
                          "simulator only", skipped=True))
