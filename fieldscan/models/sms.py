"""SMS conversations, inbound deliveries and the outbox."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, str_enum, utcnow
from fieldscan.models.respondents import Respondent
from fieldscan.models.responses import Response
from fieldscan.models.surveys import SurveyVersion


class SessionState(enum.Enum):
    """Where an SMS conversation is."""

    invited = "invited"  #: an invitation was sent; the next reply starts the survey
    choosing_language = "choosing_language"  #: the language menu was sent
    answering = "answering"  #: questions are being asked
    closed = "closed"  #: finished, expired, stopped or replaced


class SmsSession(db.Model):
    """One phone number's conversation with one survey; at most one open per respondent."""

    __tablename__ = "sms_sessions"
    __table_args__ = (
        # One open conversation per phone number, enforced by the database.
        Index(
            "uq_sms_sessions_open_respondent",
            "respondent_id",
            unique=True,
            sqlite_where=text("state != 'closed'"),
            postgresql_where=text("state != 'closed'"),
        ),
        Index("ix_sms_sessions_state_activity", "state", "last_activity_at"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who is texting.
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"), index=True)
    #: The survey version being answered.
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    #: The response collecting the answers (created when the first question is asked).
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id"))
    #: The conversation language (None until chosen).
    language: Mapped[str | None] = mapped_column(String(16))
    #: Where the conversation is.
    state: Mapped[SessionState] = mapped_column(str_enum(SessionState, "sms_session_state"))
    #: The question last asked, which the next reply answers.
    current_question_id: Mapped[str | None] = mapped_column(String(64))
    #: Invalid answers to the current question so far.
    attempts: Mapped[int] = mapped_column(default=0)
    #: When the conversation started.
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last message in either direction.
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When a reminder was last queued for it.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: How many reminders were queued.
    reminders: Mapped[int] = mapped_column(default=0)
    #: When it was closed, and why (completed, expired, stopped, replaced).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(String(16))

    respondent: Mapped[Respondent] = relationship()
    survey_version: Mapped[SurveyVersion] = relationship()
    response: Mapped[Response | None] = relationship()

    def __repr__(self) -> str:
        return f"<SmsSession {self.id} {self.state.value}>"


class InboundSms(db.Model):
    """One delivery of an incoming message, recorded once per MessageSid.

    The unique MessageSid makes the webhook idempotent: a repeated or concurrent delivery
    fails to insert and changes nothing. The body is not kept here (answers keep what counts).
    """

    __tablename__ = "inbound_sms"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Twilio's MessageSid.
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    #: The sender (None when the sender is not a usable phone number).
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondents.id"), index=True)
    #: When it arrived.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboundStatus(enum.Enum):
    """Delivery state of an outbox message; it only moves forward."""

    queued = "queued"
    sending = "sending"
    sent = "sent"
    delivered = "delivered"
    undelivered = "undelivered"
    failed = "failed"
    canceled = "canceled"


class OutboundSms(db.Model):
    """A message to send outside a webhook reply: invitations, reminders.

    Written in the same transaction as the state change that calls for it; the sender
    sends it at least once and records Twilio's SID.
    """

    __tablename__ = "outbound_sms"
    __table_args__ = (Index("ix_outbound_sms_status_due", "status", "next_attempt_at"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The recipient (the number is decrypted only when sending).
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"), index=True)
    #: The conversation it belongs to, if any.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sms_sessions.id"))
    #: Why it is sent: invitation, reminder.
    kind: Mapped[str] = mapped_column(String(16))
    #: The text (system text and questions, never a patient's answer).
    body: Mapped[str] = mapped_column(Text)
    #: GSM-7 or UCS-2, and the number of segments.
    encoding: Mapped[str] = mapped_column(String(8), default="GSM-7")
    segments: Mapped[int] = mapped_column(default=1)
    #: Delivery state.
    status: Mapped[OutboundStatus] = mapped_column(
        str_enum(OutboundStatus, "outbound_sms_status"), default=OutboundStatus.queued
    )
    #: Twilio's message SID once accepted.
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Twilio's error code on failure (21610: the recipient opted out).
    error_code: Mapped[int | None]
    #: Send attempts so far.
    attempts: Mapped[int] = mapped_column(default=0)
    #: Not before this time (backoff after a retryable failure).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was queued, sent and last changed.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    respondent: Mapped[Respondent] = relationship()

    def __repr__(self) -> str:
        return f"<OutboundSms {self.id} {self.kind} {self.status.value}>"
