"""Responses to a survey version and their answers."""

from __future__ import annotations

import enum
import uuid as uuid_module
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, str_enum, utcnow
from fieldscan.models.respondents import Respondent
from fieldscan.models.sites import Site
from fieldscan.models.surveys import SurveyVersion
from fieldscan.models.users import User


class Channel(enum.Enum):
    """How a response was collected."""

    sms = "sms"
    web = "web"
    tablet = "tablet"


class ResponseStatus(enum.Enum):
    """The lifecycle of a response."""

    in_progress = "in_progress"
    completed = "completed"
    abandoned = "abandoned"


def _new_uuid() -> str:
    return str(uuid_module.uuid4())


class Response(db.Model):
    """One respondent's answers to one survey version."""

    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_version_status", "survey_version_id", "status"),
        # Covers the reports' completed counts per survey version and site (an index-only read).
        Index("ix_responses_status_version_site", "status", "survey_version_id", "site_id"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Client-generated id (tablets, API) or a server one; unique, makes sync idempotent.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=_new_uuid)
    #: The exact survey version the answers were given on.
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    #: Who answered (None for anonymous web responses).
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondents.id"), index=True)
    #: How the response was collected.
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "response_channel"))
    #: Where the response is in its lifecycle.
    status: Mapped[ResponseStatus] = mapped_column(
        str_enum(ResponseStatus, "response_status"), default=ResponseStatus.in_progress
    )
    #: The language the survey was answered in.
    language: Mapped[str] = mapped_column(String(16))
    #: The site the response belongs to.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    #: The CHW who conducted the interview (tablet), if any.
    interviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: When the respondent started.
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the response was completed or abandoned.
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Last change to the response or its answers.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: SHA-256 (hex) of the canonical JSON of what a tablet or API client sent (survey,
    #: version, language, times, normalized answers); a resend of the same uuid is a
    #: duplicate when it matches, a conflict otherwise. None for responses made here.
    content_hash: Mapped[str | None] = mapped_column(String(64))

    survey_version: Mapped[SurveyVersion] = relationship()
    respondent: Mapped[Respondent | None] = relationship()
    site: Mapped[Site | None] = relationship()
    interviewer: Mapped[User | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )

    def answer_values(self) -> dict[str, Any]:
        """The answers as the survey engine reads them: question id -> normalized value."""
        return {a.question_id: a.value for a in self.answers}

    def __repr__(self) -> str:
        return f"<Response {self.id} {self.status.value}>"


class Answer(db.Model):
    """The answer to one question of a response."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The response this answer belongs to.
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    #: The question's id in the survey definition.
    question_id: Mapped[str] = mapped_column(String(64))
    #: The text as received (SMS body, typed text); None for structured input.
    raw_text: Mapped[str | None] = mapped_column(Text)
    #: The normalized value (JSON): choice value(s), int, ISO date, E.164, text; None = skipped.
    value: Mapped[Any] = mapped_column(JSON)
    #: The language the answer was given in.
    language: Mapped[str] = mapped_column(String(16))
    #: When the answer was first given.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was last changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<Answer {self.id} {self.question_id}>"
