"""Idempotent sync of responses collected offline (tablets, API clients).

A client gives each response a uuid when the interview starts and may send it any number
of times (a retry after a lost reply, a resend of the whole outbox). Per item, in order:

1. its shape is checked (:class:`~fieldscan.api.schemas.SyncItemSchema`);
2. the survey version it was answered on is found, and every answer is validated and
   normalized by the survey engine against that version (unknown questions, questions not
   asked given the other answers, a completed response missing required answers: refused);
3. its **content hash** is computed: SHA-256 of the canonical JSON of the survey, version,
   language, times (UTC) and normalized answers;
4. a response with the same uuid already stored is a ``duplicate`` when the hashes match
   and a ``conflict`` otherwise, and nothing is changed; a new one is inserted with its
   answers inside a SAVEPOINT. The unique constraint on ``responses.uuid`` decides between
   concurrent syncs of the same uuid: the loser's savepoint is rolled back and the stored
   row is compared as in 4.

Each item is committed on its own, so every valid item is stored whatever happens to the
others. No Flask request objects here: routes and tests call :func:`sync_responses`.

The steps are reusable on their own: :func:`load_version`, :func:`check_content` (the
engine's validation and normalization of one response's content) and :func:`put_answers`
serve the JSON API's single-response operations (:mod:`fieldscan.api.services`), and
:func:`create_response` stores one already-loaded item by the rules above.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fieldscan import clock
from fieldscan.api.schemas import SyncItemSchema, UUIDString
from fieldscan.audit import services as audit
from fieldscan.extensions import db
from fieldscan.instruments.services import VersionRef, definition_of, get_version
from fieldscan.locales import SOURCE_LANGUAGE
from fieldscan.models import Answer, Channel, Response, ResponseStatus, User
from fieldscan.survey import (
    AnswerResult,
    Question,
    Survey,
    applicable_answers,
    canonical_json,
    is_complete,
    relevant_questions,
    validate_answer,
)

logger = logging.getLogger(__name__)

CREATED = "created"
DUPLICATE = "duplicate"
CONFLICT = "conflict"
INVALID = "invalid"

#: The errors of a conflict: the client learns why nothing was stored.
CONFLICT_ERRORS = {
    "uuid": [
        "A response with this uuid is already stored with different content; "
        "nothing was changed. Give a new response a new uuid."
    ]
}


@dataclass(frozen=True)
class SyncResult:
    """The outcome of one item: ``status`` is created, duplicate, conflict or invalid.

    ``uuid`` is the canonical uuid (or what was sent, when it is not a valid one);
    ``errors`` is ``{field: [message, ...]}`` (answers nest per question id).
    """

    uuid: str | None
    status: str
    errors: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The result as the API returns it."""
        return {"uuid": self.uuid, "status": self.status, "errors": self.errors}


@dataclass(frozen=True)
class LoadedVersion:
    """A stored survey version and the engine's view of it."""

    ref: VersionRef
    definition: Survey


@dataclass(frozen=True)
class Content:
    """A response's content, validated and normalized by the engine, ready to store."""

    version: LoadedVersion
    language: str
    started_at: datetime
    completed_at: datetime | None
    answers: dict[str, object]  # normalized, in the survey's order; None = skipped
    raw_texts: dict[str, str]  # text answers as received
    content_hash: str


class InvalidContentError(Exception):
    """What a client sent is not valid; ``errors`` is ``{field: [message, ...]}``."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__("invalid content")
        self.errors = errors


@dataclass(frozen=True)
class _Prepared:
    """A valid item, ready to store."""

    uuid: str
    content: Content


_ITEM_SCHEMA = SyncItemSchema()
_UUID_FIELD = UUIDString()


def sync_responses(
    items: list[Any],
    *,
    actor: User | None,
    channel: Channel,
    site_id: int | None,
    respondent_id: int | None = None,
    actor_label: str = "",
) -> list[SyncResult]:
    """Store each new, valid item and report what happened to every item, in order.

    :param items: the raw ``responses`` of the request (each one checked on its own).
    :param actor: who sends them; recorded as the interviewer on the tablet channel.
    :param channel: ``Channel.tablet`` or ``Channel.web``.
    :param site_id: the site the stored responses belong to.
    :param actor_label: how the actor called (``api-token:<id>``), for the audit trail.
    Commits once per stored item.
    """
    context = _Context.of(actor, channel, site_id, respondent_id, actor_label)
    return [context.sync_one(item) for item in items]


def create_response(
    data: dict[str, Any],
    *,
    actor: User | None,
    channel: Channel,
    site_id: int | None,
    actor_label: str = "",
) -> SyncResult:
    """Store one response already loaded with :class:`SyncItemSchema`, by the sync rules.

    The same uuid with the same content is a ``duplicate``, with other content a
    ``conflict``; nothing is changed then. Audited as ``response.create``; commits when
    stored.
    """
    context = _Context.of(actor, channel, site_id, None, actor_label, "response.create")
    try:
        prepared = context.prepare_loaded(data)
    except InvalidContentError as exc:
        db.session.rollback()
        return SyncResult(data["uuid"], INVALID, exc.errors)
    return context.store(prepared)


def load_version(survey_id: str, number: int) -> LoadedVersion:
    """The stored version ``number`` of ``survey_id``.

    :raises InvalidContentError: no such survey (``survey_id``) or version
        (``survey_version``, naming the newest).
    """
    stored = get_version(survey_id, number)
    if stored is not None:
        ref = VersionRef(stored.survey_id, stored.id, stored.number, stored.content_hash)
        return LoadedVersion(ref, definition_of(ref))
    newest = get_version(survey_id)
    if newest is None:
        raise InvalidContentError({"survey_id": [f"No survey {survey_id!r} is loaded here."]})
    raise InvalidContentError(
        {
            "survey_version": [
                f"Survey {survey_id!r} has no version {number}; "
                f"its newest is version {newest.number}."
            ]
        }
    )


def check_content(
    version: LoadedVersion,
    *,
    language: str,
    started_at: datetime,
    completed_at: datetime | None,
    answers: dict[str, Any],
    channel: str,
) -> Content:
    """Validate and normalize a response's answers with the survey engine.

    Every answer must belong to a question asked on ``channel`` given the other answers;
    a completed response (``completed_at`` set) must answer every required question it
    asks (optional ones left out are recorded as skipped).

    :raises InvalidContentError: with messages per field (``answers`` nests per question).
    """
    definition = version.definition
    errors: dict[str, Any] = {}
    if language not in definition.languages:
        errors["language"] = [
            f"Version {version.ref.number} of {version.ref.survey_id!r} is not offered "
            f"in {language!r}; its languages are: {', '.join(definition.languages)}."
        ]
    # The date the answers were given on, in the device's own time zone, for
    # constraints and relevance that use today().
    today = (completed_at or clock.now().astimezone(started_at.tzinfo)).date()
    checker = _AnswerChecker(definition, language, channel, today)
    values, answer_errors, missing = checker.check(answers, completed_at is not None)
    if answer_errors:
        errors["answers"] = answer_errors
    if missing:
        errors["completed_at"] = [
            "The response is marked completed, but these required questions have "
            f"no answer: {', '.join(missing)}."
        ]
    if errors:
        raise InvalidContentError(errors)
    question_order = {q.id: i for i, q in enumerate(definition.flat())}
    ordered = dict(sorted(values.items(), key=lambda kv: question_order[kv[0]]))
    raw_texts = {
        qid: raw if isinstance(raw, str) else str(raw)
        for qid, raw in answers.items()
        if qid in ordered and ordered[qid] is not None
        and definition.question(qid).type == "text"
    }  # fmt: skip
    return Content(
        version=version,
        language=language,
        started_at=started_at,
        completed_at=completed_at,
        answers=ordered,
        raw_texts=raw_texts,
        content_hash=content_hash(
            survey_id=version.ref.survey_id,
            survey_version=version.ref.number,
            language=language,
            started_at=started_at,
            completed_at=completed_at,
            answers=ordered,
        ),
    )


def put_answers(response: Response, content: Content) -> None:
    """Make ``response``'s answers those of ``content``: changed rows are updated in place,
    missing ones deleted, new ones added (the caller flushes)."""
    now = clock.now()
    existing = {answer.question_id: answer for answer in response.answers}
    kept = []
    for qid, value in content.answers.items():
        answer = existing.pop(qid, None)
        raw_text = content.raw_texts.get(qid)
        if answer is None:
            answer = Answer(question_id=qid, created_at=now, updated_at=now)
        elif answer.value != value or answer.raw_text != raw_text:
            answer.updated_at = now
        answer.value, answer.raw_text, answer.language = value, raw_text, content.language
        kept.append(answer)
    response.answers = kept  # delete-orphan removes the answers left in ``existing``


@dataclass
class _Context:
    actor_id: int | None
    channel: Channel
    site_id: int | None
    respondent_id: int | None
    actor_label: str = ""
    action: str = "response.sync_create"
    versions: dict[tuple[str, int], LoadedVersion | InvalidContentError] = field(
        default_factory=dict
    )

    @classmethod
    def of(
        cls,
        actor: User | None,
        channel: Channel,
        site_id: int | None,
        respondent_id: int | None,
        actor_label: str = "",
        action: str = "response.sync_create",
    ) -> _Context:
        if channel is Channel.sms:
            raise ValueError("SMS responses are recorded by the SMS conversation, not by sync")
        actor_id = actor.id if actor is not None else None
        if not actor_label and actor_id is None:
            actor_label = f"api:{channel.value}"
        return cls(actor_id, channel, site_id, respondent_id, actor_label, action)

    def sync_one(self, item: Any) -> SyncResult:
        uuid = _uuid_of(item)
        try:
            prepared = self.prepare(item)
        except InvalidContentError as exc:
            db.session.rollback()  # end the read-only transaction of the look-ups
            return SyncResult(uuid, INVALID, exc.errors)
        return self.store(prepared)

    # --- validation -----------------------------------------------------------------------

    def prepare(self, item: Any) -> _Prepared:
        if not isinstance(item, dict):
            raise InvalidContentError({"_schema": ["Each response must be a JSON object."]})
        try:
            data = _ITEM_SCHEMA.load(item)
        except ValidationError as exc:
            raise InvalidContentError(_as_dict(exc.messages)) from None
        return self.prepare_loaded(data)

    def prepare_loaded(self, data: dict[str, Any]) -> _Prepared:
        content = check_content(
            self.version(data["survey_id"], data["survey_version"]),
            language=data["language"],
            started_at=data["started_at"],
            completed_at=data["completed_at"],
            answers=data["answers"],
            channel=self.channel.value,
        )
        return _Prepared(data["uuid"], content)

    def version(self, survey_id: str, number: int) -> LoadedVersion:
        key = (survey_id, number)
        if key not in self.versions:
            try:
                self.versions[key] = load_version(survey_id, number)
            except InvalidContentError as exc:
                self.versions[key] = exc
        found = self.versions[key]
        if isinstance(found, InvalidContentError):
            raise InvalidContentError(copy.deepcopy(found.errors))
        return found

    # --- storage --------------------------------------------------------------------------

    def store(self, item: _Prepared) -> SyncResult:
        stored = _stored_hash(item.uuid)
        if stored is not None:
            db.session.rollback()
            return _compare(item, stored[1])
        content = item.content
        response = Response(
            uuid=item.uuid,
            survey_version_id=content.version.ref.id,
            respondent_id=self.respondent_id,
            channel=self.channel,
            status=ResponseStatus.completed if content.completed_at else ResponseStatus.in_progress,
            language=content.language,
            site_id=self.site_id,
            interviewer_id=self.actor_id if self.channel is Channel.tablet else None,
            started_at=content.started_at,
            finished_at=content.completed_at,
            content_hash=content.content_hash,
        )
        put_answers(response, content)
        try:
            with db.session.begin_nested():
                db.session.add(response)
                db.session.flush()
                audit.record(
                    self.action,
                    "response",
                    response.id,
                    actor_id=self.actor_id,
                    actor_label=self.actor_label,
                    site_id=self.site_id,
                    details={"channel": self.channel.value, "answers": len(content.answers)},
                )
                db.session.flush()
        except IntegrityError:
            # A concurrent sync stored this uuid between the look-up and the insert.
            stored = _stored_hash(item.uuid)
            db.session.rollback()
            if stored is None:
                raise  # not the uuid: a real integrity problem
            logger.info("sync of response %s lost a race; comparing", item.uuid)
            return _compare(item, stored[1])
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        logger.info("response %s created by sync (%s)", item.uuid, self.channel.value)
        return SyncResult(item.uuid, CREATED, {})


@dataclass
class _AnswerChecker:
    """Validates an item's answers with the survey engine, against one version."""

    definition: Survey
    language: str
    channel: str
    today: date

    def check(
        self, given: dict[str, Any], completed: bool
    ) -> tuple[dict[str, object], dict[str, list[str]], list[str]]:
        """The normalized answers, the errors per question id, and (for a completed
        response) the required questions it lacks."""
        errors: dict[str, list[str]] = {}
        values: dict[str, object] = {}
        checkable = []
        for qid, raw in given.items():
            problem = self._question_problem(qid) or _value_problem(raw)
            if problem:
                errors[qid] = [problem]
            else:
                checkable.append(qid)
        # Constraints may read other answers: check those questions last, against the
        # normalized values of the others.
        checkable.sort(key=lambda qid: self.definition.question(qid).constraint is not None)
        for qid in checkable:
            result = self._validate(qid, given[qid], {**given, **values})
            if result.ok:
                values[qid] = result.value
            else:
                errors[qid] = [result.error]
        kept = applicable_answers(self.definition, values, self.today)
        for qid in [q for q in values if q not in kept]:
            if values.pop(qid) is None:
                continue  # a skip of a question that is not asked: nothing to keep
            errors[qid] = [_not_asked(self.definition.question(qid))]
        missing: list[str] = []
        if completed:
            # Questions with an invalid answer are reported as such, not again as missing.
            missing = [qid for qid in self._complete(values) if qid not in errors]
            for qid in missing:
                errors[qid] = ["A completed response needs an answer to this question."]
        return values, errors, missing

    def _question_problem(self, qid: str) -> str | None:
        if qid not in self.definition:
            return f"Not a question of survey {self.definition.id!r}."
        question = self.definition.question(qid)
        if not question.takes_answer:
            return f"This is a {question.type} and takes no answer."
        if not question.on_channel(self.channel):
            return f"This question is not asked on the {self.channel} channel."
        return None

    def _validate(self, qid: str, raw: object, answers: dict[str, Any]) -> AnswerResult:
        # Parse in the item's language (labels, yes/no words); explain in English.
        result = validate_answer(
            self.definition, qid, raw, self.language, self.channel,
            answers=answers, today=self.today,
        )  # fmt: skip
        if result.ok or self.language == SOURCE_LANGUAGE:
            return result
        english = validate_answer(
            self.definition, qid, raw, SOURCE_LANGUAGE, self.channel,
            answers=answers, today=self.today,
        )  # fmt: skip
        return AnswerResult(False, error=english.error or result.error)

    def _complete(self, values: dict[str, object]) -> list[str]:
        """Record relevant optional questions left out as skipped; the required ones missing."""
        asked = relevant_questions(self.definition, values, self.channel, self.today)
        for question in asked:
            if question.id not in values and not question.required:
                values[question.id] = None
        if is_complete(self.definition, values, self.channel, self.today):
            return []
        return [q.id for q in asked if q.required and values.get(q.id) is None]


def _value_problem(raw: object) -> str | None:
    """Why ``raw`` cannot be an answer's value at all (before the engine reads it), or None."""
    scalars = raw if isinstance(raw, list) else [raw]
    for value in scalars:
        if value is not None and not isinstance(value, str | int | float | bool):
            return "Send a text, a number, true or false, null, or a list of those."
        if isinstance(value, float) and not math.isfinite(value):
            return "Send a finite number."
        if isinstance(value, str) and _UNSTORABLE.search(value):
            return "Contains a character that cannot be stored (NUL or an unpaired surrogate)."
    return None


#: Characters no database text column takes: NUL and lone UTF-16 surrogates.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _not_asked(question: Question) -> str:
    message = "Not asked given the other answers"
    if question.relevant and len(question.conditions) == 1:
        return f"{message} (it is asked only when {question.relevant})."
    return f"{message}."


def content_hash(
    *,
    survey_id: str,
    survey_version: int,
    language: str,
    started_at: datetime,
    completed_at: datetime | None,
    answers: dict[str, object],
) -> str:
    """SHA-256 (hex) of the canonical JSON of a synced response's content."""
    content = {
        "survey_id": survey_id,
        "survey_version": survey_version,
        "language": language,
        "started_at": started_at.astimezone(UTC).isoformat(),
        "completed_at": completed_at.astimezone(UTC).isoformat() if completed_at else None,
        "answers": answers,
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _stored_hash(uuid: str) -> tuple[int, str | None] | None:
    row = db.session.execute(
        select(Response.id, Response.content_hash).where(Response.uuid == uuid)
    ).first()
    return None if row is None else (row[0], row[1])


def _compare(item: _Prepared, stored_hash: str | None) -> SyncResult:
    if stored_hash == item.content.content_hash:
        return SyncResult(item.uuid, DUPLICATE, {})
    logger.info("response %s sent again with other content: conflict", item.uuid)
    return SyncResult(item.uuid, CONFLICT, {k: list(v) for k, v in CONFLICT_ERRORS.items()})


def _uuid_of(item: Any) -> str | None:
    """The item's uuid for its result: canonical when valid, as sent when a string."""
    raw = item.get("uuid") if isinstance(item, dict) else None
    if not isinstance(raw, str):
        return None
    try:
        return _UUID_FIELD.deserialize(raw)
    except ValidationError:
        return raw


def _as_dict(messages: Any) -> dict[str, Any]:
    return messages if isinstance(messages, dict) else {"_schema": list(messages)}
