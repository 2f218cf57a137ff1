"""The partner registry behind the stakeholder map."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm import relationship as orm_relationship

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, str_enum, utcnow
from fieldscan.models.sites import Site


class PartnerRelationship(enum.Enum):
    """Where the health center stands with an organisation."""

    current = "current"
    prospective = "prospective"


class Partner(db.Model):
    """A community organisation on the stakeholder map."""

    __tablename__ = "partners"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organisation's name.
    name: Mapped[str] = mapped_column(String(300))
    #: What kind of organisation (``school``, ``food_assistance``, ``doula`` ...).
    kind: Mapped[str] = mapped_column(String(64))
    #: The services it offers, as values of the partner inventory's ``services`` question.
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Current or prospective partner.
    relationship: Mapped[PartnerRelationship] = mapped_column(
        str_enum(PartnerRelationship, "partner_relationship"),
        default=PartnerRelationship.prospective,
    )
    #: Whether a memorandum of understanding is in place.
    mou: Mapped[bool] = mapped_column(default=False)
    #: Data sharing under the California Data Exchange Framework (inventory's ``dxf`` value).
    dxf: Mapped[str | None] = mapped_column(String(32))
    #: Other names patients use for it (for matching answers to the registry).
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Free notes by staff.
    notes: Mapped[str | None] = mapped_column(Text)
    #: The site whose map it belongs to; None for organisation-wide partners.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    #: When the partner was added.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Last change.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    site: Mapped[Site | None] = orm_relationship()

    def __repr__(self) -> str:
        return f"<Partner {self.id}>"
