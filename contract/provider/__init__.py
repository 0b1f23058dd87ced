"""The provider check, `akita-contract verify`: does an Akita at some base URL honour the contract?

    runner    verify(): runs every check against a target and gathers the report
    checks    one function per check (auth, valid accepted, invalid refused, duplicates, rules)
    http      the target, its connection and the requests the checks send

Generated cases come from `contract.generators`, so importing this package imports Hypothesis;
`import contract` alone does not.
"""

from __future__ import annotations

from contract.errors import ProviderError
from contract.provider.runner import CheckResult, VerifyReport, junit_xml, report_json, verify

__all__ = ["CheckResult", "ProviderError", "VerifyReport", "junit_xml", "report_json", "verify"]
