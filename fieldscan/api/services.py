"""The JSON API's rules: surveys as clients get them, responses with site isolation and an
audit trail, sites and partners.

Who may see what follows the web pages (:mod:`fieldscan.accounts.access`): a CHW sees the
records of their site, a site leader those of their site, an organisation-wide leader and
an admin every site. Reading responses writes audit events (``response.read``, one
``response.list`` per page); nothing here logs or audits answer text. Services raise
:class:`~fieldscan.api.routes.ApiError`; writes commit.
"""

from __future__ import annotations

import logging
import uuid as uuid_module
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from fieldscan import clock
from fieldscan.accounts.access import can_see_site, visible_site_ids
from fieldscan.api import sync
from fieldscan.api.routes import ApiError
from fieldscan.audit.services import record
from fieldscan.extensions import db
from fieldscan.instruments.services import VersionRef, definition_of, get_version, listing
from fieldscan.locales import SOURCE_LANGUAGE
from fieldscan.models import (
    Channel,
    Partner,
    PartnerRelationship,
    Response,
    ResponseStatus,
    Site,
    SurveyVersion,
    User,
)
from fieldscan.survey.client_plan import client_plan
from fieldscan.survey.schema import SURVEY_ID

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Page:
    """One page of a listing: its items and how many there are in all."""

    items: list[Any]
    total: int


# --- surveys -----------------------------------------------------------------------------


def surveys() -> list[dict[str, Any]]:
    """The open surveys: id, newest version, title, languages, SMS keywords."""
    return listing()


def survey_plan(survey_id: str, language: str | None) -> dict[str, Any]:
    """The newest version of an open survey rendered in ``language`` for the web channel
    (a client plan, see :mod:`fieldscan.survey.client_plan`) with its ``survey_version``.

    :param language: a fieldscan language code; None for the survey's English (or first).
    :raises ApiError: 404 for an unknown or archived survey, 422 for a language it lacks.
    """
    version = get_version(survey_id) if SURVEY_ID.match(survey_id) else None
    if version is None or version.survey.archived:
        raise ApiError(404, f"No open survey {survey_id!r} is loaded here.")
    definition = definition_of(version)
    languages = list(definition.languages)
    if language is None:
        language = SOURCE_LANGUAGE if SOURCE_LANGUAGE in languages else languages[0]
    if language not in languages:
        raise ApiError(
            422,
            "Some query parameters are not valid.",
            {
                "language": [
                    f"Survey {survey_id!r} is not offered in {language!r}; "
                    f"its languages are: {', '.join(languages)}."
                ]
            },
            location="query",
        )
    plan = client_plan(definition, language, "web")
    plan["survey_version"] = version.number
    return plan


# --- sites and partners ------------------------------------------------------------------


def sites(user: User) -> list[Site]:
    """The sites whose records ``user`` may see, by name."""
    query = select(Site).order_by(Site.name, Site.slug)
    visible = visible_site_ids(user)
    if visible is not None:
        query = query.where(Site.id.in_(visible))
    return list(db.session.scalars(query))


def partners(user: User, filters: dict[str, Any], page: int, page_size: int) -> Page:
    """The partners of the sites ``user`` may see and the organisation-wide ones, by name.

    :param filters: ``site`` (slug), ``relationship`` (current or prospective).
    """
    query = select(Partner).options(selectinload(Partner.site)).order_by(Partner.name, Partner.id)
    visible = visible_site_ids(user)
    if visible is not None:
        query = query.where(or_(Partner.site_id.is_(None), Partner.site_id.in_(visible)))
    if filters.get("site") is not None:
        query = query.where(Partner.site_id == _site_id_of(filters["site"]))
    if filters.get("relationship") is not None:
        query = query.where(Partner.relationship == PartnerRelationship(filters["relationship"]))
    total = _count(query)
    return Page(_slice(query, page, page_size, total), total)


# --- responses ---------------------------------------------------------------------------

_RESPONSE_LOADS = (
    selectinload(Response.answers),
    selectinload(Response.site),
    selectinload(Response.survey_version),
)


def list_responses(
    user: User, filters: dict[str, Any], page: int, page_size: int, *, actor_label: str = ""
) -> Page:
    """One page of the responses ``user`` may see, newest first; audited as ``response.list``.

    :param filters: ``survey`` (id), ``site`` (slug), ``channel``, ``status``,
        ``started_after`` (inclusive) and ``started_before`` (exclusive).
    """
    query = select(Response).order_by(Response.started_at.desc(), Response.id.desc())
    visible = visible_site_ids(user)
    if visible is not None:
        query = query.where(Response.site_id.in_(visible))
    if filters.get("survey") is not None:
        query = query.where(
            Response.survey_version_id.in_(
                select(SurveyVersion.id).where(SurveyVersion.survey_id == filters["survey"])
            )
        )
    if filters.get("site") is not None:
        query = query.where(Response.site_id == _site_id_of(filters["site"]))
    if filters.get("channel") is not None:
        query = query.where(Response.channel == Channel(filters["channel"]))
    if filters.get("status") is not None:
        query = query.where(Response.status == ResponseStatus(filters["status"]))
    if filters.get("started_after") is not None:
        query = query.where(Response.started_at >= filters["started_after"])
    if filters.get("started_before") is not None:
        query = query.where(Response.started_at < filters["started_before"])
    total = _count(query)
    first = (page - 1) * page_size
    shown = max(0, min(page_size, total - first))
    record(
        "response.list",
        "response",
        None,
        actor_id=user.id,
        actor_label=actor_label,
        site_id=user.site_id,
        details={
            "count": shown,
            "total": total,
            "page": page,
            "filters": {name: _audit_value(value) for name, value in filters.items()},
        },
    )
    db.session.commit()
    items = _slice(query.options(*_RESPONSE_LOADS), page, page_size, total)
    return Page(items, total)


def get_response(user: User, uuid: str, *, actor_label: str = "") -> Response:
    """A response ``user`` may see; audited as ``response.read``.

    :raises ApiError: 404 when unknown; 403 (audited as ``response.read_denied``) when it
        belongs to a site the user may not see, as on the web pages.
    """
    response = _visible(user, uuid, "response.read_denied", actor_label=actor_label)
    record(
        "response.read",
        "response",
        response.id,
        actor_id=user.id,
        actor_label=actor_label,
        site_id=response.site_id,
    )
    db.session.commit()
    return _load(response.id)


def create_response(
    user: User, data: dict[str, Any], *, actor_label: str = ""
) -> tuple[Response, bool]:
    """Store one response sent by a device (``data`` loaded by ``SyncItemSchema``).

    Validated by the survey engine like a synced item; it belongs to the user's site, with
    the user as interviewer (tablet channel).

    :return: the stored response and whether it was created now (False: the same uuid was
        already stored with the same content, a retry).
    :raises ApiError: 422 for invalid content; 409 when the uuid is stored with other
        content (or at a site the user may not see).
    """
    result = sync.create_response(
        data, actor=user, channel=Channel.tablet, site_id=user.site_id, actor_label=actor_label
    )
    if result.status == sync.INVALID:
        raise ApiError(422, "The response is not valid.", result.errors, location="json")
    if result.status == sync.CONFLICT:
        raise ApiError(409, _CONFLICT, result.errors, location="json")
    response = _load_uuid(result.uuid)
    if result.status == sync.DUPLICATE and not can_see_site(user, response.site_id):
        raise ApiError(409, _CONFLICT, sync.CONFLICT_ERRORS, location="json")
    return response, result.status == sync.CREATED


def update_response(
    user: User, uuid: str, data: dict[str, Any], *, actor_label: str = ""
) -> Response:
    """Replace the answers of a response in progress; complete it when ``completed_at`` is set.

    The answers are validated by the survey engine against the response's own version,
    language and channel, as a whole (answers left out are removed).

    :raises ApiError: 404 unknown; 403 another site; 409 not in progress (completed or
        abandoned) or answered by SMS; 422 invalid answers or times.
    """
    response = _visible(user, uuid, "response.update_denied", actor_label=actor_label, lock=True)
    if response.status is not ResponseStatus.in_progress:
        _refuse(
            response,
            f"This response is {response.status.value}; only a response in progress "
            "can be changed.",
        )
    if response.channel is Channel.sms:
        _refuse(response, "This response is being answered by text message; it cannot be "
                "changed here.")  # fmt: skip
    completed_at: datetime | None = data["completed_at"]
    if completed_at is not None and completed_at < response.started_at:
        db.session.rollback()
        raise ApiError(
            422,
            "The response is not valid.",
            {"completed_at": ["The response cannot be completed before it started."]},
            location="json",
        )
    stored = response.survey_version
    ref = VersionRef(stored.survey_id, stored.id, stored.number, stored.content_hash)
    version = sync.LoadedVersion(ref, definition_of(ref))
    try:
        content = sync.check_content(
            version,
            language=response.language,
            started_at=response.started_at,
            completed_at=completed_at,
            answers=data["answers"],
            channel=response.channel.value,
        )
    except sync.InvalidContentError as exc:
        db.session.rollback()
        raise ApiError(422, "The response is not valid.", exc.errors, location="json") from None
    sync.put_answers(response, content)
    response.content_hash = content.content_hash
    response.updated_at = clock.now()
    if completed_at is not None:
        response.status = ResponseStatus.completed
        response.finished_at = completed_at
    record(
        "response.update",
        "response",
        response.id,
        actor_id=user.id,
        actor_label=actor_label,
        site_id=response.site_id,
        details={"answers": len(content.answers), "completed": completed_at is not None},
    )
    response_id = response.id
    db.session.commit()
    logger.info("response %s updated through the API", response_id)
    return _load(response_id)


_CONFLICT = sync.CONFLICT_ERRORS["uuid"][0]


def _visible(
    user: User, uuid: str, denied_action: str, *, actor_label: str, lock: bool = False
) -> Response:
    try:
        canonical = str(uuid_module.UUID(uuid))
    except ValueError:
        raise ApiError(404, "No response with this uuid.") from None
    query = select(Response).where(Response.uuid == canonical)
    if lock:
        query = query.with_for_update()
    response = db.session.scalar(query)
    if response is None:
        db.session.rollback()
        raise ApiError(404, "No response with this uuid.")
    if not can_see_site(user, response.site_id):
        record(
            denied_action,
            "response",
            response.id,
            actor_id=user.id,
            actor_label=actor_label,
            site_id=response.site_id,
        )
        db.session.commit()
        raise ApiError(403, "This response belongs to a site you do not have access to.")
    return response


def _refuse(response: Response, message: str) -> None:
    db.session.rollback()
    raise ApiError(409, message)


def _load(response_id: int) -> Response:
    return db.session.scalars(
        select(Response).options(*_RESPONSE_LOADS).where(Response.id == response_id)
    ).one()


def _load_uuid(uuid: str) -> Response:
    return db.session.scalars(
        select(Response).options(*_RESPONSE_LOADS).where(Response.uuid == uuid)
    ).one()


def _site_id_of(slug: str):
    return select(Site.id).where(Site.slug == slug).scalar_subquery()


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def _slice(query: Select, page: int, page_size: int, total: int) -> list[Any]:
    first = (page - 1) * page_size
    if first >= total:
        return []  # past the end (and no OFFSET too large for the database)
    return list(db.session.scalars(query.offset(first).limit(page_size)))


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
