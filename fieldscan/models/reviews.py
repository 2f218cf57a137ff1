"""Staff review of an analysis run's clusters: a better name, and whether it was checked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, utcnow


class ClusterReview(db.Model):
    """What staff decided about one cluster of one run (the run's summary stays untouched)."""

    __tablename__ = "cluster_reviews"
    __table_args__ = (UniqueConstraint("run_id", "cluster_id"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The run, and the cluster's id within it.
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"))
    cluster_id: Mapped[int] = mapped_column()
    #: The name staff gave it (None: the analysis's label).
    name: Mapped[str | None] = mapped_column(String(200))
    #: Whether staff checked that the cluster holds what its name says.
    verified: Mapped[bool] = mapped_column(default=False)
    #: Who changed it last, and when.
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
