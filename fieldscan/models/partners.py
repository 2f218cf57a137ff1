"""The partner registry behind the stakeholder map."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm import relationship as orm_relationship

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, str_enum, utcnow
from fieldscan.models.sites import Site
from fieldscan.models.users import User


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
    #: Its id in the resource directory it was imported from (HSDS ``organizations.id``), so
    #: importing the directory again updates it.
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    #: The site whose map it belongs to; None for organisation-wide partners.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    #: When the partner was added.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Last change.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    site: Mapped[Site | None] = orm_relationship()

    def __repr__(self) -> str:
        return f"<Partner {self.id}>"


class PartnerMatchStatus(enum.Enum):
    """What staff said about a suggested match."""

    confirmed = "confirmed"
    rejected = "rejected"


class PartnerMatch(db.Model):
    """Staff's decision that an organisation patients name is (or is not) a partner."""

    __tablename__ = "partner_matches"
    __table_args__ = (UniqueConstraint("entity_key", "partner_id"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The entity's normalized name and kind (:func:`fieldscan.partners.matching.entity_key`).
    entity_key: Mapped[str] = mapped_column(String(400), index=True)
    #: The entity's name as the analysis reported it, for display.
    entity_name: Mapped[str] = mapped_column(String(300))
    #: The partner confirmed or rejected.
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    #: Confirmed or rejected.
    status: Mapped[PartnerMatchStatus] = mapped_column(
        str_enum(PartnerMatchStatus, "partner_match_status")
    )
    #: Who decided.
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: When.
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = orm_relationship()
    confirmed_by: Mapped[User | None] = orm_relationship()

    def __repr__(self) -> str:
        return f"<PartnerMatch {self.id} {self.status.value}>"
