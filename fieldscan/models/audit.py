"""The audit trail of reads and changes of patient data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """Who did what to which record, and when. Never holds the PHI itself."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: When it happened.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The staff member who acted, if any.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: Who acted when not a user: ``sms``, ``cli``, ``worker``, ``api-token:<id>``.
    actor_label: Mapped[str] = mapped_column(String(64), default="")
    #: What was done, as ``<object>.<verb>`` (``response.read``, ``respondent.opt_out``).
    action: Mapped[str] = mapped_column(String(64))
    #: The kind of record acted on (``response``, ``respondent``, ``user``).
    object_type: Mapped[str] = mapped_column(String(64))
    #: The record's id, as text.
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: The site the record belongs to, for per-site audit review.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    #: Non-PHI details (counts, field names, the request's address).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action}>"
