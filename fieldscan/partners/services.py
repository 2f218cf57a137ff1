"""The partner registry's rules: listing, saving, importing, confirming matches.

Writes flush and add their audit event; the caller (a view, a command) commits once.
Audit details name the fields changed and counts, never values.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from fieldscan.audit.services import record
from fieldscan.extensions import db
from fieldscan.models import (
    Partner,
    PartnerMatch,
    PartnerMatchStatus,
    PartnerRelationship,
    Site,
    User,
)
from fieldscan.models._base import utcnow
from fieldscan.partners import inventory
from fieldscan.partners.hsds import MAX_NAME, HsdsOrganization
from fieldscan.partners.matching import entity_key, fold

logger = logging.getLogger(__name__)

#: The fields a registry form edits, in the order audit events list them.
FIELDS = ("name", "kind", "services", "relationship", "mou", "dxf", "aliases", "notes", "site_id")
#: Most aliases one partner keeps.
MAX_ALIASES = 50
#: Longest notes kept.
MAX_NOTES = 10_000


class PartnerError(ValueError):
    """Partner data that cannot be saved; ``code`` says why, ``field`` which field."""

    def __init__(self, message: str, code: str, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.field = field


# --- reading ------------------------------------------------------------------------------


def list_partners(
    site_ids: list[int] | None,
    *,
    site_id: int | None = None,
    organisation_wide: bool = False,
    kind: str | None = None,
    relationship: str | None = None,
) -> list[Partner]:
    """The partners whose site is in ``site_ids`` (None: every site), filtered, by name.

    A partner without a site (organisation-wide) is listed only for those who see every
    site, like every record without a site (:func:`fieldscan.accounts.access.can_see_site`).
    """
    query = select(Partner).order_by(Partner.name, Partner.id)
    if site_ids is not None:
        query = query.where(Partner.site_id.in_(site_ids))
    if organisation_wide:
        query = query.where(Partner.site_id.is_(None))
    elif site_id is not None:
        query = query.where(Partner.site_id == site_id)
    if kind:
        query = query.where(Partner.kind == kind)
    if relationship:
        query = query.where(Partner.relationship == PartnerRelationship(relationship))
    return list(db.session.scalars(query))


def get_partner(partner_id: int) -> Partner | None:
    """The partner with this id, if any."""
    return db.session.get(Partner, partner_id)


def visible_sites(site_ids: list[int] | None) -> list[Site]:
    """The sites in ``site_ids`` (None: every site), by name."""
    query = select(Site).order_by(Site.name, Site.slug)
    if site_ids is not None:
        query = query.where(Site.id.in_(site_ids))
    return list(db.session.scalars(query))


def site_by_slug(slug: str) -> Site | None:
    """The site with this slug, if any."""
    return db.session.scalar(select(Site).where(Site.slug == slug))


# --- saving -------------------------------------------------------------------------------


def clean_aliases(aliases: Iterable[str]) -> list[str]:
    """Trimmed, single-spaced, without blanks or repeats (compared case-insensitively)."""
    seen: set[str] = set()
    cleaned = []
    for alias in aliases:
        alias = " ".join((alias or "").split())
        key = alias.casefold()
        if alias and key not in seen:
            seen.add(key)
            cleaned.append(alias)
    return cleaned


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalize registry fields.

    :raises PartnerError: the first field that cannot be saved.
    """
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        raise PartnerError("a partner needs a name", "name_required", "name")
    if len(name) > MAX_NAME:
        raise PartnerError(f"the name is longer than {MAX_NAME} characters", "name_long", "name")
    kind = data.get("kind") or ""
    if kind not in inventory.values(inventory.KIND_QUESTION):
        raise PartnerError(f"kind {kind!r} is not an inventory kind", "bad_kind", "kind")
    known_services = inventory.values(inventory.SERVICES_QUESTION)
    services = list(dict.fromkeys(data.get("services") or []))
    unknown = [s for s in services if s not in known_services]
    if unknown:
        raise PartnerError(f"unknown services: {', '.join(unknown)}", "bad_service", "services")
    try:
        relationship = PartnerRelationship(
            getattr(data.get("relationship"), "value", data.get("relationship")) or "prospective"
        )
    except ValueError:
        raise PartnerError("relationship is current or prospective", "bad_relationship") from None
    dxf = data.get("dxf") or None
    if dxf is not None and dxf not in inventory.values(inventory.DXF_QUESTION):
        raise PartnerError(f"DxF status {dxf!r} is not an inventory value", "bad_dxf", "dxf")
    aliases = clean_aliases(data.get("aliases") or [])
    if len(aliases) > MAX_ALIASES or any(len(a) > MAX_NAME for a in aliases):
        raise PartnerError("too many or too long aliases", "aliases_long", "aliases")
    notes = (data.get("notes") or "").strip() or None
    if notes is not None and len(notes) > MAX_NOTES:
        raise PartnerError(f"notes are longer than {MAX_NOTES} characters", "notes_long", "notes")
    return {
        "name": name,
        "kind": kind,
        "services": [s for s in known_services if s in services],
        "relationship": relationship,
        "mou": bool(data.get("mou")),
        "dxf": dxf,
        "aliases": aliases,
        "notes": notes,
        "site_id": data.get("site_id"),
    }


def _check_site(site_id: int | None, allowed_site_ids: list[int] | None) -> None:
    if allowed_site_ids is None:
        if site_id is not None and db.session.get(Site, site_id) is None:
            raise PartnerError(f"site {site_id} does not exist", "bad_site", "site")
        return
    if site_id is None or site_id not in allowed_site_ids:
        raise PartnerError("you cannot place a partner at this site", "site_forbidden", "site")


def _actor(actor: User | None, actor_label: str) -> dict[str, Any]:
    return {"actor_id": actor.id if actor else None, "actor_label": "" if actor else actor_label}


def create_partner(
    data: Mapping[str, Any],
    *,
    allowed_site_ids: list[int] | None,
    actor: User | None = None,
    actor_label: str = "",
) -> Partner:
    """Add a partner to the registry, audited as ``partner.create``; flushes.

    :param data: the fields of :data:`FIELDS` (``site_id`` None: organisation-wide).
    :param allowed_site_ids: the sites the actor may place partners at (None: any, or none).
    :raises PartnerError: a field that cannot be saved.
    """
    values = _clean(data)
    _check_site(values["site_id"], allowed_site_ids)
    partner = Partner(**values)
    db.session.add(partner)
    db.session.flush()
    record(
        "partner.create",
        "partner",
        partner.id,
        site_id=partner.site_id,
        details={"fields": [f for f in FIELDS if _is_set(getattr(partner, f))]},
        **_actor(actor, actor_label),
    )
    logger.info("partner %s created", partner.id)
    return partner


def _is_set(value: Any) -> bool:
    return value not in (None, "", [], False)


def update_partner(
    partner: Partner,
    data: Mapping[str, Any],
    *,
    allowed_site_ids: list[int] | None,
    actor: User | None = None,
    actor_label: str = "",
) -> list[str]:
    """Change a partner, audited as ``partner.update`` with the changed field names; flushes.

    :return: the names of the fields that changed (the event is written even when none).
    :raises PartnerError: a field that cannot be saved.
    """
    values = _clean(data)
    _check_site(values["site_id"], allowed_site_ids)
    changed = [name for name in FIELDS if getattr(partner, name) != values[name]]
    for name in changed:
        setattr(partner, name, values[name])
    db.session.flush()
    record(
        "partner.update",
        "partner",
        partner.id,
        site_id=partner.site_id,
        details={"fields": changed},
        **_actor(actor, actor_label),
    )
    logger.info("partner %s updated (%s)", partner.id, ", ".join(changed) or "no change")
    return changed


# --- HSDS import --------------------------------------------------------------------------

#: The part of a partner's notes an import writes (and replaces on the next import).
NOTES_START = "[Resource directory import]"
NOTES_END = "[End of resource directory import]"
_NOTES_BLOCK = re.compile(re.escape(NOTES_START) + r".*?" + re.escape(NOTES_END), re.DOTALL)


def _notes_block(org: HsdsOrganization) -> str:
    lines = []
    if org.unmatched_services:
        lines.append("Other services listed: " + "; ".join(org.unmatched_services))
    if org.url:
        lines.append(f"Website: {org.url}")
    if org.email:
        lines.append(f"E-mail: {org.email}")
    if not lines:
        return ""
    return "\n".join([NOTES_START, f"Directory id: {org.id}", *lines, NOTES_END])


def merge_notes(notes: str | None, block: str) -> str | None:
    """Staff ``notes`` with the import's block put in (replacing an earlier one, if any)."""
    staff = _NOTES_BLOCK.sub("", notes or "").strip()
    merged = "\n\n".join(part for part in (staff, block) if part)
    return merged or None


@dataclass
class ImportReport:
    """What an HSDS import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    services_mapped: int = 0
    services_unmatched: int = 0
    #: ``(action, organisation name)`` per organisation: ``create``, ``update``, ``unchanged``.
    actions: list[tuple[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The counts, for the audit event and messages."""
        return {
            "organizations": len(self.actions),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "services_mapped": self.services_mapped,
            "services_unmatched": self.services_unmatched,
        }


def _scope(site_id: int | None):
    if site_id is None:
        return Partner.site_id.is_(None)
    return Partner.site_id == site_id


def _import_values(org: HsdsOrganization, existing: Partner | None) -> dict[str, Any]:
    """The registry fields an organisation sets; staff's own choices are kept on update."""
    if existing is None:
        return {
            "name": org.name,
            "kind": org.kind,
            "services": org.service_values,
            "aliases": clean_aliases(a for a in org.alternate_names if a != org.name),
            "notes": merge_notes(None, _notes_block(org)),
            "external_id": org.id,
        }
    known = inventory.values(inventory.SERVICES_QUESTION)
    services = set(existing.services or []) | set(org.service_values)
    aliases = list(existing.aliases or [])
    if fold(existing.name) != fold(org.name):
        aliases.append(existing.name)  # the name staff knew it by still matches answers
    aliases = clean_aliases([*aliases, *org.alternate_names])
    aliases = [a for a in aliases if fold(a) != fold(org.name)]
    guessed = org.kind
    return {
        "name": org.name,
        "kind": guessed if existing.kind == "other" and guessed != "other" else existing.kind,
        "services": [s for s in known if s in services],
        "aliases": aliases,
        "notes": merge_notes(existing.notes, _notes_block(org)),
        "external_id": org.id,
    }


def import_hsds(
    organizations: list[HsdsOrganization],
    *,
    site: Site | None = None,
    relationship: PartnerRelationship | str = PartnerRelationship.prospective,
    dry_run: bool = False,
    actor: User | None = None,
    actor_label: str = "",
) -> ImportReport:
    """Add or update a partner per directory organisation, audited as ``partners.import``.

    An organisation is the partner (at the same site, or organisation-wide when ``site`` is
    None) that has its directory id, else the one with the same name (folded) that has no
    directory id yet; otherwise a new partner. New partners get ``relationship``; an update
    keeps staff's relationship, MOU, DxF status, kind (unless ``other``), services (the
    directory's are added), aliases (the directory's alternate names are added) and notes
    (the import's block is replaced). Flushes; in a dry run nothing is written.
    """
    relationship = PartnerRelationship(getattr(relationship, "value", relationship))
    site_id = site.id if site is not None else None
    in_scope = list(db.session.scalars(select(Partner).where(_scope(site_id))))
    by_external = {p.external_id: p for p in in_scope if p.external_id}
    by_name: dict[str, list[Partner]] = {}
    for partner in in_scope:
        if not partner.external_id:
            by_name.setdefault(fold(partner.name), []).append(partner)

    report = ImportReport()
    claimed: set[int] = set()
    for org in organizations:
        report.services_mapped += sum(1 for s in org.services if s.active and s.values)
        report.services_unmatched += len(org.unmatched_services)
        existing = by_external.get(org.id)
        if existing is None:
            candidates = [p for p in by_name.get(fold(org.name), []) if p.id not in claimed]
            existing = candidates[0] if len(candidates) == 1 else None
        values = _import_values(org, existing)
        if existing is None:
            report.created += 1
            report.actions.append(("create", org.name))
            if not dry_run:
                partner = Partner(**values, relationship=relationship, site_id=site_id)
                db.session.add(partner)
            continue
        claimed.add(existing.id)
        changed = [name for name, value in values.items() if getattr(existing, name) != value]
        if changed:
            report.updated += 1
            report.actions.append(("update", org.name))
            if not dry_run:
                for name in changed:
                    setattr(existing, name, values[name])
        else:
            report.unchanged += 1
            report.actions.append(("unchanged", org.name))
    if not dry_run:
        db.session.flush()
        record(
            "partners.import",
            "partner",
            None,
            site_id=site_id,
            details={"format": "hsds", **report.counts()},
            **_actor(actor, actor_label),
        )
        logger.info("HSDS import: %s", report.counts())
    return report


# --- matches ------------------------------------------------------------------------------


def confirmations(partner_ids: Iterable[int] | None = None) -> list[PartnerMatch]:
    """Staff's match decisions (for :func:`fieldscan.partners.matching.stakeholder_map`)."""
    query = select(PartnerMatch).order_by(PartnerMatch.id)
    if partner_ids is not None:
        query = query.where(PartnerMatch.partner_id.in_(list(partner_ids)))
    return list(db.session.scalars(query))


def _decide(
    entity_name: str,
    entity_kind: str | None,
    partner: Partner,
    status: PartnerMatchStatus,
    actor: User | None,
    actor_label: str,
) -> PartnerMatch:
    key = entity_key(entity_name, entity_kind)
    row = db.session.scalar(
        select(PartnerMatch).where(
            PartnerMatch.entity_key == key, PartnerMatch.partner_id == partner.id
        )
    )
    if row is None:
        row = PartnerMatch(entity_key=key, partner_id=partner.id)
        db.session.add(row)
    row.entity_name = " ".join(entity_name.split())[:MAX_NAME]
    row.status = status
    row.confirmed_by_id = actor.id if actor else None
    row.confirmed_at = utcnow()
    if status is PartnerMatchStatus.confirmed:
        # An entity is one organisation: confirming it as this partner refuses the others.
        others = db.session.scalars(
            select(PartnerMatch).where(
                PartnerMatch.entity_key == key,
                PartnerMatch.partner_id != partner.id,
                PartnerMatch.status == PartnerMatchStatus.confirmed,
            )
        )
        for other in others:
            other.status = PartnerMatchStatus.rejected
    db.session.flush()
    record(
        f"partner_match.{'confirm' if status is PartnerMatchStatus.confirmed else 'reject'}",
        "partner_match",
        row.id,
        site_id=partner.site_id,
        details={"partner_id": partner.id},
        **_actor(actor, actor_label),
    )
    return row


def confirm_match(
    entity_name: str,
    entity_kind: str | None,
    partner: Partner,
    *,
    actor: User | None = None,
    actor_label: str = "",
) -> PartnerMatch:
    """Record that the entity patients name is ``partner`` (audited); flushes.

    Any other partner confirmed for the same entity becomes rejected.
    """
    return _decide(
        entity_name, entity_kind, partner, PartnerMatchStatus.confirmed, actor, actor_label
    )


def reject_match(
    entity_name: str,
    entity_kind: str | None,
    partner: Partner,
    *,
    actor: User | None = None,
    actor_label: str = "",
) -> PartnerMatch:
    """Record that the entity is not ``partner``: it is never suggested again (audited)."""
    return _decide(
        entity_name, entity_kind, partner, PartnerMatchStatus.rejected, actor, actor_label
    )
