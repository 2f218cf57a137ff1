"""The inbound and status webhooks: signatures, idempotency, concurrency."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.models import InboundSms, OutboundSms, OutboundStatus, Respondent, SmsSession
from tests.fixtures_sms import PUBLIC_URL, Phone, new_sid, sign


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize(
    "signature", ["", "bm90IGEgc2lnbmF0dXJl", None], ids=["missing", "wrong", "other-token"]
)
def test_bad_signature_gets_403_and_writes_nothing(sms_app, signature):
    phone = Phone(sms_app.test_client(), "+14155550101")
    if signature is None:  # signed with another account's token
        params = {"MessageSid": new_sid(), "From": phone.number, "Body": "KIDS"}
        signature = sign("/sms/twilio/inbound", params, token="someone-elses-token")
    status, replies = phone.send("KIDS", signature=signature)
    assert status == 403 and replies == []
    assert _count(InboundSms) == 0 and _count(Respondent) == 0 and _count(SmsSession) == 0


def test_signature_for_a_tampered_body_is_refused(sms_app):
    client = sms_app.test_client()
    params = {"MessageSid": new_sid(), "From": "+14155550101", "Body": "KIDS"}
    signature = sign("/sms/twilio/inbound", params)
    tampered = {**params, "Body": "STOP"}
    response = client.post(
        "/sms/twilio/inbound",
        data=tampered,
        headers={"X-Twilio-Signature": signature},
        base_url=PUBLIC_URL,
    )
    assert response.status_code == 403
    assert _count(InboundSms) == 0


def test_without_public_url_the_request_url_is_validated(sms_app):
    sms_app.config["FIELDSCAN_PUBLIC_URL"] = None
    client = sms_app.test_client()
    params = {"MessageSid": new_sid(), "From": "+14155550101", "Body": "KIDS"}
    from twilio.request_validator import RequestValidator

    from tests.fixtures_sms import AUTH_TOKEN

    url = "http://internal.host:8080/sms/twilio/inbound"
    good = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    response = client.post(
        "/sms/twilio/inbound",
        data=params,
        headers={"X-Twilio-Signature": good},
        base_url="http://internal.host:8080",
    )
    assert response.status_code == 200
    # Behind a TLS proxy without FIELDSCAN_PUBLIC_URL the signed https URL differs.
    public_sig = sign("/sms/twilio/inbound", {**params, "MessageSid": new_sid()})
    response = client.post(
        "/sms/twilio/inbound",
        data={**params, "MessageSid": new_sid()},
        headers={"X-Twilio-Signature": public_sig},
        base_url="http://internal.host:8080",
    )
    assert response.status_code == 403


def test_reply_is_twiml(phone):
    response = phone.client.post(
        "/sms/twilio/inbound",
        data=(params := {"MessageSid": new_sid(), "From": phone.number, "Body": "KIDS"}),
        headers={"X-Twilio-Signature": sign("/sms/twilio/inbound", params)},
        base_url=PUBLIC_URL,
    )
    assert response.mimetype == "application/xml"
    body = response.get_data(as_text=True)
    assert body.startswith("<?xml") and "<Response><Message>" in body


def test_webhook_skips_the_browser_machinery(phone):
    """No cookie session, CSRF or page headers for Twilio; pages keep all of them."""
    client = phone.client
    client.set_cookie("session", "not-a-valid-session", domain="scan.clinic.example")
    response = client.post(
        "/sms/twilio/inbound",
        data=(params := {"MessageSid": new_sid(), "From": phone.number, "Body": "KIDS"}),
        headers={"X-Twilio-Signature": sign("/sms/twilio/inbound", params)},
        base_url=PUBLIC_URL,
    )
    assert response.status_code == 200  # no CSRF token, and an unreadable cookie: still fine
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers
    page = client.get("/login", base_url=PUBLIC_URL)
    assert "Content-Security-Policy" in page.headers
    assert (
        client.post("/login", data={"email": "a@b.example"}, base_url=PUBLIC_URL).status_code == 400
    )


def test_missing_fields_are_a_bad_request(sms_app):
    client = sms_app.test_client()
    params = {"Body": "KIDS"}
    response = client.post(
        "/sms/twilio/inbound",
        data=params,
        headers={"X-Twilio-Signature": sign("/sms/twilio/inbound", params)},
        base_url=PUBLIC_URL,
    )
    assert response.status_code == 400


def test_phone_number_never_reaches_the_logs(phone, caplog):
    with caplog.at_level("DEBUG"):
        phone.send("KIDS")
        phone.send("my grandmother")
    assert "5550101" not in caplog.text and "grandmother" not in caplog.text


@pytest.mark.postgres
def test_five_simultaneous_deliveries_are_processed_once(sms_app, db_backend):
    """Twilio may deliver one message several times at once: one wins, the rest change nothing."""
    sid = new_sid()
    params = {"MessageSid": sid, "From": "+14155550199", "To": "+15005550006", "Body": "KIDS"}
    headers = {"X-Twilio-Signature": sign("/sms/twilio/inbound", params)}
    barrier = threading.Barrier(5)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def deliver() -> None:
        with sms_app.app_context():
            client = sms_app.test_client()
            barrier.wait()
            response = client.post(
                "/sms/twilio/inbound", data=params, headers=headers, base_url=PUBLIC_URL
            )
            with lock:
                results.append((response.status_code, response.get_data(as_text=True)))
            db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in results] == [200] * 5
    with_replies = [body for _, body in results if "<Message>" in body]
    assert len(with_replies) == 1
    db.session.remove()
    assert _count(InboundSms) == 1 and _count(Respondent) == 1 and _count(SmsSession) == 1


def _outbound(status=OutboundStatus.sent, sid="SMstatus1") -> OutboundSms:
    from fieldscan.respondents.services import get_or_create_by_phone

    respondent = get_or_create_by_phone("+14155550123")
    message = OutboundSms(
        respondent=respondent, kind="invitation", body="hi", status=status, twilio_sid=sid
    )
    db.session.add(message)
    db.session.commit()
    return message


def _status(client, sid: str, state: str, error: str | None = None):
    params = {"MessageSid": sid, "MessageStatus": state, "AccountSid": "AC1"}
    if error:
        params["ErrorCode"] = error
    return client.post(
        "/sms/twilio/status",
        data=params,
        headers={"X-Twilio-Signature": sign("/sms/twilio/status", params)},
        base_url=PUBLIC_URL,
    )


def test_status_callbacks_only_move_forward(sms_app):
    message = _outbound()
    client = sms_app.test_client()
    assert _status(client, "SMstatus1", "delivered").status_code == 204
    assert _status(client, "SMstatus1", "sent").status_code == 204  # late, out of order
    db.session.refresh(message)
    assert message.status is OutboundStatus.delivered


def test_status_callback_stores_error_and_21610_opts_out(sms_app):
    message = _outbound()
    client = sms_app.test_client()
    _status(client, "SMstatus1", "failed", "21610")
    db.session.refresh(message)
    assert message.status is OutboundStatus.failed and message.error_code == 21610
    assert message.respondent.opted_out


def test_status_callback_signature_is_checked(sms_app):
    message = _outbound()
    params = {"MessageSid": "SMstatus1", "MessageStatus": "delivered"}
    response = sms_app.test_client().post(
        "/sms/twilio/status",
        data=params,
        headers={"X-Twilio-Signature": "forged"},
        base_url=PUBLIC_URL,
    )
    assert response.status_code == 403
    db.session.refresh(message)
    assert message.status is OutboundStatus.sent
