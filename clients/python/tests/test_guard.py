"""guard: the executor's rule (consent.ts checkResolution, then guard.ts assertRunnable) on the TypeScript-signed events."""

import pytest

from conftest import VECTORS
from hitl_client import (
    ActionMismatch,
    AuthorityRefused,
    Keyring,
    MalformedEvent,
    NotApproved,
    PayloadMismatch,
    Proposal,
    Refused,
    SignatureRefused,
    UnknownDecision,
    check_resolution,
    generate_signing_key,
    guard,
    payload_hash,
    sign_event,
)

PROPOSAL = VECTORS["events"]["proposal"]["event"]


class Action:
    """The action to run: records each call."""

    def __init__(self, result="done"):
        self.calls = []
        self.result = result

    def __call__(self, parameters):
        self.calls.append(parameters)
        return self.result


def refused(error_type, proposal, resolution, keys, match=None):
    action = Action()
    with pytest.raises(error_type, match=match) as raised:
        guard(proposal, resolution, keys, action)
    assert action.calls == [], "nothing runs on a refusal"
    return raised.value


@pytest.mark.parametrize(
    "proposal",
    [PROPOSAL, PROPOSAL["data"], Proposal(PROPOSAL["data"]["decision_id"], "process_refund", payload_hash("process_refund", PROPOSAL["data"]["parameters"]))],
    ids=["the proposed event", "its data", "a Proposal"],
)
def test_an_approved_resolution_runs_the_action_once(proposal, keyring, event):
    action = Action(result={"refund_id": "re_1"})
    assert guard(proposal, event("approved_by_policy"), keyring, action) == {"refund_id": "re_1"}
    assert action.calls == [PROPOSAL["data"]["parameters"]]


def test_a_reviewers_approval_runs_the_action(keyring, event):
    action = Action()
    guard(PROPOSAL, event("approved_by_reviewer"), keyring, action)
    assert action.calls == [PROPOSAL["data"]["parameters"]]


def test_a_reviewers_edit_signed_by_escalation_runs_the_edited_parameters(keyring, event):
    action = Action()
    resolution = event("edited_by_reviewer")
    guard(PROPOSAL, resolution, keyring, action)
    assert action.calls == [resolution["data"]["parameters"]]
    assert action.calls[0]["amount_usd"] == 15 != PROPOSAL["data"]["parameters"]["amount_usd"]


def test_a_denial_runs_nothing(keyring, event):
    error = refused(NotApproved, PROPOSAL, event("denied_by_reviewer"), keyring, match="was denied, not approved .reviewer_denied: the order was already refunded")
    assert (error.code, error.status) == ("not_approved", "denied")
    # It is authentic all the same: it settles the decision.
    data, signer = check_resolution(PROPOSAL, event("denied_by_reviewer"), keyring)
    assert data["status"] == "denied" and signer.principal.id == "escalation"


@pytest.mark.parametrize("status", ["blocked", "expired"])
def test_a_block_or_an_expiry_runs_nothing(status, keyring, signing_keys, event):
    resolution = event("denied_by_reviewer")
    resolution["data"]["status"] = status
    refused(NotApproved, PROPOSAL, sign_event(resolution, signing_keys["escalation"]), keyring, match=f"was {status}")


def test_another_action_than_proposed_is_refused(keyring, event):
    proposal = {**PROPOSAL["data"], "action": "cancel_order"}
    error = refused(ActionMismatch, proposal, event("approved_by_policy"), keyring, match='names action "process_refund" but the proposal was "cancel_order"')
    assert error.code == "action_mismatch"


def test_a_resolution_naming_another_action_is_refused_even_when_signed(keyring, signing_keys, event):
    resolution = event("approved_by_policy")
    resolution["data"]["action"] = "delete_account"
    resolution["data"]["payload_hash"] = payload_hash("delete_account", resolution["data"]["parameters"])
    refused(ActionMismatch, PROPOSAL, sign_event(resolution, signing_keys["router"]), keyring)


def test_another_payload_than_proposed_is_refused(keyring, event):
    proposal = {**PROPOSAL["data"], "parameters": {**PROPOSAL["data"]["parameters"], "amount_usd": 2000}}
    error = refused(PayloadMismatch, proposal, event("approved_by_policy"), keyring, match="and edited is false")
    assert error.code == "payload_mismatch"
    assert error.expected == payload_hash("process_refund", proposal["parameters"])


def test_parameters_that_do_not_hash_to_the_payload_hash_are_refused_even_when_signed(keyring, signing_keys, event):
    resolution = event("approved_by_policy")
    resolution["data"]["parameters"]["amount_usd"] = 2000  # payload_hash still the proposed one
    error = refused(PayloadMismatch, PROPOSAL, sign_event(resolution, signing_keys["router"]), keyring, match="altered after approval")
    assert error.actual == payload_hash("process_refund", resolution["data"]["parameters"])


def test_an_edit_signed_by_the_router_is_refused(keyring, signing_keys, event):
    # An edit "by policy": the table lets the router sign it, but only the escalation service speaks for reviewers.
    resolution = event("edited_by_reviewer")
    resolution["data"]["resolved_by"] = {"kind": "policy", "id": "refunds-manifest"}
    refused(PayloadMismatch, PROPOSAL, sign_event(resolution, signing_keys["router"]), keyring, match="an edit is taken only from the escalation service")


def test_a_reviewers_edit_signed_by_the_router_is_refused(keyring, signing_keys, event):
    error = refused(AuthorityRefused, PROPOSAL, sign_event(event("edited_by_reviewer"), signing_keys["router"]), keyring)
    assert "must be signed by the escalation service, not the router" in str(error)
    assert error.code == "signature_invalid"


def test_an_edit_whose_parameters_do_not_hash_to_its_payload_hash_is_refused(keyring, signing_keys, event):
    resolution = event("edited_by_reviewer")
    resolution["data"]["parameters"]["amount_usd"] = 1500
    refused(PayloadMismatch, PROPOSAL, sign_event(resolution, signing_keys["escalation"]), keyring, match="altered after approval")


def test_a_forged_signature_is_refused(keyring, event):
    forger = generate_signing_key()
    resolution = event("approved_by_policy")
    forged = sign_event(resolution, type(forger.key)(resolution["sigkid"], forger.key.private_key))
    error = refused(SignatureRefused, PROPOSAL, forged, keyring, match="does not verify with key")
    assert error.code == "signature_invalid"


def test_a_tampered_resolution_is_refused(keyring, event):
    resolution = event("denied_by_reviewer")
    resolution["data"]["status"] = "approved"
    refused(SignatureRefused, PROPOSAL, resolution, keyring, match="does not verify")


def test_an_unsigned_resolution_is_refused(keyring, event):
    resolution = event("approved_by_policy")
    del resolution["sig"], resolution["sigkid"]
    assert refused(SignatureRefused, PROPOSAL, resolution, keyring).code == "unsigned"


def test_a_resolution_signed_by_a_key_of_no_service_is_refused(event):
    keys = Keyring().add_jwks(VECTORS["jwks"]["router"])
    refused(AuthorityRefused, PROPOSAL, event("approved_by_policy"), keys, match="trusted for no service")


def test_the_wrong_service_is_refused(signing_keys, keyring, event):
    refused(AuthorityRefused, PROPOSAL, sign_event(event("approved_by_policy"), signing_keys["escalation"]), keyring, match="must be signed by the router service")


def test_a_resolution_of_another_decision_is_not_this_proposals(keyring, event):
    proposal = {**PROPOSAL["data"], "decision_id": "99999999-8888-4777-8666-555555555555"}
    error = refused(UnknownDecision, proposal, event("approved_by_policy"), keyring)
    assert error.code == "unknown_decision" and error.decision_id == PROPOSAL["data"]["decision_id"]


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda e: e.__setitem__("type", "hitl.approval.requested.v1"), "not an approval.resolved"),
        (lambda e: e.pop("data"), "no data object"),
        (lambda e: e["data"].pop("payload_hash"), "lacks payload_hash"),
        (lambda e: e["data"].__setitem__("status", "maybe"), "status 'maybe'"),
        (lambda e: e["data"].__setitem__("parameters", []), "parameters is not an object"),
        (lambda e: e["data"].__setitem__("edited", "yes"), "edited is not a boolean"),
        (lambda e: e["data"].__setitem__("payload_hash", "md5:00"), "payload_hash is not sha256"),
    ],
)
def test_a_malformed_resolution_is_refused(edit, match, keyring, event):
    resolution = event("approved_by_policy")
    edit(resolution)
    assert refused(MalformedEvent, PROPOSAL, resolution, keyring, match=match).code == "invalid_event"


def test_every_refusal_is_a_refused_and_a_failing_action_propagates(keyring, event):
    assert all(issubclass(t, Refused) for t in (SignatureRefused, AuthorityRefused, MalformedEvent, UnknownDecision, ActionMismatch, NotApproved, PayloadMismatch))

    def failing(parameters):
        raise RuntimeError("the payment provider is down")

    with pytest.raises(RuntimeError, match="payment provider"):
        guard(PROPOSAL, event("approved_by_policy"), keyring, failing)


def test_a_proposal_must_be_one(keyring, event):
    with pytest.raises(TypeError):
        guard({"data": {}, "type": "hitl.approval.resolved.v1"}, event("approved_by_policy"), keyring, Action())
    with pytest.raises(TypeError):
        guard({"decision_id": PROPOSAL["data"]["decision_id"]}, event("approved_by_policy"), keyring, Action())
