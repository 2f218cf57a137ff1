"""The SMS conversation: one inbound message in, the replies out.

``handle_inbound`` runs in one transaction. It first records the MessageSid (unique), so a
repeated or concurrent delivery of the same message changes nothing; then it applies, in
order: opt-out and opt-in commands, HELP, a language switch, the open conversation (or its
expiry), a survey keyword, and otherwise a reply that lists the keywords.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from fieldscan import clock
from fieldscan.audit.services import record as audit
from fieldscan.extensions import db
from fieldscan.instruments.services import VersionRef
from fieldscan.locales import SOURCE_LANGUAGE
from fieldscan.models import InboundSms, Respondent, SessionState, SurveyVersion
from fieldscan.respondents.services import InvalidPhoneNumberError, get_or_create_by_phone
from fieldscan.sms import optout, sessions, texts
from fieldscan.sms.commands import Command, detect_command
from fieldscan.sms.fast_turn import take_answer_turn
from fieldscan.sms.languages import detect_language_switch, language_menu, parse_language_choice
from fieldscan.survey import match_choice, validate_answer

logger = logging.getLogger(__name__)

#: Invalid answers re-prompted before an optional question is skipped.
MAX_REPROMPTS = 2


@dataclass(frozen=True)
class InboundMessage:
    """The parts of Twilio's webhook request the conversation needs."""

    message_sid: str
    sender: str
    body: str
    to: str = ""


@dataclass
class Outcome:
    """What handling a message produced: the replies, and how it was taken."""

    replies: list[str] = field(default_factory=list)
    kind: str = ""
    duplicate: bool = False


# Built once: constructing statements costs more than running them on the hot path.
_RECORD_INBOUND = insert(InboundSms)


def handle_inbound(message: InboundMessage) -> Outcome:
    """Handle one delivery of an incoming message and commit; see the module docstring."""
    if current_app.config.get("FIELDSCAN_SMS_FAST_TURNS", True):
        turn = take_answer_turn(message.message_sid, message.sender, message.body)
        if turn is not None:
            if turn.duplicate:
                return Outcome(kind="duplicate", duplicate=True)
            return Outcome(turn.replies, kind=turn.kind)
    try:
        respondent = get_or_create_by_phone(message.sender)
    except InvalidPhoneNumberError:
        respondent = None
    try:
        # First write of the transaction: a concurrent delivery of the same MessageSid
        # waits here on the unique index, then fails and changes nothing.
        db.session.execute(
            _RECORD_INBOUND,
            {
                "message_sid": message.message_sid,
                "respondent_id": respondent.id if respondent else None,
                "received_at": clock.now(),
            },
        )
    except IntegrityError:
        db.session.rollback()
        logger.info("inbound %s is a repeated delivery; ignored", message.message_sid)
        return Outcome(kind="duplicate", duplicate=True)
    if respondent is None:
        db.session.commit()
        logger.warning("inbound %s from an unusable sender; ignored", message.message_sid)
        return Outcome(kind="bad_sender")
    try:
        outcome = _Conversation(respondent, message).run()
        db.session.commit()
    except IntegrityError:
        # Another message from the same number changed the conversation at the same
        # moment (e.g. both opened a session); the unique constraints kept the data whole.
        db.session.rollback()
        logger.warning("inbound %s lost a race; it was not applied", message.message_sid)
        return Outcome(kind="conflict")
    except Exception:
        db.session.rollback()
        raise
    logger.info("inbound %s handled as %s", message.message_sid, outcome.kind)
    return outcome


class _Conversation:
    """Applies one message to one respondent's conversation."""

    def __init__(self, respondent: Respondent, message: InboundMessage) -> None:
        self.respondent = respondent
        self.sid = message.message_sid
        self.text = (message.body or "").strip()
        self.config = current_app.config
        self.ttl = timedelta(hours=float(self.config.get("FIELDSCAN_SMS_SESSION_TTL_HOURS", 72)))
        self.program = self.config["FIELDSCAN_PROGRAM_NAME"]

    @functools.cached_property
    def sms_versions(self) -> dict[str, VersionRef]:
        # Only needed to start or list surveys, not to answer: looked up on first use.
        return sessions.sms_versions()

    def run(self) -> Outcome:
        self.session = sessions.open_session(self.respondent)
        outcome = self._dispatch()
        if self.session is not None and self.session.state is not SessionState.closed:
            self.session.last_activity_at = clock.now()
        return outcome

    def _dispatch(self) -> Outcome:
        command = detect_command(self.text)

        if command is Command.stop:
            return self._stop()
        if self.respondent.opted_out:
            if command is Command.start:
                return self._start_again()
            if command is Command.help:
                return self._help()
            return Outcome(kind="silenced")  # opted out: never answer anything else
        if command is Command.help:
            return self._help()
        switch = detect_language_switch(self.text)
        if switch and self._answers_a_choice():
            switch = None  # "Español" answering "which language do you prefer?" is an answer
        if switch and (self.session is None or switch in self._session_languages()):
            return self._switch_language(switch)

        expired = False
        if self.session is not None and sessions.is_expired(self.session, self.ttl):
            sessions.close(self.session, "expired")
            self.session, expired = None, True
        if self.session is not None:
            # A survey keyword inside a conversation is only looked for when the text is
            # not an answer (see _answer): "KIDS" can be an answer to an open question.
            return self._continue()
        matches = self._keyword_matches()
        if matches:
            return self._keyword(matches)
        if expired:
            return self._reply(
                "expired", texts.session_expired(self.language, self._keyword_for(self.language))
            )
        return self._reply("unknown", texts.unknown_sender(self.language, self._keywords()))

    # -- helpers ---------------------------------------------------------------------------

    @property
    def language(self) -> str:
        if self.session is not None and self.session.language:
            return self.session.language
        return self.respondent.preferred_language or SOURCE_LANGUAGE

    def _reply(self, kind: str, *replies: str) -> Outcome:
        return Outcome([r for r in replies if r], kind=kind)

    def _session_languages(self) -> tuple[str, ...]:
        return tuple(sessions.definition_of(self.session.survey_version).languages)

    def _keyword_matches(self):
        index = sessions.keyword_index(tuple(self.sms_versions.values()))
        return [m for m in index.match(self.text) if m.survey_id in self.sms_versions]

    def _keywords(self) -> str:
        index = sessions.keyword_index(tuple(self.sms_versions.values()))
        return index.listing()

    def _keyword_for(self, language: str) -> str:
        for version in self.sms_versions.values():
            keywords = sessions.definition_of(version).keywords
            words = keywords.get(language) or keywords.get(SOURCE_LANGUAGE)
            if words:
                return words[0]
        return ""

    def _answers_a_choice(self) -> bool:
        session = self.session
        if session is None or session.state is not SessionState.answering:
            return False
        if not session.current_question_id:
            return False
        question = sessions.definition_of(session.survey_version).question(
            session.current_question_id
        )
        return (
            bool(question.choices)
            and match_choice(question, self.text, session.language, "sms") is not None
        )

    # -- commands --------------------------------------------------------------------------

    def _stop(self) -> Outcome:
        if self.respondent.opted_out:
            return Outcome(kind="stop_repeated")  # one confirmation only
        if self.session is not None:
            sessions.close(self.session, "stopped")
            self.session = None
        optout.opt_out(self.respondent, source="sms")
        return self._reply("stop", texts.stop_confirmation(self.language, self.program))

    def _start_again(self) -> Outcome:
        optout.opt_in(self.respondent)
        return self._reply("start", texts.start_confirmation(self.language, self._keywords()))

    def _help(self) -> Outcome:
        contact = self.config.get("FIELDSCAN_CONTACT")
        return self._reply("help", texts.help_reply(self.language, self.program, contact))

    def _switch_language(self, language: str) -> Outcome:
        self.respondent.preferred_language = language
        replies = [texts.language_changed(language)]
        if self.session is not None:
            self.session.language = language
            if self.session.response is not None:
                self.session.response.language = language
            if self.session.state is SessionState.choosing_language:
                self.session.state = SessionState.answering
                return self._reply("language", *self._first_questions())
            if self.session.state is SessionState.answering and self.session.current_question_id:
                replies.append(sessions.repeat_question(self.session))
        return self._reply("language", *replies)

    # -- surveys ---------------------------------------------------------------------------

    def _keyword(self, matches) -> Outcome:
        survey_ids = {m.survey_id for m in matches}
        survey_id = sorted(survey_ids)[0]
        version = db.session.get(SurveyVersion, self.sms_versions[survey_id].id)
        if self.session is not None:
            same_survey = self.session.survey_version.survey_id == survey_id
            if same_survey and self.session.state is SessionState.answering:
                # The same survey's keyword again: carry on where they were.
                return self._reply("resume", sessions.repeat_question(self.session))
            sessions.close(self.session, "replaced")
            self.session = None
        definition = sessions.definition_of(version)
        candidates = [m.language for m in matches if m.survey_id == survey_id]
        language = self._pick_language(candidates, definition.languages)
        if language is None:
            self.session = sessions.start(
                self.respondent, version, None, SessionState.choosing_language
            )
            menu_language = self.respondent.preferred_language or SOURCE_LANGUAGE
            return self._reply(
                "menu",
                texts.choose_language(menu_language) + "\n" + language_menu(definition.languages),
            )
        self.respondent.preferred_language = language
        self.session = sessions.start(self.respondent, version, language)
        audit("sms_session.start", "sms_session", self.session.id, actor_label="sms")
        return self._reply("keyword", *self._first_questions())

    def _pick_language(self, candidates: list[str], shipped) -> str | None:
        return sessions.pick_language(candidates, shipped, self.respondent.preferred_language)

    def _first_questions(self) -> list[str]:
        definition = sessions.definition_of(self.session.survey_version)
        intro = definition.text("intro", self.session.language)
        return [t for t in [intro, *sessions.ask_next(self.session)] if t]

    def _continue(self) -> Outcome:
        state = self.session.state
        if state is not SessionState.answering:
            matches = self._keyword_matches()
            if matches:
                return self._keyword(matches)
        if state is SessionState.invited:
            language = self.session.language or self.respondent.preferred_language
            self.session.language = language or SOURCE_LANGUAGE
            self.session.state = SessionState.answering
            return self._reply("invitation_accepted", *self._first_questions())
        if state is SessionState.choosing_language:
            shipped = sessions.definition_of(self.session.survey_version).languages
            language = parse_language_choice(self.text, shipped)
            if language is None:
                menu_language = self.respondent.preferred_language or SOURCE_LANGUAGE
                return self._reply(
                    "menu",
                    texts.choose_language(menu_language) + "\n" + language_menu(shipped),
                )
            self.session.language = language
            self.respondent.preferred_language = language
            self.session.state = SessionState.answering
            return self._reply("language", *self._first_questions())
        return self._answer()

    def _answer(self) -> Outcome:
        session = self.session
        survey = sessions.definition_of(session.survey_version)
        question_id = session.current_question_id
        if question_id is None:  # nothing asked yet (should not happen): ask now
            return self._reply("ask", *sessions.ask_next(session))
        question = survey.question(question_id)
        if texts.is_skip(self.text, session.language) and not question.required:
            sessions.record_answer(session, question_id, self.text, None)
            return self._reply("skip", *sessions.ask_next(session))
        result = validate_answer(
            survey,
            question_id,
            self.text,
            session.language,
            channel="sms",
            answers=sessions.answers_of(session),
        )
        if result.ok:
            value = None if result.skipped else result.value
            sessions.record_answer(session, question_id, self.text, value)
            return self._reply("answer", *sessions.ask_next(session))
        matches = self._keyword_matches()
        if matches:  # not an answer, but a survey keyword: restart or resume
            return self._keyword(matches)
        session.attempts += 1
        if session.attempts > MAX_REPROMPTS and not question.required:
            sessions.record_answer(session, question_id, self.text, None)
            return self._reply("skipped_after_reprompts", *sessions.ask_next(session))
        error = result.error
        if not question.required:
            error = f"{error} {texts.skip_hint(session.language)}"
        return self._reply("reprompt", error, sessions.repeat_question(session))
