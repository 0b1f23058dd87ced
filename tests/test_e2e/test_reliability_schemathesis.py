"""Schemathesis against the served `/openapi.json`, with every one of its checks.

The app is `akita-sim serve`'s (the simulator with the Segment gateway), in process. Every
operation is called with generated valid and invalid input, and each answer must be documented
(status, content type, headers, body schema), never a 5xx, a refusal of invalid input, a 405
with `Allow` for undocumented methods, a 401 when the key is missing or wrong, and so on.

Three settings say what the document promises and what it does not:
- a 413 rejects invalid data as surely as a 400 (a `sequence` or `batch` over its `maxItems`
  is refused by size first), and so does ingest's 501 for a message type Akita does not take;
- that 501 is the answer Segment expects from a partner destination for an unsupported type
  (documented), not a server failure;
- the Akita and Segment message bodies are described loosely and point to the contract's JSON
  Schemas for the full rules, so `positive_data_acceptance` (which reads the document as the
  whole rule) is left out on ingest and on the gateway's paths. Every other check runs on every
  operation.
Faults cannot leak into the run: the ingest key's workspace is not the one whose faults the
control operations change.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from simulator.web import simulator_of
from simulator.web.serving import create_serving_app

KEY = "schemathesis-key"
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 501]

[[operations]]
include-path-regex = "^/(akita/v1/|v1/)"
checks.positive_data_acceptance.enabled = false

[[operations]]
include-path-regex = "^/akita/v1/segment$"
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", 501]
"""


# Built at import: Schemathesis's parametrize needs the schema when tests are collected, and its
# fixture-based loader does not run under this pytest. Closed by the fixture below.
APP = create_serving_app({"AKITA_DB": None, "AKITA_API_KEY": KEY})
# Every `{workspace_id}` names this workspace, not the ingest key's, so faults set on it by
# generated PUTs never reach the ingest calls.
CONTROL_WORKSPACE = simulator_of(APP).create_workspace("schemathesis control")["id"]
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP,
                                        config=SchemathesisConfig.from_str(CONFIG))


@pytest.fixture(scope="module", autouse=True)
def _close_app() -> Iterator[None]:
    """Close the app's store once the module's tests are done."""
    yield
    simulator_of(APP).close()


@schema.parametrize()
@settings(max_examples=min(settings.default.max_examples, 15),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_honours_the_document(case: Any) -> None:
    if "workspace_id" in (case.path_parameters or {}):
        case.path_parameters["workspace_id"] = CONTROL_WORKSPACE
    token = base64.b64encode(f"{KEY}:".encode()).decode()

    case.call_and_validate(headers={"Authorization": f"Basic {token}"})
