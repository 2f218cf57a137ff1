"""Invitations and reminders: outbox messages written with the session they start or nudge."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from fieldscan import clock
from fieldscan.extensions import db
from fieldscan.instruments.services import get_version
from fieldscan.locales import normalize_language
from fieldscan.models import Respondent, SessionState, SmsSession
from fieldscan.respondents.services import (
    InvalidPhoneNumberError,
    get_or_create_by_phone,
    normalize_phone,
)
from fieldscan.sms import outbound, sessions, texts

logger = logging.getLogger(__name__)

PHONE_COLUMNS = ("phone", "phone_number", "number", "mobile", "to")


class InvitationError(ValueError):
    """The invitation list cannot be used; ``problems`` names each bad row."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class InvitationReport:
    """What an invitation run did."""

    invited: int = 0
    skipped_opted_out: int = 0
    skipped_in_survey: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Invitee:
    """One valid row of an invitation list."""

    row: int
    phone: str
    language: str | None


def read_invitees(data: bytes, source: str, languages: list[str]) -> list[Invitee]:
    """Parse and validate an invitation CSV (a phone column, optional ``language``).

    :raises InvitationError: naming every bad row; nothing is returned then.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvitationError([f"{source}: not UTF-8 text (byte {exc.start})"]) from None
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    phone_column = next((h for h in PHONE_COLUMNS if h in headers), None)
    if phone_column is None:
        raise InvitationError([f"{source}: no phone column (one of {', '.join(PHONE_COLUMNS)})"])
    reader.fieldnames = headers
    problems, invitees = [], []
    for row_number, row in enumerate(reader, start=2):
        raw = (row.get(phone_column) or "").strip()
        try:
            phone = normalize_phone(raw)
        except InvalidPhoneNumberError:
            problems.append(f"{source}: row {row_number}: {raw!r} is not a valid phone number")
            continue
        language = None
        if row.get("language"):
            language = normalize_language(row["language"])
            if language is None or language not in languages:
                problems.append(
                    f"{source}: row {row_number}: language {row['language']!r} is not one "
                    f"of the survey's ({', '.join(languages)})"
                )
                continue
        invitees.append(Invitee(row_number, phone, language))
    if problems:
        raise InvitationError(problems)
    if not invitees:
        raise InvitationError([f"{source}: no rows to invite"])
    return invitees


def invite(
    survey_id: str, invitees: list[Invitee], default_language: str | None, program: str
) -> InvitationReport:
    """Open an invited session and queue an invitation for each invitee, in one transaction."""
    version = get_version(survey_id)
    if version is None:
        raise InvitationError([f"survey {survey_id!r} is not loaded"])
    definition = sessions.definition_of(version)
    report = InvitationReport()
    seen: set[str] = set()
    for invitee in invitees:
        if invitee.phone in seen:
            report.duplicates += 1
            continue
        seen.add(invitee.phone)
        respondent = get_or_create_by_phone(invitee.phone)
        if respondent.opted_out:
            report.skipped_opted_out += 1
            continue
        if sessions.open_session(respondent) is not None:
            report.skipped_in_survey += 1
            continue
        language = (
            invitee.language
            or respondent.preferred_language
            or default_language
            or definition.languages[0]
        )
        if language not in definition.languages:
            language = definition.languages[0]
        session = sessions.start(respondent, version, language, SessionState.invited)
        body = texts.invitation(language, program, definition.text("title", language))
        outbound.queue(respondent, "invitation", body, session_id=session.id)
        report.invited += 1
    db.session.commit()
    logger.info("survey %s: %s invitations queued", survey_id, report.invited)
    return report


def queue_reminders(after: timedelta, max_reminders: int, ttl: timedelta, program: str) -> int:
    """Queue a reminder for each unfinished conversation idle longer than ``after``.

    The reminder and the session's reminder count change in one transaction, so a reminder
    is never lost nor queued twice.
    """
    now = clock.now()
    candidates = db.session.scalars(
        select(SmsSession)
        .join(Respondent, SmsSession.respondent_id == Respondent.id)
        .where(
            SmsSession.state == SessionState.answering,
            SmsSession.reminders < max_reminders,
            SmsSession.last_activity_at < now - after,
            SmsSession.last_activity_at > now - ttl,
            Respondent.opted_out.is_(False),
        )
        .with_for_update(skip_locked=True)
    ).all()
    queued = 0
    for session in candidates:
        if session.current_question_id is None:
            continue
        body = texts.reminder(session.language, program) + "\n" + sessions.repeat_question(session)
        if outbound.queue(session.respondent, "reminder", body, session_id=session.id):
            session.reminders += 1
            session.reminded_at = now
            queued += 1
    db.session.commit()
    return queued
