"""Staff review of an analysis run's clusters: a better name, whether it was checked, the
merges and splits staff made, and the terms they promoted into a taxonomy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
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


class ClusterEdit(db.Model):
    """One merge or split of a run's clusters, kept so it can be seen and undone.

    ``answer_ids`` are the answers whose ``answer_tags.cluster`` moved from ``cluster_id``
    to ``target_id``; ``before`` holds the run summary's descriptions of the clusters
    involved as they were (no answer text).
    """

    __tablename__ = "cluster_edits"
    __table_args__ = (Index("ix_cluster_edits_run_id", "run_id"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The run whose clusters changed.
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"))
    #: ``merge`` or ``split``.
    action: Mapped[str] = mapped_column(String(16))
    #: The cluster answers left, and the one they went to (a new one for a split).
    cluster_id: Mapped[int] = mapped_column()
    target_id: Mapped[int] = mapped_column()
    #: The split's phrase and the new cluster's name (None for a merge).
    phrase: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    #: The answers moved (ids only).
    answer_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: The summary descriptions of both clusters before the edit.
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Who made it, and when.
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TaxonomyOverlay(db.Model):
    """Terms staff promoted from a cluster into a taxonomy: a new theme, or more terms of
    an existing one. The next analysis run builds its taxonomy from the shipped files plus
    every row of its taxonomy id, in id order."""

    __tablename__ = "taxonomy_overlays"
    __table_args__ = (Index("ix_taxonomy_overlays_taxonomy_id", "taxonomy_id"),)

    #: Surrogate key (also the order the rows apply in).
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The taxonomy extended (``trusted_messenger``, ``resources``).
    taxonomy_id: Mapped[str] = mapped_column(String(64))
    #: The theme (label id) the terms signal.
    theme: Mapped[str] = mapped_column(String(64))
    #: The theme's name for people when this row created it (None: an existing theme).
    label: Mapped[str | None] = mapped_column(String(200))
    #: The terms, as written in the taxonomy files (``*`` wildcards allowed).
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The cluster they came from (the run may be gone since).
    run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_runs.id", ondelete="SET NULL"))
    cluster_id: Mapped[int | None] = mapped_column()
    #: Who promoted them, and when.
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
