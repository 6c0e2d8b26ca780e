"""The contract's signatures: who said it (libs/contracts/src/signatures).

Every event carries ``sigkid`` and ``sig``: Ed25519 over the RFC 8785 canonical JSON of the
whole event without ``sig``, in base64url without padding, by the key ``sigkid`` names.
Public keys are JWKs (``kty: OKP``, ``crv: Ed25519``) in JWKS documents (what a service's
``GET /keys`` answers, what ``hitl keys generate`` writes); a key's id is its ``kid``, else
its RFC 7638 thumbprint.

Verify the event as it was received, parsed as JSON (``json.loads`` of the bytes), never a
re-serialised or transformed copy: the canonical form of that object is what was signed.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any, Iterable, Literal, Mapping, Sequence, Union

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .canonical import canonical_bytes
from .errors import AuthorityRefused, KeyFormatError, MalformedEvent, SignatureRefused

__all__ = [
    "DECISION_PROPOSED",
    "APPROVAL_REQUESTED",
    "APPROVAL_RESOLVED",
    "APPROVAL_CLARIFICATION_REQUESTED",
    "APPROVAL_CLARIFICATION_PROVIDED",
    "ACTION_EXECUTED",
    "OUTCOME_LABELED",
    "SIGNING_SERVICES",
    "Principal",
    "TrustedKey",
    "Signer",
    "Keyring",
    "SigningKey",
    "GeneratedKey",
    "b64url_encode",
    "b64url_decode",
    "jwk_thumbprint",
    "parse_jwks",
    "public_key_from_jwk",
    "public_jwk_of",
    "parse_signing_key",
    "generate_signing_key",
    "signing_input",
    "sign_event",
    "signature_verifies",
    "authority_problem",
    "verify_event",
    "verify_resolution",
]

DECISION_PROPOSED = "hitl.decision.proposed.v1"
APPROVAL_REQUESTED = "hitl.approval.requested.v1"
APPROVAL_RESOLVED = "hitl.approval.resolved.v1"
APPROVAL_CLARIFICATION_REQUESTED = "hitl.approval.clarification_requested.v1"
APPROVAL_CLARIFICATION_PROVIDED = "hitl.approval.clarification_provided.v1"
ACTION_EXECUTED = "hitl.action.executed.v1"
OUTCOME_LABELED = "hitl.outcome.labeled.v1"
HANDOFF_REQUESTED = "hitl.handoff.requested.v1"
DIRECTORY_REVIEWER_CHANGED = "hitl.directory.reviewer_changed.v1"
CONTROL_PAUSED = "hitl.control.paused.v1"
CONTROL_RESUMED = "hitl.control.resumed.v1"
CONTROL_PROBATION_STARTED = "hitl.control.probation_started.v1"
CONTROL_PROBATION_GRADUATED = "hitl.control.probation_graduated.v1"
CONTROL_PROBATION_ENDED = "hitl.control.probation_ended.v1"

#: The services whose keys grant authority.
SIGNING_SERVICES = ("router", "escalation")

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_PUBLIC_X = re.compile(r"^[A-Za-z0-9_-]{43}$")
# 64 bytes in base64url: 85 characters and one holding the last 2 bits, its other 4 zero. A
# last character with them set decodes to the same bytes; refused, so one signature has one spelling.
_SIGNATURE = re.compile(r"^[A-Za-z0-9_-]{85}[AQgw]$")


# --- base64url and key ids -----------------------------------------------------------------


def b64url_encode(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """base64url with or without padding; ``ValueError`` on any other character."""
    unpadded = text.rstrip("=")
    if not _BASE64URL.match(unpadded) or len(unpadded) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))


def jwk_thumbprint(x: str) -> str:
    """RFC 7638 thumbprint of an Ed25519 key (its ``x``): the key id of a JWK that names none."""
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    return b64url_encode(sha256(members.encode("utf-8")).digest())


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# --- principals and trusted keys -----------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Whom a key speaks for: a service (``id``: ``router`` or ``escalation``), an agent or a
    labeler (``workspaces``: the workspaces it may act in, ``"*"``: every one)."""

    kind: Literal["service", "agent", "labeler"]
    id: str
    workspaces: Union[Literal["*"], tuple[str, ...]] = "*"

    @staticmethod
    def service(name: str) -> "Principal":
        if name not in SIGNING_SERVICES:
            raise ValueError(f"unknown service {name!r} (one of {', '.join(SIGNING_SERVICES)})")
        return Principal("service", name)

    def describe(self) -> str:
        return f"the {self.id}" if self.kind == "service" else f'{self.kind} "{self.id}"'

    def may_act_in(self, workspace: Any) -> bool:
        return self.workspaces == "*" or workspace in self.workspaces


@dataclass(frozen=True)
class TrustedKey:
    kid: str
    public_key: Ed25519PublicKey = field(repr=False)
    jwk: Mapping[str, Any]
    #: None: a key trusted without saying whom it speaks for (the signature is checked, the table is not).
    principal: Principal | None


@dataclass(frozen=True)
class Signer:
    """Who signed a verified event: the key and the principal it speaks for (None: not said)."""

    kid: str
    principal: Principal | None


def parse_jwks(jwks: Any) -> list[dict[str, Any]]:
    """The keys of a JWKS document, each checked to be an Ed25519 public JWK; ``KeyFormatError`` names the first bad one."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise KeyFormatError('not a JWKS: expected {"keys": [...]}')
    keys = []
    for i, jwk in enumerate(jwks["keys"]):
        if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
            raise KeyFormatError(f"keys[{i}] is not an Ed25519 public JWK (kty OKP, crv Ed25519, x)")
        if not _PUBLIC_X.match(jwk["x"]):
            raise KeyFormatError(f"keys[{i}].x is not 32 bytes in base64url (43 characters)")
        kid = jwk.get("kid")
        if kid is not None and (not isinstance(kid, str) or not kid):
            raise KeyFormatError(f"keys[{i}].kid must be a non-empty string")
        keys.append(jwk)
    return keys


def public_key_from_jwk(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    except (KeyError, TypeError, ValueError) as error:
        raise KeyFormatError(f"not an Ed25519 public JWK: {error}") from None


class Keyring:
    """The trusted keys, each with the principal it speaks for. Several keys per principal may
    be trusted at once (rotation).

    ``services``: ``{"router": jwks, "escalation": jwks}`` (the documents their ``GET /keys``
    serve); ``agents`` and ``labelers``: ``[{"id", "workspaces", "keys": jwks}]``.
    """

    def __init__(
        self,
        services: Mapping[str, Any] | None = None,
        agents: Iterable[Mapping[str, Any]] = (),
        labelers: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        self._keys: dict[str, TrustedKey] = {}
        for name, jwks in (services or {}).items():
            self.add_jwks(jwks, Principal.service(name))
        for kind, entries in (("agent", agents), ("labeler", labelers)):
            for entry in entries:
                workspaces = entry.get("workspaces", "*")
                principal = Principal(kind, entry["id"], workspaces if workspaces == "*" else tuple(workspaces))  # type: ignore[arg-type]
                self.add_jwks(entry["keys"], principal)

    def add_jwks(self, jwks: Any, principal: Principal | None = None) -> "Keyring":
        """Trusts the keys of a JWKS document for ``principal`` (None: for nobody in particular)."""
        for jwk in parse_jwks(jwks):
            kid = jwk.get("kid") or jwk_thumbprint(jwk["x"])
            known = self._keys.get(kid)
            if known is not None:
                if known.principal == principal and known.jwk["x"] == jwk["x"]:
                    continue  # the same key listed again
                whom = lambda p: p.describe() if p else "no principal"  # noqa: E731
                raise KeyFormatError(f"key {kid} is listed twice (for {whom(known.principal)} and {whom(principal)})")
            self._keys[kid] = TrustedKey(kid, public_key_from_jwk(jwk), dict(jwk), principal)
        return self

    def key(self, kid: str) -> TrustedKey | None:
        return self._keys.get(kid)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def service_jwks(self, service: str) -> dict[str, Any]:
        """The public keys of one service, as a JWKS document."""
        keys = [k for k in self._keys.values() if k.principal and k.principal.kind == "service" and k.principal.id == service]
        return {"keys": [{**k.jwk, "kid": k.kid} for k in keys]}


# --- signing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    """A key that signs events: its id (``sigkid``) and the private half."""

    kid: str
    private_key: Ed25519PrivateKey = field(repr=False)


@dataclass(frozen=True)
class GeneratedKey:
    pem: str = field(repr=False)
    jwk: dict[str, Any]
    key: SigningKey


def public_jwk_of(key: Ed25519PrivateKey | Ed25519PublicKey, kid: str | None = None) -> dict[str, Any]:
    """The public JWK of a key, with its thumbprint as ``kid`` unless one is given."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    if not isinstance(public, Ed25519PublicKey):
        raise KeyFormatError(f"not an Ed25519 key ({type(key).__name__})")
    x = b64url_encode(_raw_public(public))
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid or jwk_thumbprint(x)}


def parse_signing_key(text: str | bytes) -> SigningKey:
    """A signing key from the text of a key file: a PKCS#8 PEM (``-----BEGIN PRIVATE KEY-----``)
    or a private JWK (``{"kty":"OKP","crv":"Ed25519","d":...}``, its ``kid`` kept). The key id is
    the JWK's ``kid``, else the thumbprint of the public key (as ``hitl keys generate`` names it)."""
    trimmed = (text.decode("utf-8") if isinstance(text, bytes) else text).strip()
    kid = None
    if trimmed.startswith("{"):
        try:
            jwk = json.loads(trimmed)
        except ValueError as error:
            raise KeyFormatError(f"not a private Ed25519 JWK: {error}") from None
        if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("d"), str):
            raise KeyFormatError("not a private Ed25519 JWK (kty OKP, crv Ed25519, with d)")
        try:
            private_key = Ed25519PrivateKey.from_private_bytes(b64url_decode(jwk["d"]))
        except ValueError as error:
            raise KeyFormatError(f"not a private Ed25519 JWK: d: {error}") from None
        if isinstance(jwk.get("x"), str) and jwk["x"] and jwk["x"] != public_jwk_of(private_key)["x"]:
            raise KeyFormatError("the private JWK's x is not the public half of its d")
        kid = jwk.get("kid") if isinstance(jwk.get("kid"), str) and jwk.get("kid") else None
    else:
        try:
            private_key = serialization.load_pem_private_key(trimmed.encode("utf-8"), password=None)  # type: ignore[assignment]
        except (ValueError, TypeError) as error:
            raise KeyFormatError(f"not a private key PEM: {error}") from None
        if not isinstance(private_key, Ed25519PrivateKey):
            raise KeyFormatError(f"not an Ed25519 private key ({type(private_key).__name__})")
    return SigningKey(public_jwk_of(private_key, kid)["kid"], private_key)


def generate_signing_key() -> GeneratedKey:
    """A fresh key pair: the PKCS#8 PEM to keep secret, the public JWK to publish, the key to sign with."""
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode("ascii")
    jwk = public_jwk_of(private_key)
    return GeneratedKey(pem, jwk, SigningKey(jwk["kid"], private_key))


def signing_input(event: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: the canonical JSON of the event without ``sig``."""
    return canonical_bytes({name: value for name, value in event.items() if name != "sig"})


def sign_event(event: Mapping[str, Any], key: SigningKey) -> dict[str, Any]:
    """A copy of the event with ``sigkid`` set to the key's id and ``sig`` over everything else."""
    with_kid = {name: value for name, value in event.items() if name not in ("sig", "sigkid")}
    with_kid["sigkid"] = key.kid
    with_kid["sig"] = b64url_encode(key.private_key.sign(signing_input(with_kid)))
    return with_kid


def signature_verifies(event: Mapping[str, Any], public_key: Ed25519PublicKey) -> bool:
    """Whether ``sig`` is a well-formed signature of the event by ``public_key``. Never raises."""
    sig = event.get("sig")
    if not isinstance(sig, str) or not _SIGNATURE.match(sig):
        return False
    try:
        public_key.verify(b64url_decode(sig), signing_input(event))
    except (InvalidSignature, TypeError, ValueError, OverflowError):
        return False
    return True


# --- the contract's table: who signs what --------------------------------------------------


def authority_problem(event: Mapping[str, Any], principal: Principal) -> str | None:
    """Why ``principal`` may not sign ``event`` (the contract's table), or None when it may."""
    signer = principal.describe()
    event_type = event.get("type")
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    workspace = event.get("workspaceid")

    def need_service(service: str, what: str) -> str | None:
        if principal.kind == "service" and principal.id == service:
            return None
        return f"{what} must be signed by the {service} service, not {signer}"

    def need_actor(kinds: Sequence[str], what: str) -> str | None:
        if principal.kind not in kinds:
            return f"{what} must be signed by {' or '.join(kinds)} key, not {signer}"
        if not principal.may_act_in(workspace):
            return f'{signer} may not act in workspace "{workspace}"'
        return None

    if event_type == DECISION_PROPOSED:
        named = (data.get("agent") or {}).get("id") if isinstance(data.get("agent"), dict) else None
        problem = need_actor(["agent"], "a proposal")
        if problem is None and principal.id != named:
            problem = f'the proposal names agent "{named}" but is signed by {signer}'
        return problem
    if event_type == APPROVAL_REQUESTED:
        return need_service("router", "approval.requested")
    if event_type == APPROVAL_CLARIFICATION_PROVIDED:
        return need_actor(["agent"], "a clarification answer")
    if event_type == APPROVAL_RESOLVED:
        by = data.get("resolved_by") if isinstance(data.get("resolved_by"), dict) else {}
        kind = by.get("kind")
        rightful = "router" if kind == "policy" else "escalation"
        if principal.kind == "service" and principal.id == rightful:
            return None
        return f"resolved by {kind}: it must be signed by the {rightful} service, not {signer}"
    if event_type == ACTION_EXECUTED:
        return need_actor(["agent"], "action.executed")
    if event_type == OUTCOME_LABELED:
        return need_actor(["agent", "labeler"], "outcome.labeled")
    if event_type == DIRECTORY_REVIEWER_CHANGED:
        return need_service("escalation", "a change of the reviewer directory")
    if event_type in (CONTROL_PAUSED, CONTROL_RESUMED):
        return need_service("escalation", "a pause or a resume")
    if event_type in (CONTROL_PROBATION_STARTED, CONTROL_PROBATION_GRADUATED):
        return need_service("router", str(event_type))
    if event_type == CONTROL_PROBATION_ENDED:
        return need_service("escalation", "an early end of a probation")
    if event_type == HANDOFF_REQUESTED:
        problem = need_actor(["agent"], "a request for a person")
        if problem is None and principal.id != data.get("agent_id"):
            problem = f'the request names agent "{data.get("agent_id")}" but is signed by {signer}'
        return problem
    # The other approval.updated types (assigned, reassigned, escalated, clarification
    # requested, rolled back, ...) and handoff.updated.
    return need_service("escalation", str(event_type))


def _article(event_type: Any) -> str:
    name = str(event_type).removeprefix("hitl.").removesuffix(".v1")
    return ("an " if name[:1] in "aeiou" else "a ") + name


def verify_event(event: Any, keys: Keyring) -> Signer:
    """Who signed the event; raises ``SignatureRefused`` when it is unsigned, its key is not
    trusted or its signature does not verify, and ``AuthorityRefused`` when the key's principal
    may not sign it (keys trusted for no principal skip that table)."""
    if not isinstance(event, dict):
        raise SignatureRefused("not an event (a JSON object)")
    kid, sig = event.get("sigkid"), event.get("sig")
    if kid is None and sig is None:
        raise SignatureRefused(f"unsigned: {_article(event.get('type'))} must carry sigkid and sig", code="unsigned")
    if not isinstance(kid, str) or not isinstance(sig, str):
        raise SignatureRefused("sigkid and sig must both be strings", kid=kid if isinstance(kid, str) else None)
    trusted = keys.key(kid)
    if trusted is None:
        raise SignatureRefused(f"key {kid} is not among the trusted keys", kid=kid)
    if not _SIGNATURE.match(sig):
        raise SignatureRefused("sig is not an Ed25519 signature in base64url without padding (86 characters)", kid=kid)
    try:
        signed = signing_input(event)
    except (TypeError, ValueError, OverflowError) as error:
        raise SignatureRefused(f"the event cannot be canonicalized: {error}", kid=kid) from None
    try:
        trusted.public_key.verify(b64url_decode(sig), signed)
    except InvalidSignature:
        raise SignatureRefused(f"the signature does not verify with key {kid}", kid=kid) from None
    if trusted.principal is not None:
        problem = authority_problem(event, trusted.principal)
        if problem:
            raise AuthorityRefused(problem, kid=kid)
    return Signer(kid, trusted.principal)


def verify_resolution(event: Any, keys: Keyring) -> Signer:
    """``verify_event`` for an approval.resolved: who signed it; raises ``SignatureRefused`` (or
    ``AuthorityRefused``) when it does not verify, and ``MalformedEvent`` for an event of another type."""
    if not isinstance(event, dict) or event.get("type") != APPROVAL_RESOLVED:
        raise MalformedEvent(f"not an approval.resolved (type {event.get('type') if isinstance(event, dict) else None!r})")
    return verify_event(event, keys)
