"""The client's errors: each has a stable ``code`` and a message that says what happened."""

from __future__ import annotations

from typing import Any, Sequence

__all__ = [
    "HitlError",
    "KeyFormatError",
    "Refused",
    "SignatureRefused",
    "AuthorityRefused",
    "MalformedEvent",
    "UnknownDecision",
    "ActionMismatch",
    "NotApproved",
    "PayloadMismatch",
]


class HitlError(Exception):
    """Every error of the client."""

    code: str = "hitl_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.reason = message


class KeyFormatError(HitlError, ValueError):
    """A key, a key file or a JWKS that cannot be used (not Ed25519, malformed)."""

    code = "invalid_key"


class Refused(HitlError):
    """An event that must not be acted on. Its subclasses say why."""

    code = "refused"


class SignatureRefused(Refused):
    """The event is unsigned, its signature does not verify, or its key is not trusted.

    ``code``: ``unsigned`` or ``signature_invalid``, as the contract's verdicts.
    """

    def __init__(self, message: str, *, code: str = "signature_invalid", kid: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.kid = kid


class AuthorityRefused(SignatureRefused):
    """The signature verifies, but with the key of a principal that may not sign this event
    (the contract's table: a resolution by policy is the router's, any other the escalation
    service's)."""


class MalformedEvent(Refused):
    """Not the event expected (another type), or a field the executor's rule reads is missing
    or of the wrong type."""

    code = "invalid_event"


class UnknownDecision(Refused):
    """The resolution is about another decision than the one proposed: not this caller's business."""

    code = "unknown_decision"

    def __init__(self, message: str, *, decision_id: str | None) -> None:
        super().__init__(message)
        self.decision_id = decision_id


class ActionMismatch(Refused):
    """The resolution names another action than the one proposed."""

    code = "action_mismatch"

    def __init__(self, message: str, *, decision_id: str, expected: str, actual: str) -> None:
        super().__init__(message)
        self.decision_id = decision_id
        self.expected = expected
        self.actual = actual


class NotApproved(Refused):
    """The decision was resolved, but not approved (denied, blocked, expired): run nothing."""

    code = "not_approved"

    def __init__(self, decision_id: str, status: str, reasons: Sequence[Any]) -> None:
        why = "; ".join(
            f"{r.get('rule')}: {r.get('detail')}" if isinstance(r, dict) else str(r) for r in reasons
        ) or "no reason given"
        super().__init__(f"decision {decision_id} was {status}, not approved ({why}); do not run it, tell the user or propose something else")
        self.decision_id = decision_id
        self.status = status
        self.reasons = list(reasons)


class PayloadMismatch(Refused):
    """What was approved is not what was proposed, or not what the resolution carries."""

    code = "payload_mismatch"

    def __init__(self, message: str, *, decision_id: str, expected: str, actual: str) -> None:
        super().__init__(message)
        self.decision_id = decision_id
        self.expected = expected
        self.actual = actual
