"""HitlClient, the gateway's transport, against a small local HTTP server playing the gateway
(no network beyond 127.0.0.1), with the TypeScript-signed resolutions of the vectors as outcomes."""

import copy
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import VECTORS
from hitl_client import (
    AlreadyRun,
    Conflict,
    Decision,
    Forbidden,
    GatewayError,
    GatewayRefusal,
    GatewayUnreachable,
    HitlClient,
    InvalidRequest,
    Keyring,
    MalformedEvent,
    NoTrustedKeys,
    NotApproved,
    NotAuthenticated,
    NotFound,
    PayloadMismatch,
    Proposal,
    Refused,
    ServerError,
    SignatureRefused,
    StillPending,
    UnexpectedAnswer,
    UnknownDecision,
    generate_signing_key,
    iter_sse,
    payload_hash,
    sign_event,
)

TOKEN = "gateway-token-test-0123456789"
PROPOSAL = VECTORS["events"]["proposal"]["event"]["data"]
DECISION_ID = PROPOSAL["decision_id"]
ACTION = PROPOSAL["action"]
PARAMETERS = PROPOSAL["parameters"]
HASH = payload_hash(ACTION, PARAMETERS)


class FakeGateway:
    """A gateway in a thread: ``handle(method, path, query, body) -> (status, body, headers)``; records each request."""

    def __init__(self):
        self.requests = []
        self.handle = lambda method, path, query, body: (500, {"statusCode": 500, "code": "unscripted", "message": "no answer scripted"}, {})
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                parts = urlsplit(self.path)
                fake.requests.append({"method": self.command, "path": parts.path, "query": parse_qs(parts.query), "headers": dict(self.headers), "body": body})
                status, answer, headers = fake.handle(self.command, parts.path, parse_qs(parts.query), body)
                if isinstance(answer, list) and headers.get("content-type") == "text/event-stream":
                    self.send_response(status)
                    self.send_header("content-type", "text/event-stream")
                    self.send_header("connection", "close")
                    self.end_headers()
                    for chunk in answer:
                        self.wfile.write(chunk.encode("utf-8"))
                        self.wfile.flush()
                    self.close_connection = True
                    return
                data = answer if isinstance(answer, bytes) else b"" if answer is None else json.dumps(answer).encode("utf-8")
                self.send_response(status)
                for name, value in {"content-type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    fake = FakeGateway()
    yield fake
    fake.close()


@pytest.fixture
def client(gateway, keyring):
    return HitlClient(gateway.url, TOKEN, trusted_keys=keyring, timeout=5, retry_delay_s=0.01)


def view(decision_id=DECISION_ID, *, action=ACTION, hashed=HASH, resolution_event=None):
    event = copy.deepcopy(resolution_event)
    return {
        "decision_id": decision_id,
        "workspace": "acme-support",
        "action": action,
        "payload_hash": hashed,
        "status": event["data"]["status"] if event else "pending",
        "proposed_at": "2026-12-04T12:00:00.000Z",
        "resolved_at": event["time"] if event else None,
        "resolution": event["data"] if event else None,
        "resolution_event": event,
    }


def resolved(name):
    return VECTORS["events"][name]["event"]


def propose(client, **over):
    fields = {"confidence": 0.9, "confidence_basis": "matches the order history", "summary": "Refund $20.50 to Zoë.", "decision_id": DECISION_ID}
    return client.propose(ACTION, PARAMETERS, **{**fields, **over})


# --- propose ----------------------------------------------------------------------------------


def test_propose_sends_the_proposal_without_agent_with_the_token(gateway, client):
    gateway.handle = lambda m, p, q, body: (202, view(body["decision_id"]), {})
    decision = propose(client, on_behalf_of="customer:c-1", urgency="high", context={"ticket": "T-1"}, model="m-1", uncertainty_factors=["new customer"])
    [request] = gateway.requests
    assert (request["method"], request["path"]) == ("POST", "/v1/decisions")
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["body"] == {
        "decision_id": DECISION_ID,
        "action": ACTION,
        "parameters": PARAMETERS,
        "confidence": 0.9,
        "confidence_basis": "matches the order history",
        "uncertainty_factors": ["new customer"],
        "recommended_review": False,
        "summary": "Refund $20.50 to Zoë.",
        "on_behalf_of": "customer:c-1",
        "urgency": "high",
        "context": {"ticket": "T-1"},
        "model": "m-1",
    }
    assert "agent" not in request["body"]
    assert (decision.status, decision.resolved, decision.replayed) == ("pending", False, False)
    assert decision.proposed == Proposal(DECISION_ID, ACTION, HASH)


def test_propose_makes_a_decision_id_unless_given(gateway, client):
    gateway.handle = lambda m, p, q, body: (202, view(body["decision_id"]), {})
    first = client.propose(ACTION, PARAMETERS, confidence=0.9, confidence_basis="b", summary="s")
    second = client.propose(ACTION, PARAMETERS, confidence=0.9, confidence_basis="b", summary="s")
    assert uuid.UUID(first.decision_id).version == 4
    assert first.decision_id != second.decision_id
    assert [r["body"]["decision_id"] for r in gateway.requests] == [first.decision_id, second.decision_id]


def test_a_replay_answers_200_as_it_stands(gateway, client):
    gateway.handle = lambda m, p, q, body: (200, view(resolution_event=resolved("approved_by_policy")), {})
    decision = propose(client)
    assert (decision.replayed, decision.status, decision.resolved) == (True, "approved", True)
    assert decision.resolution_event == resolved("approved_by_policy")


def test_agent_in_the_proposal_is_refused_before_anything_is_sent(gateway, client):
    with pytest.raises(ValueError, match="from the token"):
        propose(client, agent={"id": "refund-bot"})
    assert gateway.requests == []


def test_one_client_does_not_propose_other_content_under_a_decision_id_it_used(gateway, client):
    gateway.handle = lambda m, p, q, body: (202, view(body["decision_id"]), {})
    propose(client)
    with pytest.raises(ValueError, match="new decision_id"):
        client.propose(ACTION, {**PARAMETERS, "amount_usd": 2000}, confidence=0.9, confidence_basis="b", summary="s", decision_id=DECISION_ID)
    assert len(gateway.requests) == 1


@pytest.mark.parametrize(
    "answer, why",
    [
        (lambda body: view(body["decision_id"], hashed="sha256:" + "0" * 64), "this client proposed"),
        (lambda body: view(body["decision_id"], action="delete_account"), "this client proposed"),
        (lambda body: view(str(uuid.uuid4())), "answered about"),
        (lambda body: {"decision_id": body["decision_id"], "status": "maybe"}, "not a decision"),
        (lambda body: "<html>proxy</html>", "not a decision"),
    ],
)
def test_an_answer_about_another_decision_or_payload_is_unexpected(gateway, client, answer, why):
    gateway.handle = lambda m, p, q, body: (202, answer(body), {})
    with pytest.raises(UnexpectedAnswer, match=why) as raised:
        propose(client)
    assert raised.value.code == "unexpected_answer"


@pytest.mark.parametrize(
    "status, code, kind",
    [
        (400, "invalid_request", InvalidRequest),
        (401, "token_unknown", NotAuthenticated),
        (403, "wrong_workspace", Forbidden),
        (404, "decision_not_found", NotFound),
        (409, "decision_conflict", Conflict),
        (422, "something_else", GatewayRefusal),
        (500, "internal", ServerError),
    ],
)
def test_http_refusals_are_typed_and_carry_the_gateways_code(gateway, client, status, code, kind):
    gateway.handle = lambda m, p, q, body: (status, {"statusCode": status, "code": code, "message": f"refused: {code}"}, {})
    with pytest.raises(kind) as raised:
        propose(client)
    error = raised.value
    assert (type(error), error.status, error.code, error.message) == (kind, status, code, f"refused: {code}")
    assert isinstance(error, GatewayError) and not isinstance(error, Refused)
    assert str(error) == f"{status} {code}: refused: {code}"
    assert len(gateway.requests) == 1  # a refusal is not retried (a 500 neither: only 502, 503, 504)


def test_a_refusal_without_json_is_named_by_its_status(gateway, client):
    gateway.handle = lambda m, p, q, body: (418, b"I'm a teapot", {"content-type": "text/plain"})
    with pytest.raises(GatewayRefusal) as raised:
        client.get(DECISION_ID)
    assert (raised.value.code, raised.value.message, str(raised.value)) == ("http_418", "I'm a teapot", "HTTP 418: I'm a teapot")


def test_a_conflict_forgets_the_proposal(gateway, client):
    gateway.handle = lambda m, p, q, body: (409, {"statusCode": 409, "code": "decision_conflict", "message": "m"}, {})
    with pytest.raises(Conflict):
        propose(client)
    gateway.handle = lambda m, p, q, body: (200, view(resolution_event=resolved("approved_by_policy")), {})
    with pytest.raises(UnknownDecision):
        client.guard(client.get(DECISION_ID), lambda parameters: None)


def test_502_503_504_are_retried_with_the_same_decision_id(gateway, client):
    answers = iter([(503, {"code": "unavailable"}, {}), (502, b"bad gateway", {}), (202, None, {})])

    def handle(m, p, q, body):
        status, answer, headers = next(answers)
        return status, answer if answer is not None else view(body["decision_id"]), headers

    gateway.handle = handle
    decision = client.propose(ACTION, PARAMETERS, confidence=0.9, confidence_basis="b", summary="s")
    assert decision.status == "pending"
    assert len({r["body"]["decision_id"] for r in gateway.requests}) == 1 and len(gateway.requests) == 3


def test_retries_give_up_with_the_last_refusal(gateway, keyring):
    gateway.handle = lambda m, p, q, body: (503, {"statusCode": 503, "code": "unavailable", "message": "down"}, {})
    client = HitlClient(gateway.url, TOKEN, trusted_keys=keyring, retries=1, retry_delay_s=0)
    with pytest.raises(ServerError, match="down"):
        client.get(DECISION_ID)
    assert len(gateway.requests) == 2


def test_no_answer_is_gateway_unreachable(keyring):
    fake = FakeGateway()
    url = fake.url
    fake.close()  # nothing listens there any more
    client = HitlClient(url, TOKEN, trusted_keys=keyring, timeout=2, retries=1, retry_delay_s=0)
    with pytest.raises(GatewayUnreachable) as raised:
        client.get(DECISION_ID)
    assert raised.value.code == "gateway_unreachable"
    assert "2 attempt(s)" in str(raised.value)


def test_redirects_are_not_followed_so_the_token_stays_with_the_gateway(gateway, client):
    elsewhere = FakeGateway()
    try:
        gateway.handle = lambda m, p, q, body: (302, None, {"location": f"{elsewhere.url}/steal"})
        with pytest.raises(GatewayRefusal) as raised:
            client.get(DECISION_ID)
        assert raised.value.status == 302
        assert elsewhere.requests == []
    finally:
        elsewhere.close()


def test_the_client_checks_its_arguments(keyring):
    for url in ("ftp://x", "gateway:8080", ""):
        with pytest.raises(ValueError, match="http"):
            HitlClient(url, TOKEN)
    with pytest.raises(ValueError, match="token"):
        HitlClient("http://127.0.0.1:1", " ")
    client = HitlClient("http://127.0.0.1:1/prefix/", TOKEN, trusted_keys={"router": VECTORS["jwks"]["router"]})
    assert client.base_url == "http://127.0.0.1:1/prefix"
    assert isinstance(client.keys, Keyring) and len(client.keys) == 1
    assert TOKEN not in repr(client)
    with pytest.raises(ValueError, match="UUID"):
        client.get("../callback")


# --- get, wait, stream ------------------------------------------------------------------------


def test_get_reads_once_and_normalises_the_id(gateway, client):
    gateway.handle = lambda m, p, q, body: (200, view(), {})
    decision = client.get(DECISION_ID.upper())
    [request] = gateway.requests
    assert (request["method"], request["path"], request["query"]) == ("GET", f"/v1/decisions/{DECISION_ID}", {})
    assert decision.decision_id == DECISION_ID and decision.proposed is None


def test_wait_long_polls_until_the_outcome(gateway, client):
    answers = iter([view(), view(), view(resolution_event=resolved("approved_by_policy"))])
    gateway.handle = lambda m, p, q, body: (200, next(answers), {})
    decision = client.wait(DECISION_ID, timeout_s=600)
    assert decision.status == "approved"
    assert [r["query"]["wait"] for r in gateway.requests] == [["60"], ["60"], ["60"]]
    assert all(r["path"] == f"/v1/decisions/{DECISION_ID}" for r in gateway.requests)


def test_wait_answers_pending_when_the_time_is_up(gateway, client):
    gateway.handle = lambda m, p, q, body: (200, view(), {})
    decision = client.wait(DECISION_ID, timeout_s=0)
    assert (decision.status, decision.resolved) == ("pending", False)
    assert [r["query"]["wait"] for r in gateway.requests] == [["0"]]
    with pytest.raises(StillPending) as raised:
        client.guard(decision, lambda parameters: None, proposal=Proposal(DECISION_ID, ACTION, HASH))
    assert raised.value.code == "pending"


def test_wait_asks_no_longer_than_the_time_left(gateway, client):
    def hold(m, p, q, body):
        time.sleep(0.3)  # the gateway holds a long-poll (here, shortly)
        return 200, view(), {}

    gateway.handle = hold
    decision = client.wait(DECISION_ID, timeout_s=1.5)
    waits = [int(r["query"]["wait"][0]) for r in gateway.requests]
    assert decision.status == "pending"
    assert waits[0] == 2 and waits[-1] in (0, 1) and sorted(waits, reverse=True) == waits and len(waits) <= 6


def test_a_not_found_decision_is_not_found(gateway, client):
    gateway.handle = lambda m, p, q, body: (404, {"statusCode": 404, "code": "decision_not_found", "message": f"no decision {DECISION_ID} of yours"}, {})
    with pytest.raises(NotFound) as raised:
        client.wait(DECISION_ID, timeout_s=5)
    assert raised.value.code == "decision_not_found"


def sse(event, data):
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def test_stream_yields_the_decision_then_its_outcome_and_ends(gateway, client):
    outcome = view(resolution_event=resolved("approved_by_policy"))
    frames = [sse("decision", view()), ": heartbeat\n\n", sse("decision", outcome), sse("end", {"decision_id": DECISION_ID, "status": "approved"}), sse("decision", view())]
    gateway.handle = lambda m, p, q, body: (200, frames, {"content-type": "text/event-stream"})
    seen = list(client.stream(DECISION_ID))
    assert [d.status for d in seen] == ["pending", "approved"]
    [request] = gateway.requests
    assert (request["path"], request["headers"]["Accept"]) == (f"/v1/decisions/{DECISION_ID}/events", "text/event-stream")


def test_a_stream_cut_before_its_end_is_an_error(gateway, client):
    gateway.handle = lambda m, p, q, body: (200, [sse("decision", view())], {"content-type": "text/event-stream"})
    stream = client.stream(DECISION_ID)
    assert next(stream).status == "pending"
    with pytest.raises(GatewayError, match="closed before its end"):
        next(stream)


def test_iter_sse_parses_the_format():
    lines = ["event: a\n", "data: 1\n", "\n", ": comment\n", "data: x\r\n", "data:y\n", "\n", "event: empty\n", "\n", "event: last\n", "data: z"]
    assert list(iter_sse(lines)) == [("a", "1"), ("message", "x\ny"), ("last", "z")]
    assert list(iter_sse([b"event: decision\n", b'data: {"a":"\xc3\xa9"}\n', b"\n"])) == [("decision", '{"a":"é"}')]


# --- guard on the outcome ---------------------------------------------------------------------


def proposed_then(gateway, client, outcome):
    """Proposes through the fake gateway, then reads the outcome ``outcome`` (a resolution event)."""
    gateway.handle = lambda m, p, q, body: (202, view(body["decision_id"]), {})
    propose(client)
    gateway.handle = lambda m, p, q, body: (200, view(resolution_event=outcome), {})
    return client.wait(DECISION_ID, timeout_s=1)


def test_guard_runs_an_approved_outcome_once(gateway, client):
    decision = proposed_then(gateway, client, resolved("approved_by_policy"))
    assert decision.proposed == Proposal(DECISION_ID, ACTION, HASH)
    ran = []
    assert client.guard(decision, lambda parameters: ran.append(parameters) or "refunded") == "refunded"
    assert ran == [PARAMETERS]
    with pytest.raises(AlreadyRun) as again:
        client.guard(decision, lambda parameters: ran.append(parameters))
    assert again.value.code == "already_run"
    # A replay of the proposal answers the same outcome: it is not a second consent.
    gateway.handle = lambda m, p, q, body: (200, view(resolution_event=resolved("approved_by_policy")), {})
    replay = propose(client)
    assert replay.replayed
    with pytest.raises(AlreadyRun):
        client.guard(replay, lambda parameters: ran.append(parameters))
    assert ran == [PARAMETERS]


def test_guard_runs_a_reviewers_edit_with_the_edited_parameters(gateway, client):
    decision = proposed_then(gateway, client, resolved("edited_by_reviewer"))
    ran = []
    client.guard(decision, ran.append)
    assert ran == [resolved("edited_by_reviewer")["data"]["parameters"]]
    assert ran[0]["amount_usd"] == 15


def forged_by_another_key(event):
    stranger = generate_signing_key()
    unsigned = {k: v for k, v in event.items() if k not in ("sig", "sigkid")}
    forged = sign_event(unsigned, stranger.key)
    return {**forged, "sigkid": event["sigkid"]}  # the router's kid on another key's signature


@pytest.mark.parametrize(
    "outcome, refusal, code",
    [
        (lambda e: {**e, "data": {**e["data"], "parameters": {**e["data"]["parameters"], "amount_usd": 2000}}}, SignatureRefused, "signature_invalid"),
        (lambda e: {**e, "data": {**e["data"], "status": "approved", "reasons": []}}, SignatureRefused, "signature_invalid"),
        (forged_by_another_key, SignatureRefused, "signature_invalid"),
        (lambda e: {k: v for k, v in e.items() if k not in ("sig", "sigkid")}, SignatureRefused, "unsigned"),
        (lambda e: {**e, "type": "hitl.approval.updated.v1"}, MalformedEvent, "invalid_event"),
    ],
    ids=["another amount", "altered reasons", "another key under the router's kid", "unsigned", "another type"],
)
def test_guard_refuses_a_forged_outcome_and_runs_nothing(gateway, client, outcome, refusal, code):
    decision = proposed_then(gateway, client, outcome(copy.deepcopy(resolved("approved_by_policy"))))
    ran = []
    with pytest.raises(refusal) as raised:
        client.guard(decision, ran.append)
    assert raised.value.code == code
    assert ran == []


def test_guard_refuses_a_denial(gateway, client):
    decision = proposed_then(gateway, client, resolved("denied_by_reviewer"))
    ran = []
    with pytest.raises(NotApproved, match="already refunded"):
        client.guard(decision, ran.append)
    assert ran == []


def test_guard_holds_the_outcome_to_what_this_client_proposed(gateway, client):
    # The gateway answers the proposal faithfully, then an outcome for other parameters under the same decision.
    decision = proposed_then(gateway, client, resolved("approved_by_policy"))
    other = Proposal(DECISION_ID, ACTION, payload_hash(ACTION, {**PARAMETERS, "amount_usd": 1}))
    ran = []
    with pytest.raises(PayloadMismatch):
        client.guard(decision, ran.append, proposal=other)
    assert ran == []


def test_guard_needs_the_proposal_and_the_keys(gateway, client, keyring):
    gateway.handle = lambda m, p, q, body: (200, view(resolution_event=resolved("approved_by_policy")), {})
    decision = client.get(DECISION_ID)
    ran = []
    with pytest.raises(UnknownDecision, match="not proposed by this client"):
        client.guard(decision, ran.append)
    # Kept from an earlier process: then it runs.
    client.guard(decision, ran.append, proposal=Proposal(DECISION_ID, ACTION, HASH))
    assert ran == [PARAMETERS]
    keyless = HitlClient(gateway.url, TOKEN)
    keyless.remember(Proposal(DECISION_ID, ACTION, HASH))
    with pytest.raises(NoTrustedKeys):
        keyless.guard(decision, ran.append)
    assert len(ran) == 1


def test_guard_takes_a_decision_from_a_callback(client):
    client.remember({"decision_id": DECISION_ID, "action": ACTION, "parameters": PARAMETERS})
    message = {"type": "hitl.decision.resolved", "timestamp": "2026-12-04T12:00:00.000Z", "data": view(resolution_event=resolved("approved_by_policy"))}
    ran = []
    client.guard(Decision.from_view(message["data"]), ran.append)
    assert ran == [PARAMETERS]


def test_a_resolution_signed_by_the_wrong_service_is_refused(gateway, keyring):
    # The router's keys given as the escalation service's: a policy resolution then lacks its authority.
    swapped = HitlClient(gateway.url, TOKEN, trusted_keys={"escalation": VECTORS["jwks"]["router"]}, timeout=5)
    decision = proposed_then(gateway, swapped, resolved("approved_by_policy"))
    with pytest.raises(SignatureRefused, match="must be signed by the router"):
        swapped.guard(decision, lambda parameters: pytest.fail("ran"))


# --- the callback -----------------------------------------------------------------------------


def test_callback_set_read_and_removed(gateway, client):
    answers = {
        "PUT": (200, {"url": "https://agent.example/hitl", "set_at": "2026-12-04T12:00:00.000Z", "secret": "whsec_AAAA"}, {}),
        "GET": (200, {"url": "https://agent.example/hitl", "set_at": "2026-12-04T12:00:00.000Z"}, {}),
        "DELETE": (204, None, {}),
    }
    gateway.handle = lambda m, p, q, body: answers[m]
    setting = client.set_callback("https://agent.example/hitl")
    assert (setting.url, setting.secret) == ("https://agent.example/hitl", "whsec_AAAA")
    assert "whsec" not in repr(setting)
    assert client.get_callback().secret is None
    assert client.delete_callback() is None
    assert [(r["method"], r["path"], r["body"]) for r in gateway.requests] == [
        ("PUT", "/v1/callback", {"url": "https://agent.example/hitl"}),
        ("GET", "/v1/callback", None),
        ("DELETE", "/v1/callback", None),
    ]
    gateway.handle = lambda m, p, q, body: (404, {"statusCode": 404, "code": "callback_not_found", "message": "no callback set"}, {})
    with pytest.raises(NotFound) as raised:
        client.get_callback()
    assert raised.value.code == "callback_not_found"
