#!/usr/bin/env python3
"""Verify the signature of an approval.resolved with published keys, before acting on it.

An executor written in Python, over hitl's Python client (clients/python, the package
`hitl_client`: the standard library and `cryptography`, Debian: python3-cryptography). What it
checks is the wire contract's signature: Ed25519 (`sig`, base64url without padding) over the
RFC 8785 canonical JSON of the whole event without `sig`, by the key its `sigkid` names.

    python3 verify_resolution.py RESOLUTION.json JWKS.json [JWKS.json ...]
    python3 verify_resolution.py - router=router.jwks.json escalation=escalation.jwks.json

RESOLUTION.json is the event as it came off `approval.resolved` ("-": standard input).
Each JWKS is a file of public keys: what a service's `GET /keys` answers, or what
`hitl keys generate` writes. Named `router=` / `escalation=`, the contract's rule of who
signs a resolution is checked too: the router when `resolved_by.kind` is `policy`, the
escalation service otherwise. Exit 0: it verifies (a summary on stdout); 1: it does not
(why, on stderr); 2: an input cannot be read.

Verifying the signature is the first of the executor's checks. Before running the action,
also check that the resolution is for a decision you proposed, names the action you
proposed, and carries the `payload_hash` of what you sent (unless `edited` is true and the
escalation service signed it): `hitl_client.guard(proposal, resolution, keyring, run)` does
all of it, and runs the action only then.

The package is used installed (`python3 -m pip install clients/python`) or, from a clone of
the repository, from clients/python/src next to this script.
"""

import json
import sys
from pathlib import Path

_SOURCES = Path(__file__).resolve().parents[2] / "clients" / "python" / "src"
if (_SOURCES / "hitl_client").is_dir():
    sys.path.insert(0, str(_SOURCES))

from hitl_client import Keyring, Principal, Refused, verify_resolution  # noqa: E402
from hitl_client.canonical import canonical_json, ecmascript_number  # noqa: E402,F401  (kept importable from here)

SERVICES = ("router", "escalation")


def main(argv):
    if len(argv) < 2:
        print(__doc__.split("\n\n")[2], file=sys.stderr)
        return 2
    try:
        text = sys.stdin.read() if argv[0] == "-" else open(argv[0], encoding="utf-8").read()
        event = json.loads(text)
    except (OSError, ValueError) as error:
        print(f"cannot read the resolution {argv[0]}: {error}", file=sys.stderr)
        return 2
    keys = Keyring()
    for spec in argv[1:]:
        service, _, path = spec.partition("=") if spec.split("=", 1)[0] in SERVICES else (None, "", spec)
        try:
            with open(path, encoding="utf-8") as file:
                keys.add_jwks(json.load(file), Principal.service(service) if service else None)
        except (OSError, ValueError) as error:
            print(f"cannot read the keys {path}: {error}", file=sys.stderr)
            return 2
    try:
        signer = verify_resolution(event, keys)
    except Refused as refusal:
        print(f"NOT verified: {refusal}", file=sys.stderr)
        return 1
    data = event.get("data") or {}
    by = data.get("resolved_by") or {}
    service = signer.principal.id if signer.principal else None
    print(
        f"verified: decision {data.get('decision_id')} {data.get('status')} by {by.get('kind')} {by.get('id')}, "
        f"payload_hash {data.get('payload_hash')}, signed with key {signer.kid}{f' ({service})' if service else ''}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
