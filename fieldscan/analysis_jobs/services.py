"""Running the pure :mod:`analysis` package over stored answers and keeping its results.

A run analyses every answer to one open question, stores what it found per answer
(``answer_tags``) and the question's clusters and entities (``analysis_runs.summary``) with
the taxonomy and code versions, and keeps the fitted analyzer so that answers arriving
later are tagged against the same frozen model (reports stay comparable between runs).
"""

from __future__ import annotations

import logging
import pickle  # noqa: S403 - the model is written and read only by this module, in our DB
from dataclasses import dataclass

from sqlalchemy import select

from fieldscan import clock
from fieldscan.audit.services import record as audit
from fieldscan.extensions import db
from fieldscan.instruments.services import current_versions, definition_of
from fieldscan.models import (
    AnalysisRun,
    Answer,
    AnswerTag,
    Response,
    RunStatus,
    Site,
)
from fieldscan.reports import rollups

logger = logging.getLogger(__name__)


class AnalysisJobError(RuntimeError):
    """An analysis cannot run as asked (unknown question or taxonomy)."""


@dataclass(frozen=True)
class OpenQuestion:
    """An open question some loaded survey asks, and the taxonomy it feeds."""

    question_id: str
    taxonomy_id: str


def open_questions() -> list[OpenQuestion]:
    """Every open question of the loaded surveys that names a taxonomy."""
    found: dict[str, str] = {}
    for version in current_versions(include_archived=True):
        for question_id, taxonomy_id in definition_of(version).taxonomies().items():
            found.setdefault(question_id, taxonomy_id)
    return [OpenQuestion(q, t) for q, t in sorted(found.items())]


def _taxonomy(taxonomy_id: str):
    """The shipped taxonomy plus the themes and terms staff promoted into it (its version
    then reads ``<file version>+staff.<n>``)."""
    from analysis import default_taxonomies
    from fieldscan.reports.taxonomy_overlay import with_overlay

    taxonomies = default_taxonomies()
    if taxonomy_id not in taxonomies:
        raise AnalysisJobError(f"no taxonomy {taxonomy_id!r} (known: {', '.join(taxonomies)})")
    return with_overlay(taxonomies[taxonomy_id])


def _records(question_id: str, exclude_tagged_by: int | None = None) -> list[dict]:
    query = (
        select(Answer.id, Answer.value, Response.language, Response.channel, Site.slug)
        .join(Response, Answer.response_id == Response.id)
        .outerjoin(Site, Response.site_id == Site.id)
        .where(Answer.question_id == question_id, Answer.value.is_not(None))
        .order_by(Answer.id)
    )
    if exclude_tagged_by is not None:
        tagged = select(AnswerTag.answer_id).where(AnswerTag.run_id == exclude_tagged_by)
        query = query.where(Answer.id.not_in(tagged))
    records = []
    for answer_id, value, language, channel, site in db.session.execute(query):
        if isinstance(value, str) and value.strip():
            records.append(
                {
                    "id": str(answer_id),
                    "question": question_id,
                    "text": value,
                    "language": language,
                    "site": site or "",
                    "channel": channel.value,
                }
            )
    return records


def queue_run(question_id: str) -> AnalysisRun:
    """Ask for a new analysis of ``question_id`` (run by the worker). Commits."""
    question = next((q for q in open_questions() if q.question_id == question_id), None)
    if question is None:
        raise AnalysisJobError(f"no loaded survey asks an open question {question_id!r}")
    run = AnalysisRun(question_id=question_id, taxonomy_id=question.taxonomy_id)
    db.session.add(run)
    db.session.commit()
    return run


def execute(run: AnalysisRun) -> AnalysisRun:
    """Analyse every stored answer of the run's question and keep the results. Commits.

    A failure marks the run failed with the error's type (never answer text).
    """
    import analysis
    from analysis import ScanAnalyzer

    run.status, run.started_at = RunStatus.running, clock.now()
    db.session.commit()
    try:
        taxonomy = _taxonomy(run.taxonomy_id)
        records = _records(run.question_id)
        analyzer = ScanAnalyzer(taxonomy=taxonomy, random_state=0).fit(records)
        result = analyzer.to_dict()
        _store_tags(run, result, incremental=False)
        rollups.rebuild(run)  # the report counts, in the transaction that stores the tags
        run.summary = {"clusters": result["clusters"], "entities": result["entities"]}
        run.model = pickle.dumps(analyzer, protocol=pickle.HIGHEST_PROTOCOL)
        run.taxonomy_version = str(taxonomy.version)
        run.code_version = analysis.__version__
        run.answer_count = len(records)
        run.status, run.finished_at = RunStatus.done, clock.now()
        audit(
            "analysis.run",
            "analysis_run",
            run.id,
            actor_label="worker",
            details={"question": run.question_id, "answers": len(records)},
        )
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        run.status, run.finished_at = RunStatus.failed, clock.now()
        run.error = f"{type(error).__name__}"
        db.session.commit()
        logger.exception("analysis run %s failed", run.id)
    return run


def _store_tags(run: AnalysisRun, result: dict, incremental: bool) -> int:
    entities_by_answer: dict[str, list[str]] = {}
    if isinstance(result.get("entities"), list):
        for entity in result["entities"]:
            for answer_id in entity["answer_ids"]:
                entities_by_answer.setdefault(str(answer_id), []).append(entity["name"])
    else:  # transform(): {answer id: [entity names]}
        entities_by_answer = {str(k): list(v) for k, v in (result.get("entities") or {}).items()}
    rows = [
        {
            "run_id": run.id,
            "answer_id": int(answer_id),
            "primary_theme": themes[0],
            "themes": list(themes),
            "cluster": int(result["assignments"].get(answer_id, -1)),
            "entities": entities_by_answer.get(str(answer_id), []),
            "incremental": incremental,
        }
        for answer_id, themes in result["themes"].items()
    ]
    if rows:
        db.session.execute(AnswerTag.__table__.insert(), rows)
    return len(rows)


def latest_run(question_id: str) -> AnalysisRun | None:
    """The newest finished run of ``question_id``."""
    return db.session.scalars(
        select(AnalysisRun)
        .where(AnalysisRun.question_id == question_id, AnalysisRun.status == RunStatus.done)
        .order_by(AnalysisRun.id.desc())
        .limit(1)
    ).first()


def tag_new_answers(question_id: str) -> int:
    """Tag answers stored after the newest run against its frozen model. Commits."""
    run = latest_run(question_id)
    if run is None or run.model is None:
        return 0
    records = _records(question_id, exclude_tagged_by=run.id)
    if not records:
        return 0
    analyzer = pickle.loads(run.model)  # noqa: S301 - our own model, from our own database
    result = analyzer.transform(records)
    count = _store_tags(run, result, incremental=True)
    rollups.add_answers(run, [int(answer_id) for answer_id in result["themes"]])
    db.session.commit()
    return count


def run_pending() -> list[AnalysisRun]:
    """Execute queued runs (oldest first), then tag new answers of every analysed question."""
    done = []
    for run in db.session.scalars(
        select(AnalysisRun).where(AnalysisRun.status == RunStatus.queued).order_by(AnalysisRun.id)
    ).all():
        done.append(execute(run))
    for question in open_questions():
        tag_new_answers(question.question_id)
    return done
