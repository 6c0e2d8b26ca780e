"""hitl's Python client: what an agent written in Python needs to act on hitl's signed events.

- ``canonical_json``: RFC 8785 canonical JSON, the bytes the contract signs and hashes.
- ``payload_hash``: what a reviewer's consent is bound to.
- ``Keyring``, ``verify_event``, ``verify_resolution``: Ed25519 signatures with published
  JWKS, and the contract's table of who signs what.
- ``parse_signing_key``, ``sign_event``: signing, for an agent's own events.
- ``guard``: the executor's rule; runs an action only on an approval.resolved that is consent.
- ``hitl_client.types``: the proposal and the resolution as TypedDicts, from the JSON Schemas.
- ``HitlClient``: the agent gateway's HTTP transport: propose, wait (long-poll), stream (SSE),
  and ``guard`` on the signed outcome; ``verify_callback`` for the outcomes it POSTs.

Labels and answers to reviewers' clarifications come to the client when the gateway offers them.
"""

from .canonical import canonical_bytes, canonical_json, ecmascript_number
from .client import STATUSES, CallbackSetting, Decision, HitlClient, NoTrustedKeys, iter_sse
from .errors import (
    ActionMismatch,
    AlreadyRun,
    AuthorityRefused,
    Conflict,
    Forbidden,
    GatewayError,
    GatewayRefusal,
    GatewayUnreachable,
    HitlError,
    InvalidRequest,
    KeyFormatError,
    MalformedEvent,
    NotApproved,
    NotAuthenticated,
    NotFound,
    PayloadMismatch,
    Refused,
    ServerError,
    SignatureRefused,
    StillPending,
    UnexpectedAnswer,
    UnknownDecision,
    WebhookRefused,
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
from .webhooks import WEBHOOK_TOLERANCE_SECONDS, verify_callback, webhook_key

__version__ = "0.1.0"

__all__ = [
    "APPROVAL_RESOLVED",
    "DECISION_PROPOSED",
    "SIGNING_SERVICES",
    "STATUSES",
    "WEBHOOK_TOLERANCE_SECONDS",
    "ActionMismatch",
    "AlreadyRun",
    "AuthorityRefused",
    "CallbackSetting",
    "Conflict",
    "Decision",
    "Forbidden",
    "GatewayError",
    "GatewayRefusal",
    "GatewayUnreachable",
    "GeneratedKey",
    "HitlClient",
    "HitlError",
    "InvalidRequest",
    "KeyFormatError",
    "Keyring",
    "MalformedEvent",
    "NoTrustedKeys",
    "NotApproved",
    "NotAuthenticated",
    "NotFound",
    "PayloadMismatch",
    "Principal",
    "Proposal",
    "Refused",
    "ServerError",
    "SignatureRefused",
    "Signer",
    "SigningKey",
    "StillPending",
    "TrustedKey",
    "UnexpectedAnswer",
    "UnknownDecision",
    "WebhookRefused",
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
    "iter_sse",
    "verify_callback",
    "verify_event",
    "verify_resolution",
    "webhook_key",
]
