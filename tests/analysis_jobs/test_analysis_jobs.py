"""Analysis inside the app: a run over stored answers, versions kept, new answers tagged."""

from __future__ import annotations

import sqlalchemy as sa

from fieldscan.analysis_jobs import services
from fieldscan.extensions import db
from fieldscan.instruments.services import get_version
from fieldscan.jobs import work
from fieldscan.models import (
    AnalysisRun,
    Answer,
    AnswerTag,
    Channel,
    Response,
    ResponseStatus,
    RunStatus,
)

TEXTS = [
    "mi mamá",
    "my doctor at the clinic",
    "la iglesia",
    "facebook group",
    "idk",
    "my grandmother",
    "the school nurse",
    "el pastor de mi iglesia",
    "nadie",
    "bà ngoại",
]


def _store(texts: list[str], question: str = "trusted_messenger") -> None:
    version = get_version("children_scan")
    for text in texts:
        response = Response(
            survey_version=version,
            channel=Channel.sms,
            language="es",
            status=ResponseStatus.completed,
        )
        response.answers.append(
            Answer(question_id=question, value=text, raw_text=text, language="es")
        )
        db.session.add(response)
    db.session.commit()


def test_open_questions_come_from_the_survey_taxonomies(app, loaded_surveys):
    found = {(q.question_id, q.taxonomy_id) for q in services.open_questions()}
    assert found == {("trusted_messenger", "trusted_messenger"), ("resources", "resources")}


def test_run_tags_every_answer_and_keeps_versions(app, runner, loaded_surveys):
    _store(TEXTS)
    result = runner.invoke(args=["analysis", "run", "--question", "trusted_messenger"])
    assert result.exit_code == 0, result.output
    run = db.session.scalars(sa.select(AnalysisRun)).one()
    assert run.status is RunStatus.done and run.answer_count == len(TEXTS)
    assert run.taxonomy_version and run.code_version
    assert {"clusters", "entities"} <= set(run.summary)
    tags = {t.answer_id: t for t in db.session.scalars(sa.select(AnswerTag))}
    assert len(tags) == len(TEXTS)
    by_text = {db.session.get(Answer, a).value: t for a, t in tags.items()}
    assert by_text["mi mamá"].primary_theme == "family"
    assert by_text["idk"].primary_theme == "none"
    assert not any(t.incremental for t in tags.values())


def test_new_answers_are_tagged_against_the_frozen_model(app, loaded_surveys):
    _store(TEXTS)
    run = services.execute(services.queue_run("trusted_messenger"))
    _store(["mi abuela", "the pastor"])
    assert services.tag_new_answers("trusted_messenger") == 2
    assert services.tag_new_answers("trusted_messenger") == 0  # nothing tagged twice
    new = db.session.scalars(sa.select(AnswerTag).where(AnswerTag.incremental.is_(True))).all()
    assert {t.run_id for t in new} == {run.id}
    assert {t.primary_theme for t in new} == {"family", "faith"}


def test_worker_runs_queued_analyses(app, runner, loaded_surveys):
    _store(TEXTS)
    runner.invoke(args=["analysis", "run", "--queue-only"])
    assert work.run_analysis() == 2
    statuses = db.session.scalars(sa.select(AnalysisRun.status)).all()
    assert statuses == [RunStatus.done, RunStatus.done]
    assert "never analysed" not in runner.invoke(args=["analysis", "status"]).output


def test_unknown_question_is_refused(app, runner, loaded_surveys):
    result = runner.invoke(args=["analysis", "run", "--question", "nope"])
    assert result.exit_code != 0 and "nope" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalysisRun)) == 0


def test_if_missing_runs_once(app, runner, loaded_surveys):
    _store(TEXTS)
    assert runner.invoke(args=["analysis", "run", "--if-missing"]).exit_code == 0
    again = runner.invoke(args=["analysis", "run", "--if-missing"])
    assert again.exit_code == 0 and "analysed before" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalysisRun)) == 2
