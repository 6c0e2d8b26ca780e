"""payload_hash: sha256 of the canonical JSON of {action, parameters}, as payloadHash in TypeScript."""

import json
from hashlib import sha256

import pytest

from conftest import VECTORS
from hitl_client import payload_hash


@pytest.mark.parametrize("case", VECTORS["payload_hash"], ids=lambda case: case["name"])
def test_payload_hash_is_the_typescript_implementations(case):
    assert payload_hash(case["action"], json.loads(case["parameters"])) == case["payload_hash"]


def test_it_hashes_the_canonical_form_of_action_and_parameters():
    expected = "sha256:" + sha256(b'{"action":"a","parameters":{"x":1,"y":[true]}}').hexdigest()
    assert payload_hash("a", {"y": [True], "x": 1.0}) == expected


def test_the_events_carry_the_hash_of_what_they_name(vectors):
    for name in ("approved_by_policy", "edited_by_reviewer", "denied_by_reviewer"):
        data = vectors["events"][name]["event"]["data"]
        assert payload_hash(data["action"], data["parameters"]) == data["payload_hash"]


def test_another_amount_is_another_hash():
    assert payload_hash("refund", {"amount": 20}) != payload_hash("refund", {"amount": 20.01})
    assert payload_hash("refund", {"amount": 20}) != payload_hash("refund2", {"amount": 20})


def test_parameters_must_be_an_object():
    with pytest.raises(TypeError):
        payload_hash("refund", [1, 2])  # type: ignore[arg-type]
