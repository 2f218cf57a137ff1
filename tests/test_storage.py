"""Storage: schema, migrations, SQLite pragmas, encrypted phone numbers, immutability."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from fieldscan.extensions import db
from fieldscan.models import Answer, Channel, Response, ResponseStatus, SurveyVersion
from fieldscan.respondents import services as respondents
from fieldscan.respondents.services import InvalidPhoneNumberError

PHONE = "+14155550134"


def test_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app, db_backend):
    if db_backend != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_phone_is_stored_encrypted_and_found_by_any_spelling(app, db_backend, database_url):
    created = respondents.get_or_create_by_phone("(415) 555-0134", language="es")
    db.session.commit()
    assert respondents.find_by_phone("+1 415 555 0134").id == created.id
    assert respondents.get_or_create_by_phone("415.555.0134").id == created.id
    assert respondents.phone_of(created) == PHONE

    row = db.session.execute(sa.text("SELECT phone_ciphertext, phone_hash FROM respondents")).one()
    assert PHONE.encode() not in bytes(row.phone_ciphertext)
    assert "5550134" not in row.phone_hash
    if db_backend == "sqlite":
        db.session.remove()
        db.engine.dispose()  # checkpoint the WAL so the main file holds everything
        raw = Path(database_url.removeprefix("sqlite:///")).read_bytes()
        for spelling in (b"4155550134", b"555-0134", b"5550134"):
            assert spelling not in raw


def test_invalid_phone_is_refused(app):
    with pytest.raises(InvalidPhoneNumberError):
        respondents.get_or_create_by_phone("not a number")


def test_survey_versions_are_immutable(app, loaded_surveys):
    version = db.session.scalars(sa.select(SurveyVersion)).first()
    version.content = {**version.content, "title": {"en": "changed"}}
    with pytest.raises(ValueError, match="immutable"):
        db.session.flush()
    db.session.rollback()


def test_response_points_at_its_version_and_answers_are_unique(app, loaded_surveys):
    version = db.session.scalars(sa.select(SurveyVersion)).first()
    response = Response(survey_version=version, channel=Channel.sms, language="es")
    response.answers.append(
        Answer(question_id="trusted_messenger", value="mi mama", raw_text="mi mama", language="es")
    )
    db.session.add(response)
    db.session.commit()
    assert response.status is ResponseStatus.in_progress
    assert response.started_at.tzinfo is not None
    assert response.answer_values() == {"trusted_messenger": "mi mama"}
    db.session.add(
        Answer(response_id=response.id, question_id="trusted_messenger", value="x", language="es")
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_foreign_keys_are_enforced(app):
    db.session.add(Response(survey_version_id=999_999, channel=Channel.web, language="en"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
