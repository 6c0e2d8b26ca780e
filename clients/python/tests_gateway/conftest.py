"""The client against the running gateway: run by test/integration/python/gateway-client.int-spec.ts,
which starts the router, the escalation service and the gateway and says where they are.

Nothing here is skipped: without its environment the suite fails, naming what is missing."""

import json
import os
import time
import urllib.request
from pathlib import Path

import pytest

from hitl_client import HitlClient, Keyring

NEEDED = {
    "HITL_GATEWAY_URL": "the gateway's URL",
    "HITL_AGENT_TOKEN": "a gateway token of an agent of acme-support (lambda-bot's)",
    "HITL_ROUTER_JWKS": "a file with the router's JWKS (its GET /keys)",
    "HITL_ESCALATION_JWKS": "a file with the escalation service's JWKS (its GET /keys)",
    "HITL_ESCALATION_URL": "the escalation service's URL (the reviewer API)",
    "HITL_REVIEWER_TOKEN": "a reviewer's token of acme-support (alice's)",
}


@pytest.fixture(scope="session", autouse=True)
def env():
    missing = [f"{name} ({what})" for name, what in NEEDED.items() if not os.environ.get(name)]
    if missing:
        pytest.fail(
            "clients/python/tests_gateway runs against a running gateway, from "
            "test/integration/python/gateway-client.int-spec.ts (npx jest --selectProjects integration "
            "--testPathPattern test/integration/python/gateway-client); missing: " + "; ".join(missing),
            pytrace=False,
        )
    return {name: os.environ[name] for name in NEEDED}


@pytest.fixture(scope="session")
def keyring(env):
    def jwks(name):
        return json.loads(Path(env[name]).read_text(encoding="utf-8"))

    return Keyring(services={"router": jwks("HITL_ROUTER_JWKS"), "escalation": jwks("HITL_ESCALATION_JWKS")})


@pytest.fixture
def client(env, keyring):
    return HitlClient(env["HITL_GATEWAY_URL"], env["HITL_AGENT_TOKEN"], trusted_keys=keyring, timeout=30)


class Reviewer:
    """A person at the escalation service's reviewer API: finds a decision in the inbox and decides it."""

    def __init__(self, url, token):
        self.url, self.token = url.rstrip("/"), token

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def find(self, decision_id, timeout_s=60):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for item in self.call("GET", "/approvals").get("items") or []:
                if item.get("decision_id") == decision_id:
                    return item
            time.sleep(0.25)
        raise AssertionError(f"decision {decision_id} did not reach the reviewer's inbox within {timeout_s} s")

    def approve(self, decision_id):
        item = self.find(decision_id)
        return self.call("POST", f"/approvals/{item['approval_id']}/approve", {"payload_hash": item["payload_hash"]})


@pytest.fixture
def reviewer(env):
    return Reviewer(env["HITL_ESCALATION_URL"], env["HITL_REVIEWER_TOKEN"])
