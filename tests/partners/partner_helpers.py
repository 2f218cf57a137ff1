"""Helpers and sample files of the partner registry tests."""

from __future__ import annotations

import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.models import AuditEvent, Partner

ORGANIZATIONS_CSV = (
    "id,name,alternate_name,description,email,url,tax_status\r\n"
    "org-1,Oak Hollow Food Bank,Banco de Comida de Oak Hollow,Groceries every week,"
    "hello@oakhollowfood.example,https://oakhollowfood.example,501c3\r\n"
    "org-2,Lark Valley Family Resource Center,LVFRC,Help for families,,,\r\n"
    'org-3,"Saint Brigid\'s Parish",,"A parish, with a pantry",,,\r\n'
)
SERVICES_CSV = (
    "id,organization_id,program_id,name,alternate_name,description,status,taxonomy\r\n"
    "svc-1,org-1,,Emergency Food Pantry,,Bags of food,active,Food Pantries\r\n"
    "svc-2,org-1,,Tax preparation help,,Free tax help,active,\r\n"
    "svc-3,org-2,,Parenting Classes,,Weekly classes,active,Parenting Education\r\n"
    "svc-4,org-2,,Car Seat Checks,,By appointment,active,\r\n"
    "svc-5,org-2,,Rental Assistance,,One-time help,inactive,\r\n"
    "svc-6,org-3,,Sunday meals,,Lunch after mass,active,\r\n"
)


def audits(action: str) -> list[AuditEvent]:
    """The audit events of ``action``, oldest first."""
    query = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def partners_named() -> dict[str, Partner]:
    """Every stored partner by name."""
    db.session.expire_all()
    return {p.name: p for p in db.session.scalars(sa.select(Partner))}
