"""The TypedDicts are the JSON Schemas' (generated), and the contract's events fit them."""

import importlib.util
import typing
from pathlib import Path

import pytest

from conftest import VECTORS
from hitl_client import types

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "generate_types.py"


def generator():
    spec = importlib.util.spec_from_file_location("generate_types", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (ROOT / "libs" / "contracts" / "generated" / "json-schema").is_dir(), reason="the contract's JSON Schemas are not here (outside the repository)")
def test_the_committed_types_are_what_the_generator_makes_of_the_schemas():
    module = generator()
    assert Path(types.__file__).read_text(encoding="utf-8") == module.render(), "stale: run python3 clients/python/scripts/generate_types.py"


def keys_fit(value, typed_dict):
    """The required members are there and nothing named is of an unexpected shape (shallow, recursive on TypedDicts)."""
    assert typed_dict.__required_keys__ <= value.keys(), typed_dict.__required_keys__ - value.keys()
    hints = typing.get_type_hints(typed_dict)
    for name, hint in hints.items():
        if name in value and typing.is_typeddict(hint):
            keys_fit(value[name], hint)


@pytest.mark.parametrize("name", list(VECTORS["events"]))
def test_the_vectors_events_fit_the_types(name):
    event = VECTORS["events"][name]["event"]
    typed = types.DecisionProposedEvent if event["type"] == "hitl.decision.proposed.v1" else types.ApprovalResolvedEvent
    keys_fit(event, typed)
    assert set(event) <= set(typing.get_type_hints(typed))


def test_required_and_optional_members():
    assert "payload_hash" in types.ApprovalResolvedData.__required_keys__
    assert "parameter_errors" in types.ApprovalResolvedData.__optional_keys__
    assert {"decision_id", "agent", "action", "parameters", "summary"} <= types.DecisionProposedData.__required_keys__
    assert "urgency" in types.DecisionProposedData.__optional_keys__
    assert typing.get_args(typing.get_type_hints(types.ApprovalResolvedData)["status"]) == ("approved", "denied", "blocked", "expired")
