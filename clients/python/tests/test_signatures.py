"""Signatures: what the TypeScript services sign verifies here, what Python signs verifies as theirs."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conftest import VECTORS
from hitl_client import (
    AuthorityRefused,
    KeyFormatError,
    Keyring,
    MalformedEvent,
    Principal,
    SignatureRefused,
    authority_problem,
    generate_signing_key,
    jwk_thumbprint,
    parse_jwks,
    parse_signing_key,
    public_jwk_of,
    sign_event,
    signature_verifies,
    signing_input,
    verify_event,
    verify_resolution,
)
from hitl_client.signatures import b64url_encode

EVENTS = list(VECTORS["events"])


@pytest.mark.parametrize("name", EVENTS)
def test_the_signing_input_is_the_typescript_implementations(name):
    entry = VECTORS["events"][name]
    assert signing_input(entry["event"]) == entry["signing_input"].encode("utf-8")


@pytest.mark.parametrize("name", EVENTS)
def test_signing_with_the_same_key_gives_the_typescript_signature(name, signing_keys):
    signed = VECTORS["events"][name]["event"]
    signer = next(n for n, k in VECTORS["keys"].items() if k["kid"] == signed["sigkid"])
    unsigned = {k: v for k, v in signed.items() if k not in ("sig", "sigkid")}
    assert sign_event(unsigned, signing_keys[signer]) == signed  # Ed25519 is deterministic


def test_keys_read_from_pem_have_the_typescript_key_ids(signing_keys):
    for name, key in VECTORS["keys"].items():
        assert signing_keys[name].kid == key["kid"] == jwk_thumbprint(key["jwk"]["x"])
        assert public_jwk_of(signing_keys[name].private_key) == key["jwk"]


def test_the_thumbprint_of_rfc_8037_appendix_a3():
    assert jwk_thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo") == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_a_private_jwk_keeps_its_kid(signing_keys):
    private = signing_keys["agent"].private_key
    from cryptography.hazmat.primitives import serialization

    d = b64url_encode(private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()))
    x = public_jwk_of(private)["x"]
    key = parse_signing_key(json.dumps({"kty": "OKP", "crv": "Ed25519", "d": d, "x": x, "kid": "refund-bot-2026-12"}))
    assert key.kid == "refund-bot-2026-12"
    assert parse_signing_key(json.dumps({"kty": "OKP", "crv": "Ed25519", "d": d})).kid == VECTORS["keys"]["agent"]["kid"]
    with pytest.raises(KeyFormatError, match="not the public half"):
        parse_signing_key(json.dumps({"kty": "OKP", "crv": "Ed25519", "d": d, "x": VECTORS["keys"]["router"]["jwk"]["x"]}))


@pytest.mark.parametrize("text", ["not a key", '{"kty":"RSA","d":"x"}', "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
def test_keys_that_are_not_ed25519_are_refused(text):
    with pytest.raises(KeyFormatError):
        parse_signing_key(text)


@pytest.mark.parametrize(
    "jwks, message",
    [
        ({"kty": "OKP"}, "not a JWKS"),
        ({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}, r"keys\[0\] is not an Ed25519 public JWK"),
        ({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "short"}]}, r"keys\[0\]\.x is not 32 bytes"),
    ],
)
def test_jwks_that_are_not_ed25519_are_refused_naming_the_key(jwks, message):
    with pytest.raises(KeyFormatError, match=message):
        parse_jwks(jwks)


def test_a_key_listed_for_two_principals_is_refused():
    jwks = VECTORS["jwks"]["router"]
    with pytest.raises(KeyFormatError, match="listed twice"):
        Keyring(services={"router": jwks, "escalation": jwks})


def test_a_key_without_kid_is_known_by_its_thumbprint(event):
    jwk = {k: v for k, v in VECTORS["keys"]["router"]["jwk"].items() if k != "kid"}
    keys = Keyring(services={"router": {"keys": [jwk]}})
    assert verify_resolution(event("approved_by_policy"), keys).kid == VECTORS["keys"]["router"]["kid"]


@pytest.mark.parametrize(
    "name, service",
    [("approved_by_policy", "router"), ("edited_by_reviewer", "escalation"), ("denied_by_reviewer", "escalation"), ("approved_by_reviewer", "escalation")],
)
def test_the_typescript_signed_resolutions_verify(name, service, keyring, event):
    signer = verify_resolution(event(name), keyring)
    assert signer.principal == Principal("service", service)
    assert signer.kid == VECTORS["keys"][service]["kid"]


def test_member_order_and_whitespace_on_the_wire_do_not_matter(keyring):
    raw = json.dumps(VECTORS["events"]["approved_by_policy"]["event"], indent=3, ensure_ascii=True)
    reordered = dict(reversed(list(json.loads(raw).items())))
    assert verify_resolution(reordered, keyring).kid == VECTORS["keys"]["router"]["kid"]


def test_the_proposal_verifies_as_the_agents():
    keys = Keyring(agents=[{"id": "refund-bot", "workspaces": ["acme-support"], "keys": VECTORS["jwks"]["agent"]}])
    signer = verify_event(VECTORS["events"]["proposal"]["event"], keys)
    assert signer.principal == Principal("agent", "refund-bot", ("acme-support",))
    other = Keyring(agents=[{"id": "other-bot", "workspaces": "*", "keys": VECTORS["jwks"]["agent"]}])
    with pytest.raises(AuthorityRefused, match='names agent "refund-bot" but is signed by agent "other-bot"'):
        verify_event(VECTORS["events"]["proposal"]["event"], other)
    elsewhere = Keyring(agents=[{"id": "refund-bot", "workspaces": ["globex"], "keys": VECTORS["jwks"]["agent"]}])
    with pytest.raises(AuthorityRefused, match='may not act in workspace "acme-support"'):
        verify_event(VECTORS["events"]["proposal"]["event"], elsewhere)


TAMPERINGS = [
    ("the amount", lambda e: e["data"]["parameters"].__setitem__("amount_usd", 2000)),
    ("the payload_hash", lambda e: e["data"].__setitem__("payload_hash", "sha256:" + "0" * 64)),
    ("the status", lambda e: e["data"].__setitem__("status", "denied")),
    ("the workspace", lambda e: e.__setitem__("workspaceid", "globex")),
    ("the event id", lambda e: e.__setitem__("id", "7c0f3c1e-1111-4111-8111-111111111111")),
    ("an added field", lambda e: e["data"].__setitem__("extra", "x")),
    ("a unicode note", lambda e: e["data"]["parameters"].__setitem__("note", e["data"]["parameters"]["note"].replace("Zoë", "Zoe")),),
    ("the signature itself", lambda e: e.__setitem__("sig", ("B" if e["sig"][0] == "A" else "A") + e["sig"][1:])),
    # The last character carries 2 bits: its next letter decodes to the very same bytes; refused as in TypeScript.
    ("the signature's spelling (the same bytes)", lambda e: e.__setitem__("sig", e["sig"][:-1] + {"A": "B", "Q": "R", "g": "h", "w": "x"}[e["sig"][-1]])),
]


@pytest.mark.parametrize("name, tamper", TAMPERINGS, ids=[name for name, _ in TAMPERINGS])
def test_a_tampered_resolution_is_refused(name, tamper, keyring, event):
    tampered = event("approved_by_policy")
    tamper(tampered)
    with pytest.raises(SignatureRefused) as refused:
        verify_resolution(tampered, keyring)
    assert refused.value.code == "signature_invalid"
    assert not isinstance(refused.value, AuthorityRefused)


def test_an_unknown_key_is_refused(keyring, event):
    resolution = event("approved_by_policy")
    resolution["sigkid"] = "someone-else"
    with pytest.raises(SignatureRefused, match="key someone-else is not among the trusted keys"):
        verify_resolution(resolution, keyring)


def test_a_key_the_keyring_does_not_hold_under_the_routers_kid_is_refused(keyring, event):
    forger = generate_signing_key()
    resolution = event("approved_by_policy")
    forged = sign_event(resolution, type(forger.key)(resolution["sigkid"], forger.key.private_key))
    assert forged["sigkid"] == resolution["sigkid"] and forged["sig"] != resolution["sig"]
    with pytest.raises(SignatureRefused, match="does not verify with key"):
        verify_resolution(forged, keyring)


def test_the_stranger_key_verifies_only_when_trusted(signing_keys, event):
    signed = sign_event(event("approved_by_policy"), signing_keys["stranger"])
    with pytest.raises(SignatureRefused, match="not among the trusted keys"):
        verify_resolution(signed, Keyring(services={"router": VECTORS["jwks"]["router"]}))


@pytest.mark.parametrize(
    "name, wrong, right",
    [("approved_by_policy", "escalation", "router"), ("edited_by_reviewer", "router", "escalation"), ("denied_by_reviewer", "router", "escalation")],
)
def test_a_resolution_signed_by_the_wrong_service_is_refused(name, wrong, right, signing_keys, keyring, event):
    resigned = sign_event(event(name), signing_keys[wrong])
    with pytest.raises(AuthorityRefused, match=f"must be signed by the {right} service, not the {wrong}"):
        verify_resolution(resigned, keyring)


def test_a_resolution_signed_by_an_agent_is_refused(signing_keys, event):
    keys = Keyring(services={"router": VECTORS["jwks"]["router"]}, agents=[{"id": "refund-bot", "keys": VECTORS["jwks"]["agent"]}])
    with pytest.raises(AuthorityRefused, match='not agent "refund-bot"'):
        verify_resolution(sign_event(event("approved_by_policy"), signing_keys["agent"]), keys)


def test_keys_trusted_for_no_service_check_the_signature_only(signing_keys, event):
    keys = Keyring().add_jwks(VECTORS["jwks"]["escalation"])
    signer = verify_resolution(sign_event(event("approved_by_policy"), signing_keys["escalation"]), keys)
    assert signer.principal is None


@pytest.mark.parametrize(
    "edit, refusal, code",
    [
        (lambda e: (e.pop("sig"), e.pop("sigkid")), "unsigned: an approval.resolved must carry sigkid and sig", "unsigned"),
        (lambda e: e.pop("sig"), "sigkid and sig must both be strings", "signature_invalid"),
        (lambda e: e.__setitem__("sigkid", 7), "sigkid and sig must both be strings", "signature_invalid"),
        (lambda e: e.__setitem__("sig", "!" * 86), "not an Ed25519 signature", "signature_invalid"),
        (lambda e: e.__setitem__("sig", e["sig"] + "=="), "not an Ed25519 signature", "signature_invalid"),
        (lambda e: e["data"].__setitem__("amount", float("nan")), "cannot be canonicalized", "signature_invalid"),
    ],
)
def test_malformed_signatures_are_refused(edit, refusal, code, keyring, event):
    resolution = event("approved_by_policy")
    edit(resolution)
    with pytest.raises(SignatureRefused, match=refusal) as refused:
        verify_resolution(resolution, keyring)
    assert refused.value.code == code


def test_another_event_type_is_not_a_resolution(keyring):
    with pytest.raises(MalformedEvent, match="not an approval.resolved"):
        verify_resolution(VECTORS["events"]["proposal"]["event"], keyring)
    with pytest.raises(MalformedEvent):
        verify_resolution(["not", "an", "event"], keyring)


def test_signature_verifies_never_raises(signing_keys, event):
    public = signing_keys["router"].private_key.public_key()
    assert signature_verifies(event("approved_by_policy"), public)
    assert not signature_verifies({**event("approved_by_policy"), "sig": 5}, public)
    assert not signature_verifies({**event("approved_by_policy"), "x": float("inf")}, public)
    assert not signature_verifies(event("approved_by_policy"), Ed25519PrivateKey.generate().public_key())


@pytest.mark.parametrize(
    "event_type, data, principal, allowed",
    [
        ("hitl.approval.requested.v1", {}, Principal("service", "router"), True),
        ("hitl.approval.requested.v1", {}, Principal("service", "escalation"), False),
        ("hitl.approval.clarification_requested.v1", {}, Principal("service", "escalation"), True),
        ("hitl.approval.clarification_requested.v1", {}, Principal("service", "router"), False),
        ("hitl.approval.clarification_provided.v1", {}, Principal("agent", "refund-bot"), True),
        ("hitl.approval.clarification_provided.v1", {}, Principal("service", "escalation"), False),
        ("hitl.outcome.labeled.v1", {}, Principal("labeler", "crm-sync", ("acme-support",)), True),
        ("hitl.outcome.labeled.v1", {}, Principal("labeler", "crm-sync", ("globex",)), False),
        ("hitl.action.executed.v1", {}, Principal("service", "router"), False),
        ("hitl.control.probation_started.v1", {}, Principal("service", "router"), True),
        ("hitl.control.paused.v1", {}, Principal("service", "router"), False),
        ("hitl.handoff.requested.v1", {"agent_id": "refund-bot"}, Principal("agent", "refund-bot"), True),
        ("hitl.handoff.requested.v1", {"agent_id": "refund-bot"}, Principal("agent", "other-bot"), False),
        ("hitl.approval.resolved.v1", {"resolved_by": {"kind": "timeout"}}, Principal("service", "escalation"), True),
        ("hitl.approval.resolved.v1", {"resolved_by": {"kind": "timeout"}}, Principal("service", "router"), False),
    ],
)
def test_the_contracts_table_of_who_signs_what(event_type, data, principal, allowed):
    problem = authority_problem({"type": event_type, "workspaceid": "acme-support", "data": data}, principal)
    assert (problem is None) == allowed, problem
