"""The executor's rule of the wire contract: run an action only on real consent.

As the TypeScript agent SDK applies it (libs/agent-sdk/src/consent.ts ``checkResolution``,
then libs/agent-sdk/src/guard.ts ``assertRunnable``), an approval.resolved lets the action
run only when

1. it is about the decision proposed (its ``decision_id``),
2. its signature verifies with a trusted key, and that key is the service's with authority
   over it: the router's for a resolution by ``policy``, the escalation service's otherwise,
3. it names the action proposed,
4. it is ``approved``,
5. its ``payload_hash`` is the one proposed, unless ``edited`` is true and the escalation
   service signed it (a reviewer's edit: only the escalation service speaks for reviewers),
6. and its ``action`` and ``parameters`` hash to its ``payload_hash``.

``guard`` runs the action with the resolution's parameters (a reviewer's edit included)
once when all hold, and raises a ``Refused`` naming the first that does not otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar, cast

from .errors import ActionMismatch, AuthorityRefused, MalformedEvent, NotApproved, PayloadMismatch, UnknownDecision
from .payload_hash import payload_hash
from .signatures import APPROVAL_RESOLVED, DECISION_PROPOSED, Keyring, Signer, verify_resolution
from .types import ApprovalResolvedData

__all__ = ["Proposal", "check_resolution", "assert_runnable", "guard"]

T = TypeVar("T")

_PAYLOAD_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")
_STATUSES = ("approved", "denied", "blocked", "expired")
_KINDS = ("policy", "reviewer", "timeout")


@dataclass(frozen=True)
class Proposal:
    """What the executor remembers of a decision it proposed: its id, action and payload_hash."""

    decision_id: str
    action: str
    payload_hash: str

    @staticmethod
    def of(proposal: "Proposal | Mapping[str, Any]") -> "Proposal":
        """From a Proposal, a decision.proposed event as it was sent, or its ``data``
        (``payload_hash`` taken when present, else computed from ``action`` and ``parameters``)."""
        if isinstance(proposal, Proposal):
            return proposal
        if not isinstance(proposal, Mapping):
            raise TypeError("a proposal is a Proposal, a decision.proposed event or its data")
        data = proposal
        if "data" in proposal and isinstance(proposal.get("data"), Mapping):
            if proposal.get("type") != DECISION_PROPOSED:
                raise TypeError(f"not a decision.proposed (type {proposal.get('type')!r})")
            data = proposal["data"]
        decision_id, action = data.get("decision_id"), data.get("action")
        if not isinstance(decision_id, str) or not isinstance(action, str):
            raise TypeError("a proposal needs decision_id and action (strings)")
        hashed = data.get("payload_hash")
        if hashed is None:
            parameters = data.get("parameters")
            if not isinstance(parameters, Mapping):
                raise TypeError("a proposal needs parameters (an object) or its payload_hash")
            hashed = payload_hash(action, parameters)
        return Proposal(decision_id, action, hashed)


def _resolution_data(event: Any) -> ApprovalResolvedData:
    """The data of an approval.resolved, with the fields the rule reads checked for their type."""
    if not isinstance(event, dict) or event.get("type") != APPROVAL_RESOLVED:
        raise MalformedEvent(f"not an approval.resolved (type {event.get('type') if isinstance(event, dict) else None!r})")
    data = event.get("data")
    if not isinstance(data, dict):
        raise MalformedEvent("the approval.resolved has no data object")
    missing = sorted(ApprovalResolvedData.__required_keys__ - data.keys())
    if missing:
        raise MalformedEvent(f"the approval.resolved lacks {', '.join(missing)}")
    by = data["resolved_by"]
    problems = [
        not isinstance(data["decision_id"], str) and "decision_id is not a string",
        data["status"] not in _STATUSES and f"status {data['status']!r} is none of {', '.join(_STATUSES)}",
        (not isinstance(by, dict) or by.get("kind") not in _KINDS) and "resolved_by.kind is none of policy, reviewer, timeout",
        not isinstance(data["action"], str) and "action is not a string",
        not isinstance(data["parameters"], dict) and "parameters is not an object",
        not isinstance(data["edited"], bool) and "edited is not a boolean",
        not isinstance(data["reasons"], list) and "reasons is not a list",
        not (isinstance(data["payload_hash"], str) and _PAYLOAD_HASH.match(data["payload_hash"])) and "payload_hash is not sha256:<64 hex>",
    ]
    found = [problem for problem in problems if problem]
    if found:
        raise MalformedEvent(f"the approval.resolved is malformed: {'; '.join(found)}")
    return cast(ApprovalResolvedData, data)


def check_resolution(proposal: Proposal | Mapping[str, Any], resolution_event: Any, keys: Keyring) -> tuple[ApprovalResolvedData, Signer]:
    """Whether the resolution may settle the proposal (``checkResolution`` of the agent SDK):
    about this decision, verified, signed by the service with authority over it, for the
    action proposed and, when approved, for the payload proposed unless the escalation service
    says a reviewer edited it. Returns its data and signer; a denial, block or expiry passes
    (it settles the decision; ``assert_runnable`` refuses to run it). Raises ``Refused`` otherwise."""
    proposed = Proposal.of(proposal)
    data = _resolution_data(resolution_event)
    if data["decision_id"] != proposed.decision_id:
        raise UnknownDecision(
            f"the resolution is about decision {data['decision_id']}, not {proposed.decision_id} that was proposed",
            decision_id=data["decision_id"],
        )
    signer = verify_resolution(resolution_event, keys)
    kind = data["resolved_by"]["kind"]
    needed = "router" if kind == "policy" else "escalation"
    principal = signer.principal
    if principal is None or principal.kind != "service" or principal.id != needed:
        # The keyring's table says so already for service keys; checked again because acting on it is the point.
        who = principal.describe() if principal else f"key {signer.kid}, trusted for no service (load the keys by service)"
        raise AuthorityRefused(f"resolved by {kind}: it must be signed by the {needed} service, not {who}", kid=signer.kid)
    if data["action"] != proposed.action:
        raise ActionMismatch(
            f'the resolution names action "{data["action"]}" but the proposal was "{proposed.action}"',
            decision_id=proposed.decision_id,
            expected=proposed.action,
            actual=data["action"],
        )
    if data["status"] != "approved":
        return data, signer
    if data["edited"] and principal.id == "escalation":
        return data, signer  # a reviewer's edit; assert_runnable checks it hashes to its payload_hash
    if data["payload_hash"] != proposed.payload_hash:
        edit = " (an edit is taken only from the escalation service)" if data["edited"] else " and edited is false"
        raise PayloadMismatch(
            f"decision {proposed.decision_id}: the resolution approves payload_hash {data['payload_hash']} but the proposal was {proposed.payload_hash}{edit}",
            decision_id=proposed.decision_id,
            expected=proposed.payload_hash,
            actual=data["payload_hash"],
        )
    return data, signer


def assert_runnable(data: ApprovalResolvedData) -> None:
    """Raises unless the resolution is approved and its action and parameters hash to its payload_hash (``assertRunnable``)."""
    if data["status"] != "approved":
        raise NotApproved(data["decision_id"], data["status"], data.get("reasons") or [])
    actual = payload_hash(data["action"], data["parameters"])
    if actual != data["payload_hash"]:
        raise PayloadMismatch(
            f"decision {data['decision_id']}: the approved payload_hash is {data['payload_hash']} but action and parameters hash to {actual}; "
            "the resolution was altered after approval, so nothing was run",
            decision_id=data["decision_id"],
            expected=data["payload_hash"],
            actual=actual,
        )


def guard(proposal: Proposal | Mapping[str, Any], resolution_event: Any, keys: Keyring, run: Callable[[dict[str, Any]], T]) -> T:
    """Runs ``run(parameters)`` once, with the resolution's parameters, when the executor's rule
    holds for ``resolution_event`` (the approval.resolved as received, parsed from its JSON)
    and ``proposal`` (a ``Proposal``, the decision.proposed event or its data); returns what it
    returns. Raises a ``Refused`` (``UnknownDecision``, ``MalformedEvent``, ``SignatureRefused``,
    ``AuthorityRefused``, ``ActionMismatch``, ``NotApproved``, ``PayloadMismatch``) and runs
    nothing otherwise."""
    data, _signer = check_resolution(proposal, resolution_event, keys)
    assert_runnable(data)
    return run(data["parameters"])
