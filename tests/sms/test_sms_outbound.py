"""Invitations, reminders and the sender: through the real Twilio client on a fake HTTP layer."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from fieldscan import clock
from fieldscan.extensions import db
from fieldscan.jobs import work
from fieldscan.models import OutboundSms, OutboundStatus, SessionState, SmsSession
from fieldscan.respondents.services import find_by_phone
from fieldscan.sms import outbound
from tests.fixtures_sms import ACCOUNT_SID, FROM_NUMBER, Phone, new_sid


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _csv(tmp_path, text: str):
    path = tmp_path / "numbers.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_invite_validates_every_row_and_queues_nothing_on_error(sms_app, tmp_path):
    path = _csv(tmp_path, "phone,language\n(415) 555-0101,es\n555-12,es\n+14155550103,de\n")
    result = sms_app.test_cli_runner().invoke(
        args=["sms", "invite", "--survey", "children_scan", "--csv", path]
    )
    assert result.exit_code != 0
    assert "row 3: '555-12' is not a valid phone number" in result.output
    assert "row 4: language 'de'" in result.output
    assert "no invitation was queued" in result.output
    assert _count(OutboundSms) == 0 and _count(SmsSession) == 0


def test_invite_queues_invitations_and_a_reply_starts_the_survey(sms_app, tmp_path, frozen):
    path = _csv(tmp_path, "Phone,Language\n(415) 555-0101,es\n415.555.0102,\n4155550101,es\n")
    result = sms_app.test_cli_runner().invoke(
        args=["sms", "invite", "--survey", "children_scan", "--csv", path, "--language", "vi"]
    )
    assert result.exit_code == 0, result.output
    assert "2 invitations queued" in result.output and "1 duplicates" in result.output
    messages = db.session.scalars(sa.select(OutboundSms).order_by(OutboundSms.id)).all()
    assert [m.kind for m in messages] == ["invitation", "invitation"]
    assert "STOP" in messages[0].body and "YES" in messages[0].body
    sessions = db.session.scalars(sa.select(SmsSession)).all()
    assert {s.state for s in sessions} == {SessionState.invited}
    assert sorted(s.language for s in sessions) == ["es", "vi"]

    status, replies = Phone(sms_app.test_client(), "+14155550101").send("YES")
    assert status == 200 and replies[-1].startswith("1/8 ")


def test_sender_records_sids_through_the_real_client(sms_app, tmp_path, twilio_http):
    path = _csv(tmp_path, "phone\n4155550101\n4155550102\n")
    sms_app.test_cli_runner().invoke(
        args=["sms", "invite", "--survey", "children_scan", "--csv", path]
    )
    report = work.send_outbox()
    assert report.sent == 2
    request = twilio_http.requests[0]
    assert request["method"] == "POST"
    assert request["uri"].endswith(f"/Accounts/{ACCOUNT_SID}/Messages.json")
    assert request["data"]["From"] == FROM_NUMBER and request["data"]["To"] == "+14155550101"
    assert request["data"]["StatusCallback"].endswith("/sms/twilio/status")
    sids = db.session.scalars(sa.select(OutboundSms.twilio_sid)).all()
    assert all(sid and sid.startswith("SM") for sid in sids)
    assert work.send_outbox().sent == 0  # nothing sent twice


def _queue_one(number="+14155550101") -> OutboundSms:
    from fieldscan.respondents.services import get_or_create_by_phone

    message = outbound.queue(get_or_create_by_phone(number), "invitation", "Hello")
    db.session.commit()
    return message


def test_429_and_5xx_are_retried_with_backoff(sms_app, twilio_http, frozen):
    twilio_http.responses = [
        (429, {"code": 20429, "message": "Too Many Requests"}),
        (503, {"code": 20503, "message": "Unavailable"}),
    ]
    message = _queue_one()
    assert work.send_outbox().retried == 1
    db.session.refresh(message)
    assert message.status is OutboundStatus.queued and message.next_attempt_at > clock.now()
    assert work.send_outbox().ids == []  # not due yet
    frozen.advance(minutes=1)
    assert work.send_outbox().retried == 1
    frozen.advance(minutes=1)
    assert work.send_outbox().sent == 1
    db.session.refresh(message)
    assert message.status is OutboundStatus.sent and message.attempts == 3


def test_other_4xx_fails_without_retry(sms_app, twilio_http):
    twilio_http.responses = [(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})]
    message = _queue_one()
    assert work.send_outbox().failed == 1
    db.session.refresh(message)
    assert message.status is OutboundStatus.failed and message.error_code == 21211


def test_21610_opts_the_number_out_and_is_never_retried(sms_app, twilio_http):
    twilio_http.responses = [(400, {"code": 21610, "message": "Attempt to send to unsubscribed"})]
    message = _queue_one()
    later = _queue_one()
    report = work.send_outbox()
    assert report.failed == 1 and report.sent == 0
    db.session.refresh(message)
    db.session.refresh(later)
    assert message.error_code == 21610 and message.status is OutboundStatus.failed
    assert later.status is OutboundStatus.canceled
    assert find_by_phone("+14155550101").opted_out
    assert len(twilio_http.requests) == 1


def test_a_sender_killed_mid_send_loses_nothing(sms_app, twilio_http, frozen):
    message = _queue_one()
    # The sender claimed it, then died before Twilio answered or before recording the SID.
    message.status = OutboundStatus.sending
    message.attempts = 1
    db.session.commit()
    assert work.send_outbox().ids == []  # a fresh claim may still be in flight
    frozen.advance(minutes=11)
    assert work.send_outbox().sent == 1
    db.session.refresh(message)
    assert message.status is OutboundStatus.sent and message.twilio_sid


def test_stop_silences_queued_invitations_and_reminders(sms_app, tmp_path, twilio_http):
    path = _csv(tmp_path, "phone\n4155550101\n")
    sms_app.test_cli_runner().invoke(
        args=["sms", "invite", "--survey", "children_scan", "--csv", path]
    )
    Phone(sms_app.test_client(), "+14155550101").send("STOP")
    assert work.send_outbox().sent == 0
    assert twilio_http.requests == []
    assert _count(OutboundSms, OutboundSms.status == OutboundStatus.canceled) == 1


def test_reminders_are_queued_once_for_idle_surveys(sms_app, frozen):
    phone = Phone(sms_app.test_client(), "+14155550101")
    phone.send("KIDS")
    phone.send("my mom")
    frozen.advance(hours=2)
    assert work.queue_reminders() == 0
    frozen.advance(hours=23)
    assert work.queue_reminders() == 1
    assert work.queue_reminders() == 0
    reminder = db.session.scalars(sa.select(OutboundSms)).one()
    assert reminder.kind == "reminder" and "2/8" in reminder.body
    assert work.send_outbox().sent == 1
    phone.send("the library")  # the reply resumes where they were
    answers = db.session.scalars(sa.select(SmsSession)).one().response.answer_values()
    assert answers["resources"] == "the library"


def test_no_reminder_after_expiry_or_opt_out(sms_app, frozen):
    phone = Phone(sms_app.test_client(), "+14155550101")
    phone.send("KIDS")
    frozen.advance(hours=80)
    assert work.queue_reminders() == 0
    other = Phone(sms_app.test_client(), "+14155550102")
    other.send("KIDS")
    other.send("STOP")
    frozen.advance(hours=30)
    assert work.queue_reminders() == 0


def test_rate_limiter_paces_segments_per_sending_number():
    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = outbound.RateLimiter(1.0, sleep=sleep, monotonic=lambda: now[0])
    limiter.wait("+15005550006", 1)
    limiter.wait("+15005550006", 2)
    limiter.wait("+15005550006", 1)
    limiter.wait("+15005550007", 1)  # another number has its own pace
    assert slept == [1.0, 2.0]


def test_worker_once_sends_the_outbox(sms_app, twilio_http):
    _queue_one()
    result = sms_app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(twilio_http.requests) == 1


def test_celery_tasks_run_the_same_work(sms_app, twilio_http):
    from fieldscan.jobs.celery_app import make_celery

    celery = make_celery(sms_app)
    _queue_one()
    assert celery.tasks["fieldscan.send_outbox"].apply().get() == 1
    assert "fieldscan.queue_reminders" in celery.tasks


def test_inbound_sid_is_unique_per_message(sms_app):
    phone = Phone(sms_app.test_client(), "+14155550101")
    sid = new_sid()
    phone.send("KIDS", sid=sid)
    phone.send("KIDS", sid=sid)
    from fieldscan.models import InboundSms

    assert _count(InboundSms) == 1


@pytest.mark.parametrize("body", ["KIDS", "kids", " Kids! ", "NIÑOS", "ninos", "兒童"])
def test_keywords_start_in_any_form(sms_app, body):
    status, replies = Phone(sms_app.test_client(), "+14155550101").send(body)
    assert status == 200 and replies[-1].startswith("1/8 ")
