"""Shared fixtures: the TypeScript implementation's vectors (vectors/vectors.json)."""

import copy
import json
from pathlib import Path

import pytest

from hitl_client import Keyring, parse_signing_key

VECTORS = json.loads((Path(__file__).parent / "vectors" / "vectors.json").read_text(encoding="utf-8"))


@pytest.fixture
def vectors():
    return copy.deepcopy(VECTORS)


@pytest.fixture
def keyring():
    """The services' keys as an agent trusts them: the router's and the escalation service's JWKS, by name."""
    return Keyring(services={"router": VECTORS["jwks"]["router"], "escalation": VECTORS["jwks"]["escalation"]})


@pytest.fixture
def signing_keys():
    """name -> SigningKey, from the vectors' PEMs (test keys)."""
    return {name: parse_signing_key(key["pem"]) for name, key in VECTORS["keys"].items()}


@pytest.fixture
def event():
    """A fresh copy of one of the TypeScript-signed events."""
    return lambda name: copy.deepcopy(VECTORS["events"][name]["event"])
