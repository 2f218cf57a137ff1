"""The commonest SMS turn, taken in five statements: a valid answer to the current question.

Most texts a conversation receives are answers to the question just asked. The full
conversation (:mod:`fieldscan.sms.conversation`) loads the respondent and the session as ORM
objects and flushes them through the unit of work, which costs several times the SQL it
runs. This module takes that case with Core statements run on the driver's cursor
(:mod:`fieldscan.sms.driver_sql`), in a transaction on a connection of its own (or in the
session's, when the session already holds one):

1. read the respondent and the open session together (locked where the database can);
2. read the answers so far;
3. record the MessageSid (unique: a repeated delivery stops here and changes nothing);
4. insert or replace the answer;
5. move the session to the next question (or, after the last one, complete the response
   and close the session).

A number with no open conversation goes to :mod:`fieldscan.sms.fast_start` (a keyword).
Everything else (commands, language words, an expired or unstarted session, an invalid or
skipped answer, an unknown number, a survey version this process has not parsed yet)
returns ``None`` before anything is written, and the caller runs the full conversation.
The survey engine still
decides: :func:`~fieldscan.survey.validate_answer` and :func:`~fieldscan.survey.next_step`
run here exactly as there, and ``tests/sms/test_sms_fast_turn.py`` drives the same
conversations with these paths on and off and compares every reply and every stored row.
Set ``FIELDSCAN_SMS_FAST_TURNS = False`` to run every message through the full path.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, insert, select, update

from fieldscan import clock
from fieldscan.extensions import db
from fieldscan.instruments.services import cached_definition
from fieldscan.models import (
    Answer,
    InboundSms,
    Respondent,
    Response,
    ResponseStatus,
    SessionState,
    SmsSession,
    SurveyVersion,
)
from fieldscan.respondents.services import InvalidPhoneNumberError, normalize_phone, vault
from fieldscan.sms import texts
from fieldscan.sms.commands import detect_command
from fieldscan.sms.driver_sql import DriverStatement, integrity_errors
from fieldscan.sms.fast_start import take_start_turn
from fieldscan.sms.languages import detect_language_switch
from fieldscan.sms.render import render_question_sms
from fieldscan.survey import next_step, validate_answer

logger = logging.getLogger(__name__)

_sessions = SmsSession.__table__
_answers = Answer.__table__

# Compiled once per dialect and run on the driver's cursor (see driver_sql).
_TURN_STATE = DriverStatement(
    select(
        Respondent.id,
        Respondent.opted_out,
        _sessions.c.id,
        _sessions.c.state,
        _sessions.c.language,
        _sessions.c.current_question_id,
        _sessions.c.last_activity_at,
        _sessions.c.response_id,
        SurveyVersion.id,
        SurveyVersion.content_hash,
    )
    .select_from(Respondent.__table__)
    .join(
        _sessions,
        (_sessions.c.respondent_id == Respondent.id) & (_sessions.c.state != SessionState.closed),
    )
    .join(SurveyVersion.__table__, SurveyVersion.id == _sessions.c.survey_version_id)
    .where(Respondent.phone_hash == bindparam("digest"))
    .with_for_update(of=_sessions)
)
_ANSWERS = DriverStatement(
    select(_answers.c.question_id, _answers.c.value).where(
        _answers.c.response_id == bindparam("rid")
    )
)
_RECORD_INBOUND = DriverStatement(
    insert(InboundSms.__table__).values(
        message_sid=bindparam("sid"),
        respondent_id=bindparam("respondent_id"),
        received_at=bindparam("now"),
    )
)
_INSERT_ANSWER = DriverStatement(
    insert(_answers).values(
        response_id=bindparam("rid"),
        question_id=bindparam("qid"),
        raw_text=bindparam("raw"),
        value=bindparam("value"),
        language=bindparam("lang"),
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
)
_REPLACE_ANSWER = DriverStatement(
    update(_answers)
    .where(_answers.c.response_id == bindparam("rid"), _answers.c.question_id == bindparam("qid"))
    .values(
        raw_text=bindparam("raw"),
        value=bindparam("value"),
        language=bindparam("lang"),
        updated_at=bindparam("now"),
    )
)
_ADVANCE = DriverStatement(
    update(_sessions)
    .where(_sessions.c.id == bindparam("sid"))
    .values(
        current_question_id=bindparam("next_qid"),
        attempts=0,
        last_activity_at=bindparam("now"),
    )
)


# The last answer: the response is complete and the conversation closes (as sessions.close).
_COMPLETE_RESPONSE = DriverStatement(
    update(Response.__table__)
    .where(Response.id == bindparam("rid"))
    .values(
        status=ResponseStatus.completed, finished_at=bindparam("now"), updated_at=bindparam("now")
    )
)
_CLOSE_COMPLETED = DriverStatement(
    update(_sessions)
    .where(_sessions.c.id == bindparam("sid"))
    .values(
        state=SessionState.closed,
        current_question_id=None,
        closed_at=bindparam("now"),
        closed_reason="completed",
    )
)


class AnswerTurn(NamedTuple):
    """A turn taken here: the replies, or a repeated delivery that changed nothing."""

    replies: list[str]
    duplicate: bool = False
    #: How it was taken, as the conversation's outcome names it.
    kind: str = "answer"


def take_answer_turn(message_sid: str, sender: str, body: str) -> AnswerTurn | None:
    """Apply a valid answer (or a keyword start) and commit, or return None.

    ``None`` means the turn needs the full conversation (see the module docstring) and
    nothing was written. The turn runs on a connection of its own, outside the ORM session,
    whose transaction bookkeeping costs more than the turn's SQL; when the request's session
    already holds a transaction (a script or test working inside one unit of work), the turn
    joins it instead, and on ``None`` leaves it open for the full conversation.
    """
    text = (body or "").strip()
    if not text or detect_command(text) is not None or detect_language_switch(text):
        return None
    try:
        e164 = normalize_phone(sender)
    except InvalidPhoneNumberError:
        return None
    digest = vault().lookup_hash(e164)
    if db.session().in_transaction():
        return _in_session(message_sid, e164, digest, text)
    with db.engine.connect() as connection:
        connection.begin()
        try:
            turn = _take(connection, message_sid, e164, digest, text)
        except _RacedError:
            turn = None
        if turn is None or turn.duplicate:
            connection.rollback()
        else:
            connection.commit()
    _log(message_sid, turn)
    return turn


def _in_session(message_sid: str, e164: str, digest: str, text: str) -> AnswerTurn | None:
    try:
        turn = _take(db.session.connection(), message_sid, e164, digest, text)
    except _RacedError:
        db.session.rollback()
        return None
    if turn is not None:
        if turn.duplicate:
            db.session.rollback()
        else:
            db.session.commit()
    _log(message_sid, turn)
    return turn


def _log(message_sid: str, turn: AnswerTurn | None) -> None:
    if turn is None:
        return
    if turn.duplicate:
        logger.info("inbound %s is a repeated delivery; ignored", message_sid)
    else:
        logger.info("inbound %s handled as %s", message_sid, turn.kind)


class _RacedError(Exception):
    """Another delivery created the same respondent at this moment: the full path decides."""


def _take(connection, message_sid: str, e164: str, digest: str, text: str) -> AnswerTurn | None:
    """The turn's statements on ``connection``; the caller commits or rolls back."""
    row = _TURN_STATE.first(connection, {"digest": digest})
    if row is None:  # no open conversation: perhaps a keyword starting one

        def record_inbound(respondent_id: int) -> None:
            _RECORD_INBOUND.execute(
                connection, {"sid": message_sid, "respondent_id": respondent_id, "now": clock.now()}
            )

        started = take_start_turn(connection, e164, digest, text, record_inbound)
        if started is None:
            return None
        if started == "raced":
            raise _RacedError
        return AnswerTurn(started, duplicate=not started, kind="keyword")
    plan = _plan(connection, row, text)
    if plan is None:
        return None
    respondent_id, session_id, response_id, question_id, value, known, language, step = plan
    now = clock.now()
    try:
        _RECORD_INBOUND.execute(
            connection, {"sid": message_sid, "respondent_id": respondent_id, "now": now}
        )
    except integrity_errors(connection):
        return AnswerTurn([], duplicate=True)
    answer = {"rid": response_id, "qid": question_id, "raw": text, "value": value}
    (_REPLACE_ANSWER if known else _INSERT_ANSWER).execute(
        connection, {**answer, "lang": language, "now": now}
    )
    next_question_id, replies = step
    if next_question_id is None:
        _COMPLETE_RESPONSE.execute(connection, {"rid": response_id, "now": now})
        _CLOSE_COMPLETED.execute(connection, {"sid": session_id, "now": now})
        logger.info("sms session %s closed: %s", session_id, "completed")
    else:
        _ADVANCE.execute(connection, {"sid": session_id, "next_qid": next_question_id, "now": now})
    return AnswerTurn(replies)


def _plan(connection, row: tuple, text: str):
    """Validate the answer and find the next question, or None when this is not the case."""
    (
        respondent_id,
        opted_out,
        session_id,
        state,
        language,
        question_id,
        last_activity_at,
        response_id,
        version_id,
        content_hash,
    ) = row
    if opted_out or state is not SessionState.answering:
        return None
    if question_id is None or response_id is None or not language:
        return None
    ttl = timedelta(hours=float(current_app.config.get("FIELDSCAN_SMS_SESSION_TTL_HOURS", 72)))
    if last_activity_at + ttl < clock.now():
        return None  # expired: the full conversation closes it and says so
    survey = cached_definition(version_id, content_hash)
    if survey is None:
        return None  # parsed by the full path (through the session), then cached
    if texts.is_skip(text, language):
        return None
    answers = dict(_ANSWERS.all(connection, {"rid": response_id}))
    result = validate_answer(survey, question_id, text, language, channel="sms", answers=answers)
    if not result.ok:
        return None  # a re-prompt, a keyword, a skip after re-prompts: the full path decides
    value = None if result.skipped else result.value
    known = question_id in answers
    answers[question_id] = value
    step = next_step(survey, answers, channel="sms")
    replies = [note.text("label", language) for note in step.notes]
    if step.complete:
        completion = survey.text("completion", language)
        next_question = (None, replies + [completion] if completion else replies)
    else:
        replies.append(
            render_question_sms(
                survey, step.question, language, step.progress.number, step.progress.total
            )
        )
        next_question = (step.question.id, replies)
    return (
        respondent_id,
        session_id,
        response_id,
        question_id,
        value,
        known,
        language,
        next_question,
    )
