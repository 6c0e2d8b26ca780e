"""examples/python/verify_resolution.py, the CLI over the package: exit codes 0, 1, 2 on the vectors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import VECTORS

SCRIPT = Path(__file__).resolve().parents[3] / "examples" / "python" / "verify_resolution.py"
pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="the example is not here (outside the repository)")


def run(*args, stdin=None):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], input=stdin, capture_output=True, text=True)


@pytest.fixture
def files(tmp_path):
    def write(name, value):
        path = tmp_path / name
        path.write_text(json.dumps(value), encoding="utf-8")
        return path

    return write


def test_it_verifies_and_names_the_service(files):
    resolution = files("r.json", VECTORS["events"]["approved_by_policy"]["event"])
    router = files("router.json", VECTORS["jwks"]["router"])
    plain = run(resolution, router)
    assert (plain.returncode, plain.stderr) == (0, "")
    assert plain.stdout.startswith("verified: decision 2b7e1c4d-8f3a-4e6b-9c1d-5a4b3c2d1e0f approved by policy refunds-manifest, payload_hash sha256:")
    assert plain.stdout.endswith(f"signed with key {VECTORS['keys']['router']['kid']}\n")
    named = run(resolution, f"router={router}")
    assert named.stdout.endswith("(router)\n")
    assert run("-", router, stdin=json.dumps(VECTORS["events"]["approved_by_policy"]["event"])).returncode == 0


def test_it_refuses_the_wrong_service_and_a_tampered_copy(files):
    router = files("router.json", VECTORS["jwks"]["router"])
    wrong = run(files("r.json", VECTORS["events"]["approved_by_policy"]["event"]), f"escalation={router}")
    assert (wrong.returncode, wrong.stderr) == (1, "NOT verified: resolved by policy: it must be signed by the router service, not the escalation\n")
    tampered = json.loads(json.dumps(VECTORS["events"]["approved_by_policy"]["event"]))
    tampered["data"]["parameters"]["amount_usd"] = 2000
    out = run(files("t.json", tampered), router)
    assert out.returncode == 1 and out.stderr.startswith("NOT verified: the signature does not verify with key ")


def test_it_exits_2_on_inputs_it_cannot_read(files):
    assert "verify_resolution.py RESOLUTION.json JWKS.json" in run().stderr
    assert run().returncode == 2
    assert run("/nonexistent/r.json", "/dev/null").returncode == 2
    not_jwks = run(files("r.json", VECTORS["events"]["approved_by_policy"]["event"]), files("k.json", {"kty": "OKP"}))
    assert not_jwks.returncode == 2 and "not a JWKS" in not_jwks.stderr
