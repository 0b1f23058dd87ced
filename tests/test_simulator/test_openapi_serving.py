"""/openapi.json as served with the Segment gateway mounted: still exactly the app's routes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from test_openapi import _METHODS, app_routes

from simulator.web import simulator_of
from simulator.web.serving import create_serving_app, opened_app


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    """The app as `akita-sim serve` runs it."""
    with opened_app() as app:
        yield app


def documented_routes(document: dict) -> dict[str, set[str]]:
    return {path: set(item) & _METHODS for path, item in document["paths"].items()}


def test_the_served_document_describes_every_route_of_the_serving_app(app: Flask) -> None:
    document = app.test_client().get("/openapi.json").get_json()

    assert app_routes(app) == documented_routes(document)
    assert "/v1/batch" in document["paths"]


def test_without_the_gateway_the_document_has_no_segment_paths() -> None:
    bare = create_serving_app(segment=False)
    document = bare.test_client().get("/openapi.json").get_json()

    assert app_routes(bare) == documented_routes(document)
    assert not [path for path in document["paths"] if path.startswith("/v1/")]
    simulator_of(bare).close()


@pytest.mark.parametrize(("body", "status"), [
    ({"batch": [{"type": "track", "userId": "u1", "event": "Signed Up"}]}, 200),
    ({"batch": [{"type": "track"}]}, 200),  # unusable calls are taken and journaled as failed
    ({"batch": "not a list"}, 400),
    ({"batch": []}, 200),
])
def test_gateway_answers_fit_the_documented_responses(app: Flask, body: dict, status: int) -> None:
    document = app.test_client().get("/openapi.json").get_json()
    registry = Registry().with_resource(
        "urn:served", Resource.from_contents(document, default_specification=DRAFT202012))

    answer = app.test_client().post("/v1/batch", json=body, auth=("write-key-openapi", ""))

    assert answer.status_code == status
    pointer = f"/paths/~1v1~1batch/post/responses/{status}/content/application~1json/schema"
    validator = Draft202012Validator({"$ref": f"urn:served#{pointer}"}, registry=registry)
    assert list(validator.iter_errors(answer.get_json())) == []
