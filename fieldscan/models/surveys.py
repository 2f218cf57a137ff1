"""Surveys and their immutable versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, utcnow


class Survey(db.Model):
    """A survey instrument, identified by the id in its definition file."""

    __tablename__ = "surveys"

    #: The definition's id (``children_scan``).
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The English title of the latest version, for listings.
    title: Mapped[str] = mapped_column(String(300))
    #: Where the definition came from (``surveys/children_scan.yaml``, ``xlsform:...``).
    source: Mapped[str] = mapped_column(String(500), default="")
    #: Archived surveys are not offered for new responses.
    archived: Mapped[bool] = mapped_column(default=False)
    #: When the survey was first loaded.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number"
    )

    @property
    def current_version(self) -> SurveyVersion | None:
        """The newest version, which new responses are answered on."""
        return self.versions[-1] if self.versions else None

    def __repr__(self) -> str:
        return f"<Survey {self.id}>"


class SurveyVersion(db.Model):
    """One immutable content of a survey; every response points at the one it was answered on."""

    __tablename__ = "survey_versions"
    __table_args__ = (
        UniqueConstraint("survey_id", "number"),
        UniqueConstraint("survey_id", "content_hash"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The survey this is a version of.
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id"), index=True)
    #: 1, 2, 3 ... in the order versions were loaded.
    number: Mapped[int]
    #: SHA-256 of the canonical JSON of ``content``.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: When this version was loaded.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The resolved definition (every text in every shipped language), as JSON. Deferred:
    #: it is large and immutable, so readers parse it once per process (by id and hash).
    #: Kept as the last column: SQLite reads a row's columns in order.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)

    survey: Mapped[Survey] = relationship(back_populates="versions")

    def __repr__(self) -> str:
        return f"<SurveyVersion {self.survey_id} v{self.number}>"


@event.listens_for(SurveyVersion, "before_update")
def _refuse_version_update(_mapper, _connection, target: SurveyVersion) -> None:
    # A response's meaning depends on the exact wording it was answered on.
    raise ValueError(f"survey version {target.survey_id} v{target.number} is immutable")
