"""Interview and patient-link rules: which surveys a tablet offers, plans, site isolation, links."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from fieldscan import clock
from fieldscan.audit.services import record as audit
from fieldscan.extensions import db
from fieldscan.instruments.services import current_versions, definition_of, get_version
from fieldscan.locales import normalize_language
from fieldscan.models import Channel, PatientLink, Respondent, Response, User

logger = logging.getLogger(__name__)

TOKEN_BYTES = 24


class InterviewError(Exception):
    """An interview request cannot be served; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SurveyChoice:
    """A survey a CHW can start, titled in the interface language."""

    id: str
    title: str
    languages: tuple[str, ...]
    version: int


def surveys_for_channel(channel: str, ui_language: str) -> list[SurveyChoice]:
    """Open surveys with at least one question on ``channel`` (tablet or web)."""
    choices = []
    for version in current_versions():
        definition = definition_of(version)
        if not any(q.on_channel(channel) and q.takes_answer for q in definition.flat()):
            continue
        choices.append(
            SurveyChoice(
                version.survey_id,
                definition.text("title", ui_language) or version.survey_id,
                tuple(definition.languages),
                version.number,
            )
        )
    return choices


def plan_for(survey_id: str, language: str, channel: str) -> dict:
    """The client plan of the newest version of ``survey_id`` in ``language`` (for offline use).

    :raises InterviewError: unknown survey (404) or a language it does not ship (404).
    """
    from fieldscan.survey.client_plan import client_plan

    version = get_version(survey_id)
    if version is None:
        raise InterviewError(f"survey {survey_id!r} is not loaded", 404)
    definition = definition_of(version)
    lang = normalize_language(language)
    if lang not in definition.languages:
        raise InterviewError(f"survey {survey_id!r} has no language {language!r}", 404)
    plan = client_plan(definition, lang, channel)
    plan["survey_version"] = version.number
    return plan


def site_interviews(site_ids: list[int] | None, limit: int = 50) -> list[Response]:
    """The newest tablet and web responses of these sites (None: every site)."""
    query = (
        select(Response)
        .where(Response.channel.in_([Channel.tablet, Channel.web]))
        .order_by(Response.started_at.desc())
        .limit(limit)
    )
    if site_ids is not None:
        query = query.where(Response.site_id.in_(site_ids))
    return list(db.session.scalars(query))


def interview_for(user: User, uuid: str, site_ids: list[int] | None) -> Response:
    """A response the user may see, audited as read.

    :raises InterviewError: 404 when unknown, 403 when it belongs to another site.
    """
    response = db.session.scalar(select(Response).where(Response.uuid == uuid))
    if response is None:
        raise InterviewError("no such interview", 404)
    if site_ids is not None and response.site_id not in site_ids:
        audit(
            "response.read_denied",
            "response",
            response.id,
            actor_id=user.id,
            site_id=response.site_id,
        )
        db.session.commit()
        raise InterviewError("this interview belongs to another site", 403)
    audit("response.read", "response", response.id, actor_id=user.id, site_id=response.site_id)
    db.session.commit()
    return response


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def create_link(
    survey_id: str, language: str, *, site_id: int | None, created_by: User | None, hours: float
) -> tuple[PatientLink, str]:
    """Make a one-time patient link; returns the link and its secret token (shown once).

    :raises InterviewError: unknown survey or language, or a non-positive lifetime.
    """
    version = get_version(survey_id)
    if version is None:
        raise InterviewError(f"survey {survey_id!r} is not loaded")
    definition = definition_of(version)
    lang = normalize_language(language)
    if lang not in definition.languages:
        raise InterviewError(
            f"language {language!r} is not one of the survey's ({', '.join(definition.languages)})"
        )
    if not hours or hours <= 0:
        raise InterviewError("the link lifetime must be positive")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    respondent = Respondent(preferred_language=lang)
    now = clock.now()
    link = PatientLink(
        token_hash=_hash(token),
        survey_id=survey_id,
        language=lang,
        site_id=site_id,
        created_by_id=created_by.id if created_by else None,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.session.add_all([respondent, link])
    db.session.flush()
    link.respondent_id = respondent.id
    audit(
        "patient_link.create",
        "patient_link",
        link.id,
        actor_id=created_by.id if created_by else None,
        actor_label="" if created_by else "cli",
        site_id=site_id,
    )
    db.session.commit()
    logger.info("patient link %s created for survey %s", link.id, survey_id)
    return link, token


def open_link(token: str, *, lock: bool = False) -> PatientLink:
    """The live link for ``token``.

    :raises InterviewError: 404 unknown, 410 used or expired.
    """
    query = select(PatientLink).where(PatientLink.token_hash == _hash(token))
    if lock:
        query = query.with_for_update()
    link = db.session.scalar(query)
    if link is None:
        raise InterviewError("unknown link", 404)
    if link.used_at is not None:
        raise InterviewError("this link was already used", 410)
    if link.expires_at <= clock.now():
        raise InterviewError("this link has expired", 410)
    return link


def submit_link(token: str, item: dict) -> dict:
    """Store the patient's answers through the sync rules and spend the link.

    Returns the sync result as a dict (status created, duplicate, conflict or invalid).
    """
    from fieldscan.api.sync import sync_responses

    link = open_link(token, lock=True)
    if item.get("survey_id") != link.survey_id:
        raise InterviewError("this link is for another survey")
    result = sync_responses(
        [item],
        actor=None,
        channel=Channel.web,
        site_id=link.site_id,
        respondent_id=link.respondent_id,
    )[0]
    if result.status in ("created", "duplicate"):
        link = open_link(token, lock=True)
        link.used_at = clock.now()
        link.response_uuid = result.uuid
        audit(
            "patient_link.use", "patient_link", link.id, actor_label="patient", site_id=link.site_id
        )
        db.session.commit()
    return {"uuid": result.uuid, "status": result.status, "errors": result.errors}
