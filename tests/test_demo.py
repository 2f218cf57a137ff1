"""The demo data set: loads once, every response is one the survey engine accepts."""

from __future__ import annotations

import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.instruments.services import definition_of
from fieldscan.models import Partner, Response, User
from fieldscan.survey import is_complete, validate_answer


def test_demo_loads_once_with_valid_responses(app, runner, loaded_surveys, tmp_path):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "demo data loaded" in result.output
    assert runner.invoke(args=["demo", "load"]).output.strip() == "demo data already loaded"
    responses = db.session.scalars(sa.select(Response)).all()
    assert len(responses) >= 200
    assert len({r.language for r in responses}) == 12
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Partner)) >= 10
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 3
    for response in responses[:60]:
        survey = definition_of(response.survey_version)
        answers = response.answer_values()
        assert is_complete(survey, answers, "web")
        for question_id, value in answers.items():
            if value is None or question_id in ("trusted_messenger", "resources"):
                continue
            result = validate_answer(
                survey, question_id, value, response.language, channel="web", answers=answers
            )
            assert result.ok, (question_id, value, result.error)


def test_demo_refuses_production(app, runner, loaded_surveys):
    app.config["FIELDSCAN_ENV"] = "production"
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "production" in result.output


def test_demo_needs_the_surveys(app, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "surveys load" in result.output
