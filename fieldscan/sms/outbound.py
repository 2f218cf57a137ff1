"""The outbox: queueing texts with the state change that calls for them, and sending them.

Sending is at least once: a message is claimed (``sending``) and committed before Twilio is
called; if the sender dies before recording the SID, the claim goes stale and the message
is sent again. Twilio's unique SID keeps records single.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from fieldscan import clock
from fieldscan.extensions import db
from fieldscan.models import OutboundSms, OutboundStatus, Respondent
from fieldscan.respondents.services import phone_of
from fieldscan.sms import optout
from fieldscan.sms.gateway import OPTED_OUT_ERROR, SendError, SmsGateway
from fieldscan.sms.segments import measure

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
#: A claim older than this is taken as a sender that died mid-send.
STALE_CLAIM = timedelta(minutes=10)

_RANK = {
    OutboundStatus.queued: 0,
    OutboundStatus.sending: 1,
    OutboundStatus.sent: 2,
    OutboundStatus.delivered: 3,
    OutboundStatus.undelivered: 3,
    OutboundStatus.failed: 3,
    OutboundStatus.canceled: 3,
}
#: Twilio's status names mapped to ours ("queued" at Twilio means Twilio has it: sent).
_TWILIO_STATUS = {
    "accepted": OutboundStatus.sent,
    "scheduled": OutboundStatus.sent,
    "queued": OutboundStatus.sent,
    "sending": OutboundStatus.sent,
    "sent": OutboundStatus.sent,
    "delivered": OutboundStatus.delivered,
    "read": OutboundStatus.delivered,
    "undelivered": OutboundStatus.undelivered,
    "failed": OutboundStatus.failed,
    "canceled": OutboundStatus.canceled,
}


def queue(
    respondent: Respondent, kind: str, body: str, session_id: int | None = None
) -> OutboundSms | None:
    """Add a text to the outbox in the current transaction (nothing for opted-out numbers)."""
    if respondent.opted_out:
        return None
    info = measure(body)
    message = OutboundSms(
        respondent=respondent,
        session_id=session_id,
        kind=kind,
        body=body,
        encoding=info.encoding,
        segments=info.segments,
        next_attempt_at=clock.now(),
    )
    db.session.add(message)
    return message


class RateLimiter:
    """Paces sends per sending number: ``rate`` segments per second (a token bucket of 1 s)."""

    def __init__(
        self,
        rate: float,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("the rate must be positive")
        self.rate, self.sleep, self.monotonic = rate, sleep, monotonic
        self._next_free: dict[str, float] = {}

    def wait(self, sender: str, segments: int) -> None:
        """Block until ``segments`` more may go out from ``sender``."""
        now = self.monotonic()
        start = max(now, self._next_free.get(sender, now))
        if start > now:
            self.sleep(start - now)
        self._next_free[sender] = start + segments / self.rate


@dataclass
class SendReport:
    """What one run of the sender did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    canceled: int = 0
    ids: list[int] = field(default_factory=list)


def backoff(attempt: int) -> timedelta:
    """Delay before retry number ``attempt``: exponential from 5 s, capped at 30 min, jittered."""
    base = min(5 * 2 ** (attempt - 1), 1800)
    return timedelta(seconds=base * (0.8 + 0.4 * random.random()))  # noqa: S311 - jitter


def _recover_stale_claims() -> None:
    cutoff = clock.now() - STALE_CLAIM
    stale = db.session.scalars(
        select(OutboundSms).where(
            OutboundSms.status == OutboundStatus.sending, OutboundSms.updated_at < cutoff
        )
    ).all()
    for message in stale:
        message.status = OutboundStatus.queued
        logger.warning("outbound %s claim went stale; queued again", message.id)
    db.session.commit()


def _claim_next() -> OutboundSms | None:
    query = (
        select(OutboundSms)
        .where(
            OutboundSms.status == OutboundStatus.queued, OutboundSms.next_attempt_at <= clock.now()
        )
        .order_by(OutboundSms.next_attempt_at, OutboundSms.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    message = db.session.scalars(query).first()
    if message is None:
        db.session.rollback()
        return None
    message.status = OutboundStatus.sending
    message.attempts += 1
    db.session.commit()
    return message


def send_due(gateway: SmsGateway, limiter: RateLimiter, limit: int = 100) -> SendReport:
    """Send up to ``limit`` due messages; each one's outcome is committed on its own."""
    report = SendReport()
    _recover_stale_claims()
    for _ in range(limit):
        message = _claim_next()
        if message is None:
            break
        report.ids.append(message.id)
        _send_one(gateway, limiter, message, report)
    return report


def _send_one(
    gateway: SmsGateway, limiter: RateLimiter, message: OutboundSms, report: SendReport
) -> None:
    respondent = message.respondent
    if respondent.opted_out:
        message.status = OutboundStatus.canceled
        db.session.commit()
        report.canceled += 1
        return
    limiter.wait(gateway.from_number, message.segments)
    try:
        sid = gateway.send(phone_of(respondent), message.body)
    except SendError as error:
        message.error_code = error.code
        if error.code == OPTED_OUT_ERROR:
            optout.opt_out(respondent, source="twilio-21610")
            message.status = OutboundStatus.failed
            report.failed += 1
        elif error.retryable and message.attempts < MAX_ATTEMPTS:
            message.status = OutboundStatus.queued
            message.next_attempt_at = clock.now() + backoff(message.attempts)
            report.retried += 1
        else:
            message.status = OutboundStatus.failed
            report.failed += 1
        logger.warning("outbound %s not sent: code %s", message.id, error.code)
        db.session.commit()
        return
    message.twilio_sid = sid
    message.status = OutboundStatus.sent
    message.sent_at = clock.now()
    db.session.commit()
    report.sent += 1


def apply_status(twilio_sid: str, twilio_status: str, error_code: int | None) -> bool:
    """Apply a status callback; statuses only move forward. Returns whether it changed."""
    new = _TWILIO_STATUS.get(twilio_status.lower())
    message = db.session.scalars(
        select(OutboundSms).where(OutboundSms.twilio_sid == twilio_sid).with_for_update()
    ).first()
    if new is None or message is None:
        db.session.rollback()
        return False
    changed = False
    if _RANK[new] > _RANK[message.status]:
        message.status = new
        changed = True
    if error_code is not None and message.error_code is None:
        message.error_code = error_code
        changed = True
    if error_code == OPTED_OUT_ERROR and not message.respondent.opted_out:
        optout.opt_out(message.respondent, source="twilio-21610")
    db.session.commit()
    return changed
