"""Analysis runs over stored free-text answers, and the tags they give each answer."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, str_enum, utcnow


class RunStatus(enum.Enum):
    """Where an analysis run is."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class AnalysisRun(db.Model):
    """One analysis of every stored answer to one open question.

    Kept with the taxonomy version and the analysis code version that produced it, so a
    report can say what it was computed with; its fitted model tags later answers the same
    way (incrementally), keeping reports comparable over time.
    """

    __tablename__ = "analysis_runs"
    __table_args__ = (Index("ix_analysis_runs_question_status", "question_id", "status"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The open question analysed (``trusted_messenger``, ``resources`` ...).
    question_id: Mapped[str] = mapped_column(String(64))
    #: The taxonomy used, and its version.
    taxonomy_id: Mapped[str] = mapped_column(String(64))
    taxonomy_version: Mapped[str] = mapped_column(String(32), default="")
    #: ``analysis.__version__`` of the code that ran.
    code_version: Mapped[str] = mapped_column(String(32), default="")
    #: Where the run is.
    status: Mapped[RunStatus] = mapped_column(
        str_enum(RunStatus, "analysis_run_status"), default=RunStatus.queued
    )
    #: How many answers it analysed.
    answer_count: Mapped[int] = mapped_column(default=0)
    #: When it was asked for, started and finished.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why it failed (no answer text, ever).
    error: Mapped[str | None] = mapped_column(Text)
    #: Clusters and entities of the question (the analysis contract's per-question object,
    #: without the per-answer maps, which are in ``answer_tags``).
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The fitted analyzer (pickled by the analysis package), for incremental tagging.
    model: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    tags: Mapped[list[AnswerTag]] = relationship(back_populates="run", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<AnalysisRun {self.id} {self.question_id} {self.status.value}>"


class AnswerTag(db.Model):
    """What a run found in one answer: themes (primary first) and its cluster."""

    __tablename__ = "answer_tags"
    __table_args__ = (UniqueConstraint("run_id", "answer_id"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The run that tagged it.
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"))
    #: The answer tagged.
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    #: The primary theme and every theme, primary first.
    primary_theme: Mapped[str] = mapped_column(String(64))
    themes: Mapped[list[str]] = mapped_column(JSON)
    #: The cluster id within the run (-1: no cluster).
    cluster: Mapped[int] = mapped_column(default=-1)
    #: Names of the entities the answer names (as in the run's summary).
    entities: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: True when tagged after the run against its frozen model.
    incremental: Mapped[bool] = mapped_column(default=False)

    run: Mapped[AnalysisRun] = relationship(back_populates="tags")
