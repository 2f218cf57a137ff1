"""The second commonest SMS turn, taken on the driver's cursor: a survey keyword from a
number with no open conversation, naming one survey in one language.

Like :mod:`fieldscan.sms.fast_turn`, it returns ``None`` before writing anything whenever
the text needs the full conversation (an opted-out number, no keyword, several surveys or
languages to choose between, a survey with nothing to ask), and the caller carries on in
the same transaction. What it writes is what :mod:`fieldscan.sms.conversation` writes for
the same text (the respondent when new, the MessageSid, the response, the session on its
first question, the audit event, the preferred language), as
``tests/sms/test_sms_fast_turn.py`` checks row by row.
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from fieldscan import clock
from fieldscan.instruments.services import CURRENT_REFS, VersionRef, cached_definition
from fieldscan.models import (
    AuditEvent,
    Channel,
    Respondent,
    Response,
    SessionState,
    SmsSession,
)
from fieldscan.respondents.services import vault
from fieldscan.sms import sessions
from fieldscan.sms.driver_sql import DriverStatement, insert_row, integrity_errors
from fieldscan.sms.render import render_question_sms
from fieldscan.survey import next_step

logger = logging.getLogger(__name__)

_respondents = Respondent.__table__

_RESPONDENT = DriverStatement(
    select(_respondents.c.id, _respondents.c.opted_out, _respondents.c.preferred_language).where(
        _respondents.c.phone_hash == bindparam("phone_hash")
    )
)
_CURRENT_REFS = DriverStatement(CURRENT_REFS)
_NEW_RESPONDENT = insert_row(_respondents, returning=_respondents.c.id)
_NEW_RESPONSE = insert_row(Response.__table__, returning=Response.__table__.c.id)
_NEW_SESSION = insert_row(SmsSession.__table__, returning=SmsSession.__table__.c.id)
_NEW_AUDIT_EVENT = insert_row(AuditEvent.__table__)
_SET_PREFERRED_LANGUAGE = DriverStatement(
    update(_respondents)
    .where(_respondents.c.id == bindparam("rid"))
    .values(preferred_language=bindparam("language"))
)


def take_start_turn(
    connection: Connection, e164: str, digest: str, text: str, record_inbound
) -> list[str] | str | None:
    """Start the survey ``text`` names on ``connection`` (the caller commits); the replies,
    ``[]`` for a repeated delivery, ``"raced"`` when another delivery created the same
    respondent at this moment, or None (nothing written) when the full conversation must
    decide.

    ``record_inbound(respondent_id)`` records the MessageSid (raising the driver's
    integrity error for a repeat).
    """
    known = _RESPONDENT.first(connection, {"phone_hash": digest})
    if known is not None and known[1]:
        return None  # opted out: silence, START and HELP are the full path's
    preferred = known[2] if known is not None else None
    versions = _sms_versions(connection)
    if versions is None:
        return None
    index = sessions.keyword_index(tuple(versions.values()))
    matches = [match for match in index.match(text) if match.survey_id in versions]
    if not matches:
        return None
    survey_id = sorted({match.survey_id for match in matches})[0]
    version = versions[survey_id]
    survey = cached_definition(version.id, version.content_hash)
    candidates = [match.language for match in matches if match.survey_id == survey_id]
    language = sessions.pick_language(candidates, survey.languages, preferred)
    if language is None:
        return None  # the language menu
    step = next_step(survey, {}, channel="sms")
    if step.complete:
        return None
    intro = survey.text("intro", language)
    replies = [intro] if intro else []
    replies += [note.text("label", language) for note in step.notes]
    replies.append(
        render_question_sms(
            survey, step.question, language, step.progress.number, step.progress.total
        )
    )

    now = clock.now()
    errors = integrity_errors(connection)
    if known is None:
        try:
            (respondent_id,) = _NEW_RESPONDENT.first(
                connection,
                {
                    "phone_ciphertext": vault().encrypt(e164),
                    "phone_hash": digest,
                    "preferred_language": language,
                    "created_at": now,
                },
            )
        except errors:
            return "raced"
    else:
        respondent_id = known[0]
    try:
        record_inbound(respondent_id)
    except errors:
        return []
    (response_id,) = _NEW_RESPONSE.first(
        connection,
        {
            "survey_version_id": version.id,
            "respondent_id": respondent_id,
            "channel": Channel.sms,
            "language": language,
            "started_at": now,
            "updated_at": now,
        },
    )
    (session_id,) = _NEW_SESSION.first(
        connection,
        {
            "respondent_id": respondent_id,
            "survey_version_id": version.id,
            "response_id": response_id,
            "language": language,
            "state": SessionState.answering,
            "current_question_id": step.question.id,
            "attempts": 0,
            "started_at": now,
            "last_activity_at": now,
        },
    )
    _NEW_AUDIT_EVENT.execute(
        connection,
        {
            "occurred_at": now,
            "actor_label": "sms",
            "action": "sms_session.start",
            "object_type": "sms_session",
            "object_id": str(session_id),
            "details": {},
        },
    )
    if known is not None and preferred != language:
        _SET_PREFERRED_LANGUAGE.execute(connection, {"rid": respondent_id, "language": language})
    return replies


def _sms_versions(connection: Connection) -> dict[str, VersionRef] | None:
    """:func:`sessions.sms_versions` on ``connection``, or None when a definition is not
    parsed in this process yet (the full path parses it, through the session)."""
    versions = {}
    for row in _CURRENT_REFS.all(connection, {}):
        ref = VersionRef(*row)
        definition = cached_definition(ref.id, ref.content_hash)
        if definition is None:
            return None
        if definition.sms_questions():
            versions[ref.survey_id] = ref
    return versions
