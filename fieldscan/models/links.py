"""One-time survey links for patients who answer on their own phone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, utcnow
from fieldscan.models.sites import Site


class PatientLink(db.Model):
    """A tokenized link: one respondent, one survey, one language, used once, expires."""

    __tablename__ = "patient_links"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the random token in the URL (the token itself is never stored).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The survey the link opens (its newest version when opened).
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id"))
    #: The language the patient reads it in.
    language: Mapped[str] = mapped_column(String(16))
    #: The site the response will belong to.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    #: The staff member who made the link (None from the command line).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The respondent it is for (created with the link; anonymous).
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondents.id"))
    #: When it was made and when it stops working.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the patient submitted (the link works once).
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The response submitted through it.
    response_uuid: Mapped[str | None] = mapped_column(String(36))

    site: Mapped[Site | None] = relationship()

    def __repr__(self) -> str:
        return f"<PatientLink {self.id}>"
