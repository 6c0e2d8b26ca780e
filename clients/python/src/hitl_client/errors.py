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
    "StillPending",
    "AlreadyRun",
    "WebhookRefused",
    "GatewayError",
    "GatewayUnreachable",
    "UnexpectedAnswer",
    "GatewayRefusal",
    "InvalidRequest",
    "NotAuthenticated",
    "Forbidden",
    "NotFound",
    "Conflict",
    "ServerError",
    "refusal_for",
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


class StillPending(Refused):
    """The decision has no outcome yet (``status`` pending, no ``resolution_event``): run nothing, wait."""

    code = "pending"

    def __init__(self, decision_id: str) -> None:
        super().__init__(f"decision {decision_id} has no outcome yet: wait for it (HitlClient.wait) before running anything")
        self.decision_id = decision_id


class AlreadyRun(Refused):
    """This client ran the decision's action already: an outcome is acted on once (a replayed or
    re-read outcome is the same consent, not a second one)."""

    code = "already_run"

    def __init__(self, decision_id: str) -> None:
        super().__init__(f"decision {decision_id} was run already by this client: its outcome is acted on once")
        self.decision_id = decision_id


class WebhookRefused(Refused):
    """A callback whose Standard Webhooks signature or timestamp does not verify: drop it.

    ``code``: ``webhook_headers`` (a header missing or malformed), ``webhook_timestamp`` (outside
    the tolerance), ``webhook_signature`` (no signature matches) or ``webhook_body`` (not JSON)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


# --- the gateway's transport -------------------------------------------------------------------


class GatewayError(HitlError):
    """Talking to the gateway failed: no answer, an answer that is not what the API says, or a refusal."""

    code = "gateway_error"


class GatewayUnreachable(GatewayError):
    """No HTTP answer: the connection failed or timed out (after the retries)."""

    code = "gateway_unreachable"


class UnexpectedAnswer(GatewayError):
    """An answer that is not what the API promises (not JSON, fields missing), or one about another
    decision or another payload than the one proposed: nothing in it is acted on."""

    code = "unexpected_answer"


class GatewayRefusal(GatewayError):
    """The gateway answered an HTTP error. ``status``: the HTTP status; ``code``: the gateway's own
    code from its JSON answer (``decision_conflict``, ``wrong_workspace``, ``decision_not_found``,
    ``invalid_request``, ``token_unknown``, ...), else ``http_<status>``; ``body``: the answer, parsed
    when it is JSON."""

    def __init__(self, status: int, code: str | None, message: str, body: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}" if code else f"HTTP {status}: {message}")
        self.status = status
        self.code = code or f"http_{status}"
        self.message = message
        self.body = body


class InvalidRequest(GatewayRefusal):
    """400: the request is invalid (``invalid_request`` naming the field, ``workspace_required``)."""


class NotAuthenticated(GatewayRefusal):
    """401: no token, or one the gateway does not know (``token_missing``, ``token_unknown``)."""


class Forbidden(GatewayRefusal):
    """403: not allowed (``wrong_workspace``: the agent may not act in the workspace asked for)."""


class NotFound(GatewayRefusal):
    """404: ``decision_not_found`` (none of the caller's; another agent's included), ``callback_not_found``."""


class Conflict(GatewayRefusal):
    """409: ``decision_conflict``: the decision_id was proposed with other content, or is another agent's."""


class ServerError(GatewayRefusal):
    """5xx: the gateway (or what is in front of it) failed; retried before it is raised."""


_BY_STATUS: dict[int, type[GatewayRefusal]] = {400: InvalidRequest, 401: NotAuthenticated, 403: Forbidden, 404: NotFound, 409: Conflict}


def refusal_for(status: int, body: Any) -> GatewayRefusal:
    """The typed error of an HTTP error answer (``{ statusCode, code, message }`` as the gateway answers)."""
    code = body.get("code") if isinstance(body, dict) and isinstance(body.get("code"), str) else None
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, list):
        message = "; ".join(map(str, message))
    if not isinstance(message, str) or not message:
        message = body.strip()[:500] if isinstance(body, str) and body.strip() else "no message"
    kind = _BY_STATUS.get(status) or (ServerError if status >= 500 else GatewayRefusal)
    return kind(status, code, message, body)
