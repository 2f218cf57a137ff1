"""Writing audit events."""

from __future__ import annotations

from typing import Any

from fieldscan.extensions import db
from fieldscan.models import AuditEvent


def record(
    action: str,
    object_type: str,
    object_id: object = None,
    *,
    actor_id: int | None = None,
    actor_label: str = "",
    site_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction and return it.

    ``details`` must never hold PHI (phone numbers, answer text, names of patients).
    """
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        actor_id=actor_id,
        actor_label=actor_label,
        site_id=site_id,
        details=details or {},
    )
    db.session.add(event)
    return event
