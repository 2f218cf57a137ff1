"""SMS conversation state: opening, expiring, closing sessions, asking and recording answers.

Only the survey engine decides what to ask and what counts as an answer; this module keeps
the conversation's place in the database (never in cookies or process memory).
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import joinedload

from fieldscan import clock
from fieldscan.extensions import db
from fieldscan.instruments import services as instruments
from fieldscan.models import (
    Answer,
    Channel,
    Respondent,
    Response,
    ResponseStatus,
    SessionState,
    SmsSession,
    SurveyVersion,
)
from fieldscan.sms.keywords import KeywordIndex
from fieldscan.sms.render import render_question_sms
from fieldscan.survey import next_step

logger = logging.getLogger(__name__)


definition_of = instruments.definition_of


def sms_versions() -> dict[str, instruments.VersionRef]:
    """The newest version of every survey that can be answered by SMS, by survey id."""
    return {v.survey_id: v for v in instruments.current_refs() if definition_of(v).sms_questions()}


@functools.lru_cache(maxsize=8)
def keyword_index(refs: tuple[instruments.VersionRef, ...]) -> KeywordIndex:
    """The keyword index of these versions (keyed by ids and content hashes: a new version
    gives a new index)."""
    return KeywordIndex.from_surveys(definition_of(ref) for ref in refs)


def pick_language(candidates: list[str], shipped, preferred: str | None) -> str | None:
    """The language a keyword starts the survey in, or None to ask with the language menu.

    One language among the keyword's matches decides; otherwise the respondent's stored
    preference, when the survey has it and it is among the matches.
    """
    unique = sorted(set(candidates))
    if len(unique) == 1:
        return unique[0]
    if preferred and preferred in shipped and (not unique or preferred in unique):
        return preferred
    return None


def _open_session_statement(lock: bool):
    query = (
        select(SmsSession)
        .where(
            SmsSession.respondent_id == bindparam("respondent_id"),
            SmsSession.state != SessionState.closed,
        )
        # The version's keys (its content is deferred and cached per process).
        .options(joinedload(SmsSession.survey_version))
    )
    return query.with_for_update(of=SmsSession) if lock else query


# Built once: constructing statements costs more than running them on the hot SMS path.
_OPEN_SESSION = {True: _open_session_statement(True), False: _open_session_statement(False)}


def open_session(respondent: Respondent, *, lock: bool = True) -> SmsSession | None:
    """The respondent's open conversation, locked for this transaction where supported."""
    return db.session.scalars(_OPEN_SESSION[lock], {"respondent_id": respondent.id}).first()


def is_expired(session: SmsSession, ttl: timedelta) -> bool:
    """Whether the conversation has been idle longer than ``ttl``."""
    return session.last_activity_at + ttl < clock.now()


def close(session: SmsSession, reason: str) -> None:
    """Close the conversation; an unfinished response becomes abandoned."""
    now = clock.now()
    session.state = SessionState.closed
    session.closed_at = now
    session.closed_reason = reason
    response = session.response
    if response is not None and response.status is ResponseStatus.in_progress:
        response.status = (
            ResponseStatus.completed if reason == "completed" else ResponseStatus.abandoned
        )
        response.finished_at = now
    db.session.flush()
    logger.info("sms session %s closed: %s", session.id, reason)


def start(
    respondent: Respondent,
    version: SurveyVersion,
    language: str | None,
    state: SessionState = SessionState.answering,
) -> SmsSession:
    """Open a conversation on ``version``; with a language it is ready for the first question."""
    now = clock.now()
    session = SmsSession(
        respondent=respondent,
        survey_version=version,
        language=language,
        state=state,
        started_at=now,
        last_activity_at=now,
    )
    db.session.add(session)
    db.session.flush()
    return session


def ensure_response(session: SmsSession) -> Response:
    """The response collecting this conversation's answers, created on first need."""
    if session.response is None:
        session.response = Response(
            survey_version=session.survey_version,
            respondent=session.respondent,
            channel=Channel.sms,
            language=session.language,
            started_at=clock.now(),
        )
        db.session.add(session.response)
    return session.response


# The answer table is read and written with prebuilt Core statements: this is the hot
# path of every SMS turn, and the ORM's per-object bookkeeping cost more than the SQL.
_ANSWERS = select(Answer.question_id, Answer.value).where(
    Answer.response_id == bindparam("response_id")
)
_UPDATE_ANSWER = (
    update(Answer)
    .where(Answer.response_id == bindparam("rid"), Answer.question_id == bindparam("qid"))
    .values(
        raw_text=bindparam("raw"),
        value=bindparam("value"),
        language=bindparam("lang"),
        updated_at=bindparam("now"),
    )
)
_INSERT_ANSWER = insert(Answer)


def answers_of(session: SmsSession) -> dict[str, object]:
    """The answers given so far, as the engine reads them (read once per turn)."""
    cached = session.__dict__.get("_fieldscan_answers")
    if cached is not None:
        return cached
    answers: dict[str, object] = {}
    if session.response_id is not None:
        rows = db.session.execute(_ANSWERS, {"response_id": session.response_id})
        answers = {question_id: value for question_id, value in rows}
    session.__dict__["_fieldscan_answers"] = answers
    return answers


def _response_id(session: SmsSession) -> int:
    if session.response_id is None:
        ensure_response(session)
        db.session.flush()
    return session.response_id


def record_answer(session: SmsSession, question_id: str, raw: str, value: object) -> None:
    """Store (or replace) the answer to ``question_id``."""
    response_id = _response_id(session)
    answers = answers_of(session)
    now = clock.now()
    params = {"raw": raw, "value": value, "lang": session.language, "now": now}
    if question_id in answers:
        db.session.execute(_UPDATE_ANSWER, {"rid": response_id, "qid": question_id, **params})
    else:
        db.session.execute(
            _INSERT_ANSWER,
            {
                "response_id": response_id,
                "question_id": question_id,
                "raw_text": raw,
                "value": value,
                "language": session.language,
                "created_at": now,
                "updated_at": now,
            },
        )
    answers[question_id] = value


def ask_next(session: SmsSession) -> list[str]:
    """The texts for the next step: notes and the next question, or the completion message.

    Moves the session to that question, or closes it when the survey is complete.
    """
    survey = definition_of(session.survey_version)
    language = session.language
    if session.response_id is None:
        ensure_response(session)
    step = next_step(survey, answers_of(session), channel="sms")
    texts = [note.text("label", language) for note in step.notes]
    if step.complete:
        response = session.response
        response.status = ResponseStatus.completed
        response.finished_at = clock.now()
        session.current_question_id = None
        close(session, "completed")
        completion = survey.text("completion", language)
        if completion:
            texts.append(completion)
        return texts
    session.current_question_id = step.question.id
    session.attempts = 0
    texts.append(
        render_question_sms(
            survey, step.question, language, step.progress.number, step.progress.total
        )
    )
    return texts


def repeat_question(session: SmsSession) -> str:
    """The current question again (after a language switch or a resume)."""
    survey = definition_of(session.survey_version)
    answers = answers_of(session)
    step = next_step(survey, answers, channel="sms")
    question = survey.question(session.current_question_id)
    number = step.progress.number if step.question and step.question.id == question.id else None
    total = step.progress.total if number else None
    return render_question_sms(survey, question, session.language, number, total)
