"""HitlClient on the real gateway, router and escalation service (and the real broker and database):
propose, wait, approve as a person through the reviewer API, guard on the signed outcome,
refuse forged outcomes, replay, and callbacks signed as Standard Webhooks specifies."""

import copy
import dataclasses
import json
import queue
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hitl_client import (
    AlreadyRun,
    AuthorityRefused,
    Conflict,
    Decision,
    Forbidden,
    HitlClient,
    NotAuthenticated,
    NotFound,
    SignatureRefused,
    WebhookRefused,
    generate_signing_key,
    payload_hash,
    sign_event,
    verify_callback,
)


def refund(client, amount, confidence=0.97, **over):
    parameters = {"order_id": f"ORD-PY-{amount}-{uuid.uuid4().hex[:6]}", "amount_usd": amount}
    decision = client.propose(
        "process_refund",
        parameters,
        confidence=confidence,
        confidence_basis="matches the order history",
        summary=f"Refund ${amount} to the card used for the order.",
        **over,
    )
    return decision, parameters


def test_a_small_refund_is_approved_by_policy_and_runs_once(client):
    decision, parameters = refund(client, 20)
    assert (decision.status, decision.replayed, decision.workspace) == ("pending", False, "acme-support")
    assert decision.payload_hash == payload_hash("process_refund", parameters)

    outcome = client.wait(decision.decision_id, timeout_s=60)
    assert outcome.status == "approved"
    assert outcome.resolution_event["data"]["resolved_by"]["kind"] == "policy"
    ran = []
    assert client.guard(outcome, lambda p: ran.append(p) or "refunded") == "refunded"
    assert ran == [parameters]
    with pytest.raises(AlreadyRun):
        client.guard(outcome, ran.append)
    assert ran == [parameters]


def test_a_large_refund_waits_for_a_person_then_runs_once(client, reviewer):
    decision, parameters = refund(client, 300, confidence=0.9)
    assert client.wait(decision.decision_id, timeout_s=1).status == "pending"

    # Waiting (long-poll) and streaming (SSE) at once, while a reviewer approves.
    results = queue.Queue()
    streaming = threading.Event()

    def stream():
        statuses = []
        for seen in client.stream(decision.decision_id):
            statuses.append(seen.status)
            streaming.set()
        return statuses

    def report(name, work):
        try:
            results.put((name, work()))
        except BaseException as error:  # noqa: BLE001 (said in the main thread)
            results.put((name, error))

    waiter = threading.Thread(target=report, args=("wait", lambda: client.wait(decision.decision_id, timeout_s=120)), daemon=True)
    streamer = threading.Thread(target=report, args=("stream", stream), daemon=True)
    waiter.start()
    streamer.start()
    assert streaming.wait(30), "the stream said nothing within 30 s"
    approved = reviewer.approve(decision.decision_id)
    assert approved["status"] == "approved"
    waiter.join(150)
    streamer.join(150)
    got = dict(results.get(timeout=1) for _ in range(2))
    for name, result in got.items():
        assert not isinstance(result, BaseException), f"{name}: {result!r}"

    outcome = got["wait"]
    assert outcome.status == "approved"
    assert outcome.resolution_event["data"]["resolved_by"] == {"kind": "reviewer", "id": "rev-alice"}
    assert got["stream"] == ["pending", "approved"]
    ran = []
    client.guard(outcome, ran.append)
    assert ran == [parameters]
    with pytest.raises(AlreadyRun):
        client.guard(outcome, ran.append)
    assert len(ran) == 1


def test_a_forged_outcome_is_refused_and_nothing_runs(client, env):
    decision, parameters = refund(client, 21)
    outcome = client.wait(decision.decision_id, timeout_s=60)
    genuine = outcome.resolution_event
    assert genuine["data"]["status"] == "approved"
    ran = []

    # The data altered after the router signed it: a larger amount, with its own payload_hash.
    bigger = copy.deepcopy(genuine)
    bigger["data"]["parameters"]["amount_usd"] = 2000
    bigger["data"]["payload_hash"] = payload_hash("process_refund", bigger["data"]["parameters"])
    # Signed again with a key that is not the router's, under the router's kid, and under its own.
    stranger = generate_signing_key()
    unsigned = {k: v for k, v in bigger.items() if k not in ("sig", "sigkid")}
    under_router_kid = {**sign_event(unsigned, stranger.key), "sigkid": genuine["sigkid"]}
    own_kid = sign_event(unsigned, stranger.key)
    for forged, why in ((bigger, "does not verify"), (under_router_kid, "does not verify"), (own_kid, "not among the trusted keys")):
        with pytest.raises(SignatureRefused, match=why):
            client.guard(dataclasses.replace(outcome, resolution_event=forged), ran.append)
    # The router's keys taken for the escalation service's: a policy outcome lacks its authority.
    swapped = HitlClient(env["HITL_GATEWAY_URL"], env["HITL_AGENT_TOKEN"], trusted_keys={"escalation": client.keys.service_jwks("router")})
    with pytest.raises(AuthorityRefused, match="must be signed by the router"):
        swapped.guard(outcome, ran.append, proposal=outcome.proposed)
    assert ran == []
    # The genuine outcome still runs, once.
    client.guard(outcome, ran.append)
    assert ran == [parameters]


def test_a_replayed_decision_id_answers_the_first_outcome(client, env):
    decision, parameters = refund(client, 25)
    first = client.wait(decision.decision_id, timeout_s=60)
    assert first.status == "approved"

    again = client.propose(
        "process_refund",
        parameters,
        confidence=0.97,
        confidence_basis="matches the order history",
        summary="Refund $25 to the card used for the order.",
        decision_id=decision.decision_id,
    )
    assert (again.replayed, again.status) == (True, "approved")
    assert again.resolution_event == first.resolution_event
    ran = []
    client.guard(again, ran.append)
    with pytest.raises(AlreadyRun):
        client.guard(first, ran.append)
    assert ran == [parameters]

    # Other content under that id: the gateway's conflict (another process: this client refuses it itself).
    other = HitlClient(env["HITL_GATEWAY_URL"], env["HITL_AGENT_TOKEN"], trusted_keys=client.keys)
    with pytest.raises(Conflict) as conflict:
        other.propose(
            "process_refund",
            {**parameters, "amount_usd": 2500},
            confidence=0.97,
            confidence_basis="b",
            summary="s",
            decision_id=decision.decision_id,
        )
    assert (conflict.value.status, conflict.value.code) == (409, "decision_conflict")


def test_refusals_carry_the_gateways_code(client, env):
    with pytest.raises(Forbidden) as forbidden:
        refund(client, 22, workspace="globex-billing")
    assert forbidden.value.code == "wrong_workspace"
    with pytest.raises(NotFound) as missing:
        client.get(str(uuid.uuid4()))
    assert missing.value.code == "decision_not_found"
    stranger = HitlClient(env["HITL_GATEWAY_URL"], "not-a-known-token-0123456789")
    with pytest.raises(NotAuthenticated) as unknown:
        stranger.get(str(uuid.uuid4()))
    assert unknown.value.code == "token_unknown"


def test_the_outcome_posted_to_the_callback_verifies_and_runs_once(client, keyring, env):
    posts = queue.Queue()

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            posts.put((self.headers, body))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        setting = client.set_callback(f"http://127.0.0.1:{server.server_address[1]}/hitl")
        assert setting.secret.startswith("whsec_")
        assert client.get_callback().secret is None
        decision, parameters = refund(client, 23)

        while True:
            headers, body = posts.get(timeout=60)
            message = verify_callback(setting.secret, headers, body)
            if message["data"]["decision_id"] == decision.decision_id:
                break
        assert headers["webhook-id"] == f"msg_{decision.decision_id}"
        assert message["type"] == "hitl.decision.resolved"
        # Another secret does not verify it; the outcome inside runs through the guard, once.
        with pytest.raises(WebhookRefused) as refused:
            verify_callback("whsec_" + "A" * 43 + "=", headers, body)
        assert refused.value.code == "webhook_signature"
        ran = []
        client.guard(Decision.from_view(message["data"]), ran.append)
        assert ran == [parameters]
        # A body altered in transit fails the signature.
        altered = json.dumps({**message, "data": {**message["data"], "status": "approved", "payload_hash": "sha256:" + "0" * 64}}).encode()
        with pytest.raises(WebhookRefused):
            verify_callback(setting.secret, headers, altered)
    finally:
        client.delete_callback()
        server.shutdown()
        server.server_close()
    with pytest.raises(NotFound) as gone:
        client.get_callback()
    assert gone.value.code == "callback_not_found"


def test_it_reports_what_ran_and_labels_it_once_and_only_under_an_approval(client):
    decision, parameters = refund(client, 21)
    outcome = client.wait(decision.decision_id, timeout_s=60)
    client.guard(outcome, lambda p: "refunded")
    assert client.report_execution(decision.decision_id, succeeded=True, duration_ms=12, output={"refund_id": "rf-py"}).status == "approved"
    with pytest.raises(Conflict) as again:
        client.report_execution(decision.decision_id, succeeded=True, duration_ms=12)
    assert again.value.code == "already_reported"
    assert client.label(decision.decision_id, correct=True, source="customer_feedback").decision_id == decision.decision_id


def test_a_reviewers_question_reaches_the_agent_and_its_answer_the_reviewer(client, reviewer):
    decision, _ = refund(client, 330, confidence=0.9)
    item = reviewer.find(decision.decision_id)
    asked = reviewer.call("POST", f"/approvals/{item['approval_id']}/clarify", {"question": "Which card was charged?"})
    assert asked["status"] == "clarifying", asked
    # The long-poll ends with the question: the reviewer waits on the answer.
    seen = client.wait(decision.decision_id, timeout_s=30)
    assert seen.status == "pending"
    assert [q["question"] for q in seen.questions] == ["Which card was charged?"]
    answered = client.answer(decision.decision_id, seen.questions[0]["clarification_id"], "The Visa ending 4242.")
    assert answered.questions == []
    with pytest.raises(Conflict) as again:
        client.answer(decision.decision_id, seen.clarifications[0]["clarification_id"], "again")
    assert again.value.code == "already_answered"
