"""The gateway's callbacks, verified as Standard Webhooks specifies (https://www.standardwebhooks.com).

The gateway POSTs each outcome of an agent's decisions to the callback the agent set
(``PUT /v1/callback``) with three headers:

- ``webhook-id``: the message's id (``msg_<decision_id>``); a retry of the same delivery
  carries the same one, so a receiver drops a repeat by it;
- ``webhook-timestamp``: when it was signed, in seconds since the epoch;
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256>`` over ``<id>.<timestamp>.<body>``, keyed
  with the base64-decoded secret after its ``whsec_`` prefix (several space-separated
  signatures while a secret changes).

``verify_callback`` checks them over the body exactly as received (its bytes) and answers the
message, ``{"type": "hitl.decision.resolved", "timestamp", "data": <the decision>}``. A valid
signature says the gateway sent it; the outcome inside is acted on only through ``guard``,
which verifies the router's or the escalation service's signature on ``resolution_event``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Mapping

from .errors import WebhookRefused

__all__ = ["WEBHOOK_TOLERANCE_SECONDS", "verify_callback", "webhook_key"]

#: How far a message's timestamp may be from now, either way (Standard Webhooks' default: five minutes).
WEBHOOK_TOLERANCE_SECONDS = 300

_PREFIX = "whsec_"


def webhook_key(secret: str) -> bytes:
    """The HMAC key of a signing secret: the base64 after ``whsec_``."""
    if not isinstance(secret, str):
        raise TypeError("the secret is the whsec_... string PUT /v1/callback answered")
    encoded = secret[len(_PREFIX) :] if secret.startswith(_PREFIX) else secret
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the secret is not whsec_ followed by base64") from None
    if not key:
        raise ValueError("the secret is empty")
    return key


def _header(headers: Any, name: str) -> str | None:
    """A header by name, whatever the case (a dict, or http.client's and email's messages)."""
    items = headers.items() if hasattr(headers, "items") else headers
    for key, value in items:
        if isinstance(key, str) and key.lower() == name:
            return value if isinstance(value, str) else None
    return None


def verify_callback(
    secret: str,
    headers: Mapping[str, str] | Any,
    body: bytes | str,
    *,
    tolerance_s: int = WEBHOOK_TOLERANCE_SECONDS,
    now: float | None = None,
) -> Any:
    """The message a callback carries, once its Standard Webhooks signature verifies with
    ``secret`` and its timestamp is within ``tolerance_s`` seconds of ``now`` (default: the
    clock). ``headers``: as received (any case; a dict, ``http.server``'s ``self.headers``);
    ``body``: the bytes received, not a re-serialised copy. Raises ``WebhookRefused`` otherwise
    (``code``: ``webhook_headers``, ``webhook_timestamp``, ``webhook_signature``, or
    ``webhook_body`` for a signed body that is not JSON)."""
    key = webhook_key(secret)
    msg_id = _header(headers, "webhook-id")
    stamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not msg_id or not stamp or not signatures:
        missing = [n for n, v in (("webhook-id", msg_id), ("webhook-timestamp", stamp), ("webhook-signature", signatures)) if not v]
        raise WebhookRefused(f"not a signed callback: {', '.join(missing)} missing", code="webhook_headers")
    if not stamp.isascii() or not stamp.isdigit():
        raise WebhookRefused(f"webhook-timestamp {stamp[:40]!r} is not seconds since the epoch", code="webhook_headers")
    timestamp = int(stamp)
    current = time.time() if now is None else now
    if current - timestamp > tolerance_s:
        raise WebhookRefused(f"the callback was signed {int(current - timestamp)} s ago, more than {tolerance_s} s: a replay, or a clock far off", code="webhook_timestamp")
    if timestamp - current > tolerance_s:
        raise WebhookRefused(f"the callback is dated {int(timestamp - current)} s ahead, more than {tolerance_s} s", code="webhook_timestamp")
    payload = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode("utf-8") + payload, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(digest).decode("ascii")
    # Constant-time comparison with each signature offered (several while a secret is rotated); other versions are ignored.
    matched = False
    for offered in signatures.split(" "):
        if hmac.compare_digest(offered.encode("utf-8"), expected.encode("ascii")):
            matched = True
    if not matched:
        raise WebhookRefused("no webhook-signature matches: not signed with this secret, or the body or headers were altered", code="webhook_signature")
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise WebhookRefused(f"the signed body is not JSON: {error}", code="webhook_body") from None
