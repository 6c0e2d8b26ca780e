"""The gateway's HTTP transport: propose, wait for the outcome, and act on it through the guard.

An agent with no Kafka connection of its own talks to hitl's agent gateway (apps/gateway) with
its gateway token (``Authorization: Bearer``)::

    client = HitlClient("https://hitl.example/gateway", token, trusted_keys={"router": router_jwks, "escalation": escalation_jwks})
    decision = client.propose("process_refund", {"order_id": "ORD-1", "amount_usd": 20},
                              confidence=0.97, confidence_basis="matches the order history",
                              summary="Refund $20 to the card used for the order.")
    decision = client.wait(decision.decision_id, timeout_s=900)
    refund = client.guard(decision, lambda parameters: payments.refund(**parameters))

The client remembers what it proposed (decision_id, action, payload_hash, computed here from
the parameters it sent) and ``guard`` holds the outcome to that: the approval.resolved the
gateway hands over (``resolution_event``) must verify with the router's or the escalation
service's key, as the contract's table says, be about that decision and that payload. What
the gateway says around it (``status``, ``resolution``) is for display; only the signed event
decides. Standard library only (urllib); the signatures need ``cryptography``.
"""

from __future__ import annotations

import http.client
import json
import math
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

from .errors import (
    AlreadyRun,
    GatewayError,
    GatewayRefusal,
    GatewayUnreachable,
    HitlError,
    StillPending,
    UnexpectedAnswer,
    UnknownDecision,
    refusal_for,
)
from .guard import Proposal, assert_runnable, check_resolution
from .payload_hash import payload_hash
from .signatures import Keyring

__all__ = ["CallbackSetting", "Decision", "HitlClient", "NoTrustedKeys", "STATUSES", "iter_sse"]

T = TypeVar("T")

#: A decision's statuses: pending until its outcome, then the outcome's.
STATUSES = ("pending", "approved", "denied", "blocked", "expired")

_RETRY_STATUSES = (502, 503, 504)


class NoTrustedKeys(HitlError, ValueError):
    """``guard`` needs the services' public keys: give ``trusted_keys`` to the client."""

    code = "no_trusted_keys"


@dataclass(frozen=True)
class Decision:
    """A decision as the gateway answers it (``DecisionView``).

    ``status``, ``resolution`` and ``resolved_at`` are the gateway's word, for display and
    logs; ``resolution_event`` is the approval.resolved as the router or the escalation service
    signed it, what ``HitlClient.guard`` verifies before anything runs. ``proposed``: what this
    client proposed (from its own parameters), when it did; ``replayed``: the answer to a
    proposal sent before (the same decision_id and content), with the decision as it stands.
    """

    decision_id: str
    workspace: str
    action: str
    payload_hash: str
    status: str
    proposed_at: str
    resolved_at: str | None
    resolution: dict[str, Any] | None
    resolution_event: dict[str, Any] | None
    proposed: Proposal | None = None
    replayed: bool = False
    view: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: Reviewers' questions about it, oldest first (``clarification_id``, ``question``, ``answer`` None while unanswered).
    clarifications: tuple[dict[str, Any], ...] = ()

    @property
    def questions(self) -> list[dict[str, Any]]:
        """The reviewers' questions still unanswered: answer each with ``HitlClient.answer`` (a reviewer waits on it)."""
        return [c for c in self.clarifications if c.get("answer") is None]

    @property
    def resolved(self) -> bool:
        """Whether the outcome has come (approved, denied, blocked or expired)."""
        return self.status != "pending"

    @staticmethod
    def from_view(view: Any, *, proposed: Proposal | None = None, replayed: bool = False) -> "Decision":
        """From the gateway's JSON: an answer of ``/v1/decisions``, an SSE ``decision`` frame, or
        a callback's ``data``. Raises ``UnexpectedAnswer`` when it is not one."""
        if not isinstance(view, dict):
            raise UnexpectedAnswer(f"not a decision (a JSON object): {type(view).__name__}")
        problems = [f"{name} is not a string" for name in ("decision_id", "workspace", "action", "payload_hash", "proposed_at") if not isinstance(view.get(name), str)]
        if view.get("status") not in STATUSES:
            problems.append(f"status {view.get('status')!r} is none of {', '.join(STATUSES)}")
        for name in ("resolution", "resolution_event"):
            if view.get(name) is not None and not isinstance(view.get(name), dict):
                problems.append(f"{name} is neither an object nor null")
        if view.get("resolved_at") is not None and not isinstance(view.get("resolved_at"), str):
            problems.append("resolved_at is neither a string nor null")
        if problems:
            raise UnexpectedAnswer(f"not a decision as the gateway answers it: {'; '.join(problems)}")
        return Decision(
            decision_id=view["decision_id"],
            workspace=view["workspace"],
            action=view["action"],
            payload_hash=view["payload_hash"],
            status=view["status"],
            proposed_at=view["proposed_at"],
            resolved_at=view.get("resolved_at"),
            resolution=view.get("resolution"),
            resolution_event=view.get("resolution_event"),
            proposed=proposed,
            replayed=replayed,
            view=view,
            clarifications=tuple(c for c in view.get("clarifications") or () if isinstance(c, dict)),
        )


@dataclass(frozen=True)
class CallbackSetting:
    """The agent's callback: its URL, when it was set, and (in the answer to ``set_callback`` only) its signing secret."""

    url: str
    set_at: str
    secret: str | None = field(default=None, repr=False)


def iter_sse(lines: Iterable[bytes | str]) -> Iterator[tuple[str, str]]:
    """The events of a Server-Sent Events stream, ``(event, data)``, from its lines (as read
    from the response, line endings included or not). Comment lines (heartbeats) are skipped;
    several ``data:`` lines of one event are joined with newlines; an event with no data is
    dropped, as the spec says."""
    event, data = "", []
    for raw in lines:
        line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        line = line.rstrip("\r\n")
        if line == "":
            if data:
                yield (event or "message", "\n".join(data))
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
    if data:
        yield (event or "message", "\n".join(data))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """The token goes to the gateway only: a redirect is an answer, never followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


class HitlClient:
    """An agent's client of hitl's agent gateway.

    ``base_url``: the gateway's URL (``http(s)://host:port``, with a path prefix if it has one).
    ``token``: the agent's gateway token; it says who the agent is and in which workspaces it
    may act. ``trusted_keys``: the services' public keys, a ``Keyring`` or
    ``{"router": jwks, "escalation": jwks}`` (the JWKS their ``GET /keys`` serve; fetch them
    once, out of band, and keep them: trusting whatever a network answers defeats the point).
    ``timeout``: seconds a request may go without an answer (a long-poll adds its wait).
    ``retries``: how many more times a request that got no answer, or a 502, 503 or 504, is
    sent (proposals included: they carry their decision_id, so a repeat is a replay).
    ``max_wait_s``: the longest single long-poll (the gateway's GATEWAY_MAX_WAIT_SECONDS, 60).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        trusted_keys: Keyring | Mapping[str, Any] | None = None,
        timeout: float = 30.0,
        retries: int = 2,
        retry_delay_s: float = 0.5,
        max_wait_s: int = 60,
        user_agent: str = "hitl-client-python/0.1.0",
    ) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"base_url must be an http(s) URL, not {base_url!r}")
        if not isinstance(token, str) or not token.strip():
            raise ValueError("token must be the agent's gateway token (a non-empty string)")
        if timeout <= 0 or retries < 0 or retry_delay_s < 0 or max_wait_s < 1:
            raise ValueError("timeout must be positive, retries and retry_delay_s at least 0, max_wait_s at least 1")
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.keys: Keyring | None = trusted_keys if isinstance(trusted_keys, Keyring) or trusted_keys is None else Keyring(services=trusted_keys)
        self.timeout = timeout
        self.retries = retries
        self.retry_delay_s = retry_delay_s
        self.max_wait_s = max_wait_s
        self.user_agent = user_agent
        self._opener = urllib.request.build_opener(_NoRedirects())
        self._lock = threading.Lock()
        self._proposals: dict[str, Proposal] = {}
        self._ran: set[str] = set()

    def __repr__(self) -> str:
        return f"HitlClient({self.base_url!r}, token=***, keys={len(self.keys) if self.keys else 0})"

    # --- HTTP ------------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: Any = None, *, read_timeout: float | None = None, retry: bool = True, stream: bool = False) -> tuple[int, Any]:
        """Sends one request (again on no answer or 502/503/504, when ``retry``); answers
        ``(status, parsed JSON)``, or ``(status, response)`` for a stream. Raises a
        ``GatewayRefusal`` for an HTTP error, ``GatewayUnreachable`` for no answer."""
        data = None
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "text/event-stream" if stream else "application/json", "User-Agent": self.user_agent}
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        attempts = 1 + (self.retries if retry else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
            try:
                response = self._opener.open(request, timeout=read_timeout or self.timeout)
            except urllib.error.HTTPError as error:
                try:
                    answer = _parse(error.read())
                except (OSError, http.client.HTTPException):
                    answer = None
                finally:
                    error.close()
                if error.code in _RETRY_STATUSES and not last:
                    self._pause(attempt)
                    continue
                raise refusal_for(error.code, answer) from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as error:  # refused, reset, timed out, DNS
                if not last:
                    self._pause(attempt)
                    continue
                reason = error.reason if isinstance(error, urllib.error.URLError) else error
                raise GatewayUnreachable(f"{method} {path}: no answer from {self.base_url} ({reason}) after {attempts} attempt(s)") from None
            if stream:
                return response.status, response
            with response:
                try:
                    raw = response.read()
                except (OSError, http.client.HTTPException) as error:
                    if not last:
                        self._pause(attempt)
                        continue
                    raise GatewayUnreachable(f"{method} {path}: the answer broke off ({error})") from None
                return response.status, _parse(raw)
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, attempt: int) -> None:
        time.sleep(self.retry_delay_s * (2**attempt))

    def _decision(self, answer: Any, decision_id: str | None = None, *, replayed: bool = False) -> Decision:
        decision = Decision.from_view(answer, replayed=replayed)
        if decision_id is not None and decision.decision_id != decision_id:
            raise UnexpectedAnswer(f"asked about decision {decision_id}, answered about {decision.decision_id}")
        with self._lock:
            proposed = self._proposals.get(decision.decision_id)
        if proposed is None:
            return decision
        if (decision.action, decision.payload_hash) != (proposed.action, proposed.payload_hash):
            raise UnexpectedAnswer(
                f"decision {decision.decision_id}: the gateway answers {decision.action} {decision.payload_hash}, "
                f"but this client proposed {proposed.action} {proposed.payload_hash}"
            )
        return replace(decision, proposed=proposed)

    # --- decisions -------------------------------------------------------------------------

    def propose(
        self,
        action: str,
        parameters: Mapping[str, Any],
        *,
        confidence: float,
        confidence_basis: str,
        summary: str,
        uncertainty_factors: Sequence[str] = (),
        recommended_review: bool = False,
        decision_id: str | None = None,
        context: Mapping[str, Any] | None = None,
        urgency: str | None = None,
        on_behalf_of: str | None = None,
        session_id: str | None = None,
        workflow: Mapping[str, Any] | None = None,
        workspace: str | None = None,
        model: str | None = None,
        prompt_version: str | None = None,
        **more: Any,
    ) -> Decision:
        """Proposes a decision (``POST /v1/decisions``) and answers it, pending (or, for a
        proposal sent before, as it stands: ``replayed``). The agent is the one the token
        names, never the body's. ``decision_id``: made here (a UUID) unless given; send the
        same again to retry safely. ``workspace``: needed only when the agent acts in several.
        ``more``: other fields of the contract's proposal (``repairable``, ``repair_of``).
        Raises ``Conflict`` (``decision_conflict``: that id was proposed with other content),
        ``Forbidden`` (``wrong_workspace``), ``InvalidRequest`` (``invalid_request``), ..."""
        if not isinstance(action, str) or not action:
            raise ValueError("action must be a non-empty string")
        if not isinstance(parameters, Mapping):
            raise ValueError("parameters must be a mapping (a JSON object)")
        if "agent" in more:
            raise ValueError("agent comes from the token, never from the proposal")
        decision_id = _uuid(decision_id) if decision_id is not None else str(uuid.uuid4())
        body: dict[str, Any] = {
            "decision_id": decision_id,
            "action": action,
            "parameters": dict(parameters),
            "confidence": confidence,
            "confidence_basis": confidence_basis,
            "uncertainty_factors": list(uncertainty_factors),
            "recommended_review": recommended_review,
            "summary": summary,
        }
        optional = {
            "context": dict(context) if context is not None else None,
            "urgency": urgency,
            "on_behalf_of": on_behalf_of,
            "session_id": session_id,
            "workflow": dict(workflow) if workflow is not None else None,
            "workspace": workspace,
            "model": model,
            "prompt_version": prompt_version,
            **more,
        }
        body.update({name: value for name, value in optional.items() if value is not None})
        # What the executor remembers, from what it sends (the gateway's answer is checked against it).
        proposed = Proposal(decision_id, action, payload_hash(action, body["parameters"]))
        with self._lock:
            known = self._proposals.get(decision_id)
            if known is not None and known != proposed:
                raise ValueError(f"decision {decision_id} was proposed by this client with another action or other parameters: a new proposal needs a new decision_id")
            self._proposals[decision_id] = proposed
        try:
            status, answer = self._request("POST", "/v1/decisions", body)
        except GatewayRefusal:
            if known is None:
                with self._lock:
                    self._proposals.pop(decision_id, None)
            raise
        return self._decision(answer, decision_id, replayed=status == 200)

    def remember(self, proposal: Proposal | Mapping[str, Any]) -> Proposal:
        """Tells the client about a decision proposed before (by an earlier process, say): its
        ``Proposal`` (decision_id, action, payload_hash), as kept from ``Decision.proposed``."""
        remembered = Proposal.of(proposal)
        with self._lock:
            self._proposals[remembered.decision_id] = remembered
        return remembered

    def get(self, decision_id: str) -> Decision:
        """The decision as it stands (``GET /v1/decisions/{id}``); ``NotFound`` when it is none of the agent's."""
        decision_id = _uuid(decision_id)
        _, answer = self._request("GET", f"/v1/decisions/{decision_id}")
        return self._decision(answer, decision_id)

    def wait(self, decision_id: str, timeout_s: float) -> Decision:
        """The decision once it has its outcome, long-polling (``?wait=``, at most ``max_wait_s``
        a request) until it comes or ``timeout_s`` seconds have passed; then it is answered
        still ``pending`` (check ``decision.resolved``). ``timeout_s`` 0 asks once, without waiting."""
        decision_id = _uuid(decision_id)
        if timeout_s < 0:
            raise ValueError("timeout_s must be 0 or more")
        deadline = time.monotonic() + timeout_s
        while True:
            left = deadline - time.monotonic()
            wait = min(self.max_wait_s, max(0, math.ceil(left)))
            _, answer = self._request("GET", f"/v1/decisions/{decision_id}?wait={wait}", read_timeout=self.timeout + wait)
            decision = self._decision(answer, decision_id)
            if decision.resolved or deadline - time.monotonic() <= 0:
                return decision

    def stream(self, decision_id: str) -> Iterator[Decision]:
        """The decision as Server-Sent Events (``GET /v1/decisions/{id}/events``): the decision
        as it stands, again when its outcome comes, and the iterator ends after the outcome.
        ``GatewayError`` when the stream breaks off before its end."""
        decision_id = _uuid(decision_id)
        # Heartbeats come every 15 to 20 s while the decision waits.
        _, response = self._request("GET", f"/v1/decisions/{decision_id}/events", read_timeout=max(self.timeout, 60.0), stream=True)
        with response:
            try:
                for event, data in iter_sse(response):
                    if event == "decision":
                        yield self._decision(_parse(data.encode("utf-8")), decision_id)
                    elif event == "end":
                        return
            except (OSError, http.client.HTTPException) as error:
                raise GatewayUnreachable(f"the stream of decision {decision_id} broke off ({error})") from None
        raise GatewayError(f"the stream of decision {decision_id} closed before its end")

    # --- acting on the outcome -------------------------------------------------------------

    def guard(self, decision: Decision, run: Callable[[dict[str, Any]], T], *, proposal: Proposal | Mapping[str, Any] | None = None) -> T:
        """Runs ``run(parameters)`` once, with the signed resolution's parameters (a reviewer's
        edit included), and returns what it returns, only when ``decision.resolution_event``
        passes the executor's rule (``hitl_client.guard``) against what this client proposed
        (or ``proposal``, kept from an earlier process): verified, signed by the service with
        authority over it, about this decision and action, approved, for the payload proposed.
        A decision is run at most once by a client. Raises and runs nothing otherwise:
        ``StillPending``, ``UnknownDecision`` (not proposed by this client), ``AlreadyRun``,
        ``SignatureRefused``, ``AuthorityRefused``, ``MalformedEvent``, ``ActionMismatch``,
        ``NotApproved``, ``PayloadMismatch`` (all ``Refused``)."""
        if self.keys is None or len(self.keys) == 0:
            raise NoTrustedKeys("guard needs the router's and the escalation service's public keys: HitlClient(..., trusted_keys={'router': jwks, 'escalation': jwks})")
        if proposal is not None:
            proposed = self.remember(proposal)
        else:
            with self._lock:
                proposed = self._proposals.get(decision.decision_id)
        if proposed is None:
            raise UnknownDecision(
                f"decision {decision.decision_id} was not proposed by this client: pass proposal= (its decision_id, action and payload_hash, kept when it was proposed)",
                decision_id=decision.decision_id,
            )
        if decision.resolution_event is None:
            raise StillPending(decision.decision_id)
        data, _signer = check_resolution(proposed, decision.resolution_event, self.keys)
        assert_runnable(data)
        with self._lock:
            if proposed.decision_id in self._ran:
                raise AlreadyRun(proposed.decision_id)
            # At most once: marked before it runs, so a run that fails half-way is not run again.
            self._ran.add(proposed.decision_id)
        return run(data["parameters"])

    def report_execution(self, decision_id: str, *, succeeded: bool, duration_ms: int, output: Mapping[str, Any] | None = None, error: str | None = None) -> Decision:
        """Reports what ran under the approval (published as action.executed for the agent, with
        the approval's parameters and payload_hash): once per decision, only an approved one
        (``Conflict``: ``not_approved``, ``already_reported``)."""
        decision_id = _uuid(decision_id)
        body = {"succeeded": succeeded, "duration_ms": duration_ms, "output": dict(output) if output is not None else None, "error": error}
        _, answer = self._request("POST", f"/v1/decisions/{decision_id}/execution", body, retry=False)
        return self._decision(answer, decision_id)

    def label(self, decision_id: str, *, correct: bool, source: str, labeled_by: str | None = None, notes: str | None = None) -> Decision:
        """Labels the outcome right or wrong (published as outcome.labeled for the agent); the calibrator learns from it."""
        decision_id = _uuid(decision_id)
        body = {"correct": correct, "source": source, "labeled_by": labeled_by, "notes": notes}
        _, answer = self._request("POST", f"/v1/decisions/{decision_id}/labels", body, retry=False)
        return self._decision(answer, decision_id)

    def answer(self, decision_id: str, clarification_id: str, answer: str) -> Decision:
        """Answers a reviewer's question about the decision (published as clarification_provided
        for the agent): once per question (``Conflict``: ``already_answered``)."""
        decision_id = _uuid(decision_id)
        clarification_id = _uuid(clarification_id)
        _, reply = self._request("POST", f"/v1/decisions/{decision_id}/clarifications/{clarification_id}", {"answer": answer}, retry=False)
        return self._decision(reply, decision_id)

    # --- the callback ----------------------------------------------------------------------

    def set_callback(self, url: str) -> CallbackSetting:
        """Sets where each outcome of the agent's decisions is POSTed (``PUT /v1/callback``);
        answers it with its signing secret, shown this once: keep it for ``verify_callback``."""
        _, answer = self._request("PUT", "/v1/callback", {"url": url}, retry=False)
        return _callback(answer)

    def get_callback(self) -> CallbackSetting:
        """The callback, without its secret; ``NotFound`` (``callback_not_found``) when none is set."""
        _, answer = self._request("GET", "/v1/callback")
        return _callback(answer)

    def delete_callback(self) -> None:
        """Removes the callback: outcomes still waiting to be posted are given up."""
        self._request("DELETE", "/v1/callback", retry=False)


def _parse(raw: bytes) -> Any:
    """An answer's body: its JSON, its text when it is not JSON, None when empty."""
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _uuid(decision_id: str) -> str:
    try:
        return str(uuid.UUID(decision_id))
    except (TypeError, ValueError, AttributeError):
        raise ValueError(f"not a decision id (a UUID): {decision_id!r}") from None


def _callback(answer: Any) -> CallbackSetting:
    if not isinstance(answer, dict) or not isinstance(answer.get("url"), str) or not isinstance(answer.get("set_at"), str):
        raise UnexpectedAnswer(f"not a callback as the gateway answers it: {answer!r:.200}")
    secret = answer.get("secret")
    return CallbackSetting(answer["url"], answer["set_at"], secret if isinstance(secret, str) else None)

