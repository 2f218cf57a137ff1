"""Shared fixtures: the app on SQLite and on PostgreSQL, a client and a CLI runner.

Every test that uses ``app`` (or a fixture built on it) runs once per database backend.
PostgreSQL tests skip with a visible reason when no server answers, except in CI
(``CI=true``), where they fail instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from fieldscan import create_app
from fieldscan.extensions import db

pytest_plugins = ["tests.fixtures_sms", "tests.fixtures_accounts"]

POSTGRES_URL = os.environ.get(
    "FIELDSCAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run database tests once on SQLite and once on PostgreSQL."""
    if "db_backend" in metafunc.fixturenames:
        metafunc.parametrize(
            "db_backend",
            ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
            scope="session",
        )


def _base_config(url: str) -> dict:
    return {
        "TESTING": True,
        "FIELDSCAN_DATABASE_URL": url,
        "FIELDSCAN_SECRET_KEY": "test-secret-key-not-for-production",
        "FIELDSCAN_LOG_LEVEL": "WARNING",
    }


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(_base_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_schema() -> str:
    schema = f"fs_test_{uuid.uuid4().hex[:10]}"
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc.orig}"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: PostgreSQL tests are mandatory)")
        pytest.skip(message)
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    _migrate(url)
    yield url
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def database_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of the backend under test."""
    if db_backend == "sqlite":
        template = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "fieldscan.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("_postgres_schema")


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    """The application bound to an empty migrated database, inside an app context."""
    application = create_app(
        {**_base_config(database_url), "FIELDSCAN_INSTANCE_PATH": str(tmp_path)}
    )
    with application.app_context():
        yield application
        db.session.remove()
        if database_url.startswith("postgresql"):
            _truncate_all()
        db.engine.dispose()


def _truncate_all() -> None:
    """Empty every table and restart the id sequences (DELETE, children first: on the few
    rows a test leaves it is twenty times faster than TRUNCATE, which rewrites each table)."""
    tables = list(reversed(db.metadata.sorted_tables))
    serial = [t.name for t in tables if "id" in t.c and t.c.id.autoincrement is not False]
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        conn.execute(
            sa.text(
                "SELECT "
                + ", ".join(
                    f"setval(pg_get_serial_sequence('\"{name}\"', 'id'), 1, false)"
                    for name in serial
                )
            )
        )


@pytest.fixture
def client(app):
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of ``app``."""
    return app.test_cli_runner()


@pytest.fixture
def loaded_surveys(app):
    """The shipped instruments, loaded."""
    from fieldscan.instruments.services import load_surveys

    return load_surveys(app.config["SURVEYS_DIR"])
