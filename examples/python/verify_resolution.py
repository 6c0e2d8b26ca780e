#!/usr/bin/env python3
"""Verify the signature of an approval.resolved with published keys, before acting on it.

An executor written in Python, with the standard library and `cryptography` (Debian:
python3-cryptography). What it checks is the wire contract's signature: Ed25519 (`sig`,
base64url without padding) over the RFC 8785 canonical JSON of the whole event without
`sig`, by the key its `sigkid` names.

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
escalation service signed it).

Canonical JSON (RFC 8785) is implemented here for what JSON parsing in Python yields:
members sorted by their names' UTF-16 code units, no whitespace, strings escaped as
ECMAScript's JSON.stringify escapes them (ensure_ascii off), numbers as ECMAScript prints
them (integers below 2**53 as they are, other numbers through their shortest round-trip
digits in ECMAScript's layout: 1e21 and up, and below 1e-6, in exponent form). Limits:
NaN and infinities are refused (JSON has none); lone surrogates (a "\\ud800" escape with no
pair) and integers of 2**53 and more are printed as JavaScript would print the double they
parse to, which only matters for events no service of the contract emits.
"""

import base64
import json
import math
import sys
from hashlib import sha256

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

RESOLVED = "hitl.approval.resolved.v1"
SERVICES = ("router", "escalation")


class Refused(Exception):
    """The resolution does not verify: do not act on it."""


# --- RFC 8785 canonical JSON -------------------------------------------------------------


def ecmascript_number(value):
    """A number as ECMAScript's Number::toString prints it (RFC 8785, section 3.2.2.3)."""
    if isinstance(value, bool):
        raise TypeError("not a number")
    if isinstance(value, int) and abs(value) < 2**53:
        return str(value)
    x = float(value)
    if math.isnan(x) or math.isinf(x):
        raise ValueError("NaN and infinities have no JSON form")
    if x == 0:
        return "0"  # -0 too
    sign = "-" if x < 0 else ""
    # repr: the shortest digits that read back as the same double, as ECMAScript picks them.
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    scale = int(exponent or 0) - len(fraction)  # value = int(whole + fraction) * 10**scale
    stripped = digits.rstrip("0")
    scale += len(digits) - len(stripped)
    digits = stripped
    k = len(digits)
    n = scale + k  # value = 0.digits * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = (digits[0] + ("." + digits[1:] if k > 1 else "")) + "e" + ("+" if e > 0 else "-") + str(abs(e))
    return sign + text


def canonical_json(value):
    """The RFC 8785 (JCS) canonical form of a parsed JSON value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        # ensure_ascii=False escapes exactly what JSON.stringify does: " \ and controls.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return ecmascript_number(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    if isinstance(value, dict):
        names = sorted(value, key=lambda name: name.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(name, ensure_ascii=False) + ":" + canonical_json(value[name]) for name in names) + "}"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


# --- keys and signatures -----------------------------------------------------------------


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def thumbprint(x):
    """RFC 7638: the key id of a JWK that names none."""
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    return base64.urlsafe_b64encode(sha256(members.encode()).digest()).rstrip(b"=").decode()


def load_keys(jwks, service):
    """kid -> (public key, service or None) of one JWKS document."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise ValueError('not a JWKS: expected {"keys": [...]}')
    keys = {}
    for i, jwk in enumerate(jwks["keys"]):
        if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
            raise ValueError(f"keys[{i}] is not an Ed25519 public JWK (kty OKP, crv Ed25519, x)")
        raw = b64url_decode(jwk["x"])
        if len(raw) != 32:
            raise ValueError(f"keys[{i}].x is not 32 bytes")
        keys[jwk.get("kid") or thumbprint(jwk["x"])] = (Ed25519PublicKey.from_public_bytes(raw), service)
    return keys


def verify_resolution(event, keys):
    """Who signed the approval.resolved (its kid and service); raises Refused when it does not verify."""
    if not isinstance(event, dict) or event.get("type") != RESOLVED:
        raise Refused(f"not an approval.resolved (type {event.get('type') if isinstance(event, dict) else None!r})")
    kid, sig = event.get("sigkid"), event.get("sig")
    if kid is None and sig is None:
        raise Refused("unsigned: an approval.resolved must carry sigkid and sig")
    if not isinstance(kid, str) or not isinstance(sig, str):
        raise Refused("sigkid and sig must both be strings")
    if kid not in keys:
        raise Refused(f"key {kid} is not among the trusted keys")
    public_key, service = keys[kid]
    try:
        signature = b64url_decode(sig)
    except ValueError:
        raise Refused("sig is not base64url") from None
    if len(signature) != 64:
        raise Refused("sig is not 64 bytes")
    signed = {name: value for name, value in event.items() if name != "sig"}
    try:
        public_key.verify(signature, canonical_json(signed).encode("utf-8"))
    except InvalidSignature:
        raise Refused(f"the signature does not verify with key {kid}") from None
    if service is not None:
        kind = ((event.get("data") or {}).get("resolved_by") or {}).get("kind")
        rightful = "router" if kind == "policy" else "escalation"
        if service != rightful:
            raise Refused(f"resolved by {kind}: it must be signed by the {rightful} service, not the {service}")
    return kid, service


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
    keys = {}
    for spec in argv[1:]:
        service, _, path = spec.partition("=") if spec.split("=", 1)[0] in SERVICES else (None, "", spec)
        try:
            with open(path, encoding="utf-8") as file:
                keys.update(load_keys(json.load(file), service))
        except (OSError, ValueError) as error:
            print(f"cannot read the keys {path}: {error}", file=sys.stderr)
            return 2
    try:
        kid, service = verify_resolution(event, keys)
    except Refused as refusal:
        print(f"NOT verified: {refusal}", file=sys.stderr)
        return 1
    data = event.get("data") or {}
    by = data.get("resolved_by") or {}
    print(
        f"verified: decision {data.get('decision_id')} {data.get('status')} by {by.get('kind')} {by.get('id')}, "
        f"payload_hash {data.get('payload_hash')}, signed with key {kid}{f' ({service})' if service else ''}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
