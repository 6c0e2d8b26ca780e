"""verify_callback: Standard Webhooks verification of the gateway's callbacks, against a vector
signed here with the standard library's hmac (independently of the client's code) and one signed
by the TypeScript `standardwebhooks` package the gateway signs with (vectors.json, "webhook")."""

import base64
import hashlib
import hmac
import http.client
import io
import json

import pytest

from conftest import VECTORS
from hitl_client import WebhookRefused, verify_callback, webhook_key

TS = VECTORS["webhook"]
NOW = 1796385600  # 2026-12-04T12:00:00Z, when the TypeScript vector was signed

# A known answer, worked out by hand from the Standard Webhooks spec.
KEY = bytes(range(32))
SECRET = "whsec_" + base64.b64encode(KEY).decode()
MSG_ID = "msg_0b8e5d3a-1c2f-4e6a-9d7b-8c9d0e1f2a3b"
BODY = '{"type":"hitl.decision.resolved","timestamp":"2026-12-04T12:00:00.000Z","data":{"status":"approved","note":"für Zoë 😀"}}'


def sign(key, msg_id, timestamp, body):
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body.encode("utf-8"), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(signature=None, timestamp=NOW, msg_id=MSG_ID):
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature or sign(KEY, msg_id, timestamp, BODY)}


def test_the_secret_is_the_base64_after_whsec():
    assert webhook_key(SECRET) == KEY
    assert webhook_key(base64.b64encode(KEY).decode()) == KEY
    for bad in ("whsec_", "whsec_not base64!"):
        with pytest.raises(ValueError):
            webhook_key(bad)


def test_a_vector_signed_with_hmac_here_verifies():
    assert sign(KEY, MSG_ID, NOW, BODY) == "v1," + base64.b64encode(
        hmac.new(KEY, (MSG_ID + "." + str(NOW) + "." + BODY).encode("utf-8"), "sha256").digest()
    ).decode()
    message = verify_callback(SECRET, headers(), BODY.encode("utf-8"), now=NOW)
    assert message == json.loads(BODY)
    assert verify_callback(SECRET, headers(), BODY, now=NOW) == message  # the body as text too


def test_the_vector_signed_by_the_typescript_standardwebhooks_package_verifies():
    message = verify_callback(TS["secret"], TS["headers"], TS["body"].encode("utf-8"), now=NOW)
    assert message["type"] == "hitl.decision.resolved"
    assert message["data"]["note"] == "Rückerstattung für «Zoë» 😀"
    # And the same signature worked out here with hmac.
    assert TS["headers"]["webhook-signature"] == sign(webhook_key(TS["secret"]), TS["headers"]["webhook-id"], TS["headers"]["webhook-timestamp"], TS["body"])


def test_headers_in_any_case_and_as_http_messages():
    upper = {name.upper(): value for name, value in headers().items()}
    assert verify_callback(SECRET, upper, BODY, now=NOW)["type"] == "hitl.decision.resolved"
    raw = "".join(f"{name}: {value}\r\n" for name, value in headers().items()) + "\r\n"
    message = http.client.parse_headers(io.BytesIO(raw.encode("latin-1")))
    assert verify_callback(SECRET, message, BODY, now=NOW)["type"] == "hitl.decision.resolved"


def test_any_one_matching_signature_of_several_will_do():
    good = sign(KEY, MSG_ID, NOW, BODY)
    other = sign(b"another key", MSG_ID, NOW, BODY)
    assert verify_callback(SECRET, headers(f"{other} v2,abc {good}"), BODY, now=NOW)


@pytest.mark.parametrize(
    "secret, hdrs, body, code",
    [
        ("whsec_" + base64.b64encode(b"x" * 32).decode(), headers(), BODY, "webhook_signature"),
        (SECRET, headers(), BODY.replace("approved", "denied"), "webhook_signature"),
        (SECRET, headers(), BODY + " ", "webhook_signature"),
        (SECRET, {**headers(), "webhook-id": "msg_other"}, BODY, "webhook_signature"),
        (SECRET, {**headers(), "webhook-timestamp": str(NOW + 1)}, BODY, "webhook_signature"),
        (SECRET, headers("v2," + sign(KEY, MSG_ID, NOW, BODY)[3:]), BODY, "webhook_signature"),
        (SECRET, headers(sign(KEY, MSG_ID, NOW, BODY)[3:]), BODY, "webhook_signature"),
        (SECRET, {k: v for k, v in headers().items() if k != "webhook-signature"}, BODY, "webhook_headers"),
        (SECRET, {k: v for k, v in headers().items() if k != "webhook-id"}, BODY, "webhook_headers"),
        (SECRET, {**headers(), "webhook-timestamp": "soon"}, BODY, "webhook_headers"),
        (SECRET, {}, BODY, "webhook_headers"),
    ],
    ids=["another secret", "another body", "a byte added", "another id", "another timestamp", "another version", "no version", "no signature", "no id", "not a timestamp", "no headers"],
)
def test_refused(secret, hdrs, body, code):
    with pytest.raises(WebhookRefused) as raised:
        verify_callback(secret, hdrs, body, now=NOW)
    assert raised.value.code == code


def test_the_timestamp_must_be_within_the_tolerance_either_way():
    for offset, ok in ((-300, True), (300, True), (-301, False), (301, False), (-86400, False)):
        stamp = NOW + offset
        hdrs = headers(sign(KEY, MSG_ID, stamp, BODY), timestamp=stamp)
        if ok:
            assert verify_callback(SECRET, hdrs, BODY, now=NOW)
        else:
            with pytest.raises(WebhookRefused) as raised:
                verify_callback(SECRET, hdrs, BODY, now=NOW)
            assert raised.value.code == "webhook_timestamp"
    late = headers(sign(KEY, MSG_ID, NOW - 3600, BODY), timestamp=NOW - 3600)
    assert verify_callback(SECRET, late, BODY, now=NOW, tolerance_s=7200)


def test_the_clock_is_the_default_now():
    # The TypeScript vector is dated 2026-12-04: by the clock it is either too old or, before then, too new.
    import time

    if abs(time.time() - NOW) > 300:
        with pytest.raises(WebhookRefused) as raised:
            verify_callback(TS["secret"], TS["headers"], TS["body"])
        assert raised.value.code == "webhook_timestamp"
    stamp = int(time.time())
    assert verify_callback(SECRET, headers(sign(KEY, MSG_ID, stamp, BODY), timestamp=stamp), BODY)


def test_a_signed_body_that_is_not_json():
    with pytest.raises(WebhookRefused) as raised:
        verify_callback(SECRET, headers(sign(KEY, MSG_ID, NOW, "not json")), "not json", now=NOW)
    assert raised.value.code == "webhook_body"
