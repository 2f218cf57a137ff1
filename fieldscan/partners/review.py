"""Staff review of the matches between the organisations patients name and the registry.

The page lists the named entities of the newest analysis of each open question, counted in
the answers of the reader's sites, with their candidate partners (score and why), and stores
staff's decisions through :func:`fieldscan.partners.services.confirm_match` and
:func:`~fieldscan.partners.services.reject_match` (each audited). The stakeholder map reads
those decisions (:func:`fieldscan.partners.matching.stakeholder_map`).

Privacy, as on the stakeholder map and in the reports: an entity's name is listed only when
at least 11 respondents name it, or when it is an organisation (not a person) that matches a
registry partner, so a rarely named person never appears. Counts of 1 to 10 show as "<11".
Entities are referred to by an opaque reference (:func:`entity_ref`), never by name, in forms.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select, true

from fieldscan.analysis_jobs.services import latest_run
from fieldscan.extensions import db
from fieldscan.models import (
    Answer,
    AnswerTag,
    Partner,
    PartnerMatch,
    PartnerMatchStatus,
    Response,
    User,
)
from fieldscan.partners import matching, services
from fieldscan.reports.privacy import SMALL_CELL, standalone_count

#: The open questions whose named entities are reviewed (as in the reports).
QUESTIONS = ("trusted_messenger", "resources")
#: Most entities listed, most named first (the rest wait for a later review).
MAX_ENTITIES = 300
#: Candidate partners shown per entity.
CANDIDATES = 3


class ReviewError(ValueError):
    """A decision that cannot be stored (the page answers 400 or 404); ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ReviewCandidate:
    """A candidate partner as the page shows it."""

    partner: Partner
    candidate: matching.Candidate
    decision: str  # "confirmed", "rejected" or "" (no decision stored)
    editable: bool  # the reader may decide about this partner


@dataclass
class ReviewEntity:
    """A named entity to review."""

    ref: str
    name: str
    kinds: list[str]
    respondents: int | None  # None: 1..10, not shown
    status: str  # the match's status: suggested, confirmed, rejected
    partner_id: int | None  # the partner it counts as on the map (None: none)
    candidates: list[ReviewCandidate] = field(default_factory=list)


@dataclass
class MatchReview:
    """The review page's content."""

    entities: list[ReviewEntity]
    hidden: int  # entities not listed to protect privacy
    more: int  # entities left out beyond MAX_ENTITIES
    partners: list[Partner]  # the partners the reader may link an entity to by hand


def entity_ref(name: str) -> str:
    """An opaque, stable reference to an entity for forms and URLs (not its name)."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:20]


def _elements(column):
    """The JSON list ``column`` as a table of its text elements (column ``value``)."""
    if db.engine.dialect.name == "postgresql":
        return func.json_array_elements_text(column).table_valued("value").alias("element")
    return func.json_each(column).table_valued("value").alias("element")


def named_entities(site_ids: list[int] | None) -> list[dict]:
    """The entities of the newest runs, each with the respondents (of ``site_ids``; None:
    every site) naming it in either question: ``{"name", "kinds", "count"}``, most named
    first. One name is one entity (its kinds are those the runs gave it)."""
    runs = [run for run in (latest_run(q) for q in QUESTIONS) if run is not None and run.summary]
    if not runs:
        return []
    kinds: dict[str, list[str]] = defaultdict(list)
    for run in runs:
        for entity in run.summary.get("entities") or []:
            kind = str(entity.get("kind") or "")
            if kind not in kinds[entity["name"]]:
                kinds[entity["name"]].append(kind)
    element = _elements(AnswerTag.entities)
    query = (
        select(element.c.value, func.count(func.distinct(Response.id)))
        .select_from(AnswerTag)
        .join(element, true())
        .join(Answer, AnswerTag.answer_id == Answer.id)
        .join(Response, Answer.response_id == Response.id)
        .where(AnswerTag.run_id.in_([run.id for run in runs]))
        .group_by(element.c.value)
    )
    if site_ids is not None:
        query = query.where(Response.site_id.in_(site_ids or [-1]))
    found = [
        {"name": str(name), "kinds": kinds.get(str(name)) or [""], "count": int(n)}
        for name, n in db.session.execute(query)
        if n and str(name) in kinds
    ]
    return sorted(found, key=lambda e: (-e["count"], e["name"].casefold()))


def reviewable_partners(site_ids: list[int] | None) -> list[Partner]:
    """The registry partners the reader's stakeholder map uses: their sites' and the
    organisation-wide ones (every partner for those who see every site)."""
    query = select(Partner).order_by(Partner.name, Partner.id)
    if site_ids is not None:
        query = query.where(Partner.site_id.is_(None) | Partner.site_id.in_(site_ids))
    return list(db.session.scalars(query))


def may_decide(site_ids: list[int] | None, partner: Partner) -> bool:
    """Whether a reader seeing ``site_ids`` may confirm or reject matches to ``partner``:
    their own sites' partners; organisation-wide ones only for those who see every site
    (as in the registry, :func:`fieldscan.accounts.access.can_see_site`)."""
    if site_ids is None:
        return True
    return partner.site_id is not None and partner.site_id in site_ids


def _name_allowed(count: int, kinds: list[str], matched: bool) -> bool:
    """The privacy rule: 11 or more respondents, or an organisation matching a partner."""
    if count > SMALL_CELL:
        return True
    return matched and "person" not in kinds


def build_review(site_ids: list[int] | None) -> MatchReview:
    """The review page for a reader of ``site_ids`` (None: every site)."""
    partners = reviewable_partners(site_ids)
    by_id = {p.id: p for p in partners}
    decisions = list(db.session.scalars(select(PartnerMatch)))
    stored: dict[tuple[str, int], str] = {
        (row.entity_key, row.partner_id): row.status.value for row in decisions
    }
    entities, hidden = [], 0
    found = named_entities(site_ids)
    # One matching pass (partners prepared once); a name's first kind stands for it.
    matches = matching.match_entities(
        [{"name": e["name"], "kind": e["kinds"][0], "count": e["count"]} for e in found],
        partners,
        decisions,
    )
    prepared = matching.prepare_partners(partners)
    for entity, match in zip(found, matches, strict=True):
        if len(entities) == MAX_ENTITIES:
            break
        name, kinds, count = entity["name"], entity["kinds"], entity["count"]
        keys = [matching.entity_key(name, kind) for kind in kinds]
        ranked = matching.candidates(name, kinds[0], partners, limit=CANDIDATES, prepared=prepared)
        if match.partner_id is not None and all(c.partner_id != match.partner_id for c in ranked):
            # A partner linked by hand may score low: it is still shown, first.
            extra = matching.candidates(name, kinds[0], [by_id[match.partner_id]], floor=0.0)
            ranked = extra + ranked[: CANDIDATES - 1]
        matched = match.matched or any(
            c.score >= matching.SUGGEST_THRESHOLD
            or _decided(stored, keys, c.partner_id) == PartnerMatchStatus.confirmed.value
            for c in ranked
        )
        if not _name_allowed(count, kinds, matched):
            hidden += 1
            continue
        entities.append(
            ReviewEntity(
                ref=entity_ref(name),
                name=name,
                kinds=[k for k in kinds if k],
                respondents=standalone_count(count),
                status=match.status,
                partner_id=match.partner_id if match.matched else None,
                candidates=[
                    ReviewCandidate(
                        by_id[c.partner_id],
                        c,
                        _decided(stored, keys, c.partner_id),
                        may_decide(site_ids, by_id[c.partner_id]),
                    )
                    for c in ranked
                ],
            )
        )
    more = max(0, len(found) - len(entities) - hidden)
    editable = [p for p in partners if may_decide(site_ids, p)]
    return MatchReview(entities, hidden, more, editable)


def _decided(stored: dict[tuple[str, int], str], keys: list[str], partner_id: int) -> str:
    """The stored decision about an entity (any of its keys) and a partner ("" if none)."""
    for key in keys:
        if (key, partner_id) in stored:
            return stored[(key, partner_id)]
    return ""


def decide(
    site_ids: list[int] | None, ref: str, partner_id: int, action: str, actor: User
) -> Partner:
    """Confirm or reject (``action``) that the entity ``ref`` is partner ``partner_id``.

    Only an entity the reader's review lists (so one whose name they may see) and a partner
    they may decide about (:func:`may_decide`) are accepted; a confirmation may be any such
    partner (linking by hand). Each of the entity's kinds gets the decision, so the map
    honours it whichever question named it. Audited by the services; flushes, the caller
    commits.

    :raises ReviewError: ``action`` (unknown action), ``entity`` or ``partner`` (not one
        the reader may use).
    """
    if action not in {"confirm", "reject"}:
        raise ReviewError("action")
    review = build_review(site_ids)
    entity = next((e for e in review.entities if e.ref == ref), None)
    if entity is None:
        raise ReviewError("entity")
    partner = db.session.get(Partner, partner_id)
    if partner is None or not may_decide(site_ids, partner):
        raise ReviewError("partner")
    store = services.confirm_match if action == "confirm" else services.reject_match
    for kind in entity.kinds or [""]:
        store(entity.name, kind or None, partner, actor=actor)
    return partner
