"""The schema files themselves: valid JSON Schema, and registered under the names they carry."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from contract import SCHEMAS


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_schema_passes_the_metaschema(name: str) -> None:
    Draft202012Validator.check_schema(SCHEMAS[name])


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_schema_id_matches_its_file(name: str) -> None:
    """Relative $refs such as `common.json#/$defs/id` resolve against $id, so it must match."""
    assert SCHEMAS[name]["$id"].endswith(f"/schemas/{name}.json")


def test_both_sides_and_every_call_and_message_type_have_a_schema() -> None:
    segment = {"identify", "group", "track", "page", "screen", "alias", "batch", "common"}
    akita = {"contact", "account", "event", "page", "batch", "common", "success", "error"}
    rest = {"account", "contact", "interaction", "event_counts"}
    assert set(SCHEMAS) == ({f"segment/{n}" for n in segment} | {f"akita/{n}" for n in akita}
                            | {f"rest/{n}" for n in rest})
