"""The application factory, configuration, pages, errors and logging."""

from __future__ import annotations

import logging

import pytest

from fieldscan import create_app
from fieldscan.config import ConfigurationError
from fieldscan.locales import translate


def test_production_refuses_to_start_without_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("FIELDSCAN_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="FIELDSCAN_SECRET_KEY"):
        create_app({"FIELDSCAN_ENV": "production", "FIELDSCAN_INSTANCE_PATH": str(tmp_path)})


def test_production_starts_with_secret(tmp_path):
    app = create_app(
        {
            "FIELDSCAN_ENV": "production",
            "FIELDSCAN_SECRET_KEY": "s" * 40,
            "FIELDSCAN_INSTANCE_PATH": str(tmp_path),
        }
    )
    assert app.config["SECRET_KEY"] == "s" * 40
    assert not (tmp_path / "secret_key").exists()


def test_development_secret_is_random_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("FIELDSCAN_SECRET_KEY", raising=False)
    first = create_app({"FIELDSCAN_INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"FIELDSCAN_INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    other = create_app({"FIELDSCAN_INSTANCE_PATH": str(tmp_path / "x")}).config["SECRET_KEY"]
    assert first == second != other
    assert len(first) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_configures_database_and_overrides_win(monkeypatch, tmp_path):
    monkeypatch.setenv("FIELDSCAN_DATABASE_URL", "postgres://u@db.example/fs")
    app = create_app({"FIELDSCAN_INSTANCE_PATH": str(tmp_path), "TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/fs"
    app = create_app(
        {
            "FIELDSCAN_INSTANCE_PATH": str(tmp_path),
            "TESTING": True,
            "FIELDSCAN_DATABASE_URL": "sqlite:///x.db",
        }
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///x.db"


def test_default_database_is_sqlite_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("FIELDSCAN_DATABASE_URL", raising=False)
    app = create_app({"FIELDSCAN_INSTANCE_PATH": str(tmp_path), "TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/fieldscan.db"


def test_sms_fast_turns_setting_is_a_boolean(monkeypatch, tmp_path):
    monkeypatch.setenv("FIELDSCAN_SMS_FAST_TURNS", "off")
    app = create_app({"FIELDSCAN_INSTANCE_PATH": str(tmp_path), "TESTING": True})
    assert app.config["FIELDSCAN_SMS_FAST_TURNS"] is False
    # A database server is pinged before use (it may drop idle connections); SQLite is not.
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": False}
    monkeypatch.setenv("FIELDSCAN_SMS_FAST_TURNS", "maybe")
    with pytest.raises(ConfigurationError, match="FIELDSCAN_SMS_FAST_TURNS"):
        create_app({"FIELDSCAN_INSTANCE_PATH": str(tmp_path), "TESTING": True})


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="FIELDSCAN_ENV"):
        create_app({"FIELDSCAN_ENV": "staging", "FIELDSCAN_INSTANCE_PATH": str(tmp_path)})


@pytest.mark.parametrize(
    ("header", "lang", "direction"),
    [
        ("es-MX,es;q=0.9", "es", "ltr"),
        ("ar", "ar", "rtl"),
        ("fa-IR", "fa", "rtl"),
        ("zh-TW", "zh-Hant", "ltr"),
        ("hmn", "hmn", "ltr"),
        ("de-DE", "en", "ltr"),
    ],
)
def test_landing_page_speaks_the_visitors_language(client, header, lang, direction):
    page = client.get("/", headers={"Accept-Language": header})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'lang="{lang}"' in html and f'dir="{direction}"' in html
    title = translate(lang.replace("-", "_"), "Community health survey")
    assert title in html
    if lang != "en":
        assert title != "Community health survey"


def test_language_choice_by_query_sticks_in_a_cookie(client):
    page = client.get("/?lang=vi")
    assert 'lang="vi"' in page.get_data(as_text=True)
    assert "fieldscan_lang=vi" in page.headers["Set-Cookie"]
    assert 'lang="vi"' in client.get("/").get_data(as_text=True)


def test_landing_lists_sms_keywords_of_loaded_surveys(client, loaded_surveys):
    html = client.get("/?lang=es").get_data(as_text=True)
    assert "NINOS" in html and "BEBE" in html


def test_not_found_is_a_page_outside_api_and_json_inside(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json
    assert api.get_json()["error"]["code"] == 404


def test_unexpected_errors_show_no_traceback(app, client, caplog):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals 555-0100")

    with caplog.at_level(logging.ERROR):
        page = client.get("/boom")
    assert page.status_code == 500
    body = page.get_data(as_text=True)
    assert "Traceback" not in body and "secret internals" not in body


def test_logs_never_show_phone_numbers(app, caplog):
    with caplog.at_level(logging.INFO):
        app.logger.info("message from %s about %s", "+1 (415) 555-0134", "maria@example.org")
        logging.getLogger("fieldscan.sms").warning("reply to 4155550134 failed")
    text = caplog.text
    assert "555-0134" not in text and "4155550134" not in text and "maria@" not in text
    assert "[phone]" in text


def test_health_endpoint(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
