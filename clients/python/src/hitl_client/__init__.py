"""hitl's Python client: what an agent written in Python needs to act on hitl's signed events.

- ``canonical_json``: RFC 8785 canonical JSON, the bytes the contract signs and hashes.
- ``payload_hash``: what a reviewer's consent is bound to.
- ``Keyring``, ``verify_event``, ``verify_resolution``: Ed25519 signatures with published
  JWKS, and the contract's table of who signs what.
- ``parse_signing_key``, ``sign_event``: signing, for an agent's own events.
- ``guard``: the executor's rule; runs an action only on an approval.resolved that is consent.
- ``hitl_client.types``: the proposal and the resolution as TypedDicts, from the JSON Schemas.

The HTTP transport (propose, wait, label, answer clarifications over the gateway) comes with
the gateway.
"""

from .canonical import canonical_bytes, canonical_json, ecmascript_number
from .errors import (
    ActionMismatch,
    AuthorityRefused,
    HitlError,
    KeyFormatError,
    MalformedEvent,
    NotApproved,
    PayloadMismatch,
    Refused,
    SignatureRefused,
    UnknownDecision,
)
from .guard import Proposal, assert_runnable, check_resolution, guard
from .payload_hash import payload_hash
from .signatures import (
    APPROVAL_RESOLVED,
    DECISION_PROPOSED,
    SIGNING_SERVICES,
    GeneratedKey,
    Keyring,
    Principal,
    Signer,
    SigningKey,
    TrustedKey,
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

__version__ = "0.1.0"

__all__ = [
    "APPROVAL_RESOLVED",
    "DECISION_PROPOSED",
    "SIGNING_SERVICES",
    "ActionMismatch",
    "AuthorityRefused",
    "GeneratedKey",
    "HitlError",
    "KeyFormatError",
    "Keyring",
    "MalformedEvent",
    "NotApproved",
    "PayloadMismatch",
    "Principal",
    "Proposal",
    "Refused",
    "SignatureRefused",
    "Signer",
    "SigningKey",
    "TrustedKey",
    "UnknownDecision",
    "assert_runnable",
    "authority_problem",
    "canonical_bytes",
    "canonical_json",
    "check_resolution",
    "ecmascript_number",
    "generate_signing_key",
    "guard",
    "jwk_thumbprint",
    "parse_jwks",
    "parse_signing_key",
    "payload_hash",
    "public_jwk_of",
    "sign_event",
    "signature_verifies",
    "signing_input",
    "verify_event",
    "verify_resolution",
]
