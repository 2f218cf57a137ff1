"""CSRF, sign-in throttling, cookies, security headers and what templates may load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from fieldscan import create_app
from fieldscan.config import ConfigurationError
from fieldscan.locales import translate
from fieldscan.security import CONTENT_SECURITY_POLICY

PACKAGE = Path(__file__).resolve().parents[2] / "fieldscan"
TOO_MANY = "Too many attempts. Please wait a moment and try again."


def _wrong(client, csrf_token, email: str, **kwargs):
    data = {"email": email, "password": "not the password", "csrf_token": csrf_token(client)}
    return client.post("/login", data=data, **kwargs)


# --- CSRF ----------------------------------------------------------------------------------


def test_csrf_is_on_in_testing(app):
    assert app.config["TESTING"] and app.config["WTF_CSRF_ENABLED"]


def test_a_form_post_without_the_csrf_token_is_refused(client, make_user):
    make_user("admin")
    data = {"email": "admin@clinic.example", "password": "plum tree by the clinic"}
    assert client.post("/login", data=data).status_code == 400
    assert client.post("/login", data={**data, "csrf_token": "forged"}).status_code == 400
    assert client.post("/logout").status_code == 400


def test_a_form_post_with_the_token_from_the_page_is_accepted(client, make_user, sign_in):
    make_user("admin")
    assert sign_in(client, "admin@clinic.example").status_code == 302


def test_a_token_of_another_session_is_refused(app, client, make_user, csrf_token):
    make_user("admin")
    other = csrf_token(app.test_client())
    data = {"email": "admin@clinic.example", "password": "x" * 10, "csrf_token": other}
    assert client.post("/login", data=data).status_code == 400


def test_twilio_webhooks_are_exempt(client):
    # Refused by the signature check (403), not by CSRF (400).
    assert client.post("/sms/twilio/inbound", data={"Body": "hi"}).status_code == 403


@pytest.fixture
def probe(app: Flask) -> str:
    """A JSON endpoint under /api that changes something (stands in for the sync)."""

    @app.post("/api/v1/_probe")
    def _probe():
        return {"ok": True}

    return "/api/v1/_probe"


def test_api_calls_need_the_csrf_header_unless_they_carry_a_bearer_token(client, probe, csrf_token):
    assert client.post(probe, json={}).status_code == 400
    token = csrf_token(client, "/")  # the <meta name="csrf-token"> of any page
    assert client.post(probe, json={}, headers={"X-CSRFToken": token}).status_code == 200
    bearer = {"Authorization": "Bearer device-token"}
    assert client.post(probe, json={}, headers=bearer).status_code == 200
    assert client.post(probe, json={}, headers={"Authorization": "Bearer "}).status_code == 400
    # Outside /api a Bearer header changes nothing.
    assert client.post("/login", data={"email": "a@b.org"}, headers=bearer).status_code == 400


def test_pages_expose_the_token_in_a_meta_tag(client):
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', client.get("/").text)


# --- throttling ----------------------------------------------------------------------------


def test_the_eleventh_failure_in_a_row_is_throttled(client, make_user, sign_in, csrf_token):
    make_user("chw")
    make_user("admin")
    codes = [_wrong(client, csrf_token, "chw@clinic.example").status_code for _ in range(12)]
    assert codes == [200] * 10 + [429, 429]
    throttled = _wrong(client, csrf_token, "CHW@clinic.example ")
    assert throttled.status_code == 429 and TOO_MANY in throttled.text
    assert "Retry-After" in throttled.headers and "X-RateLimit-Limit" in throttled.headers
    # Even the right password waits now; another account from this address does not.
    assert sign_in(client, "chw@clinic.example").status_code == 429
    assert sign_in(client, "admin@clinic.example").status_code == 302


def test_the_throttle_message_is_in_the_visitors_language(app, client, make_user, csrf_token):
    make_user("chw")
    for _ in range(10):
        _wrong(client, csrf_token, "chw@clinic.example")
    data = {"email": "chw@clinic.example", "password": "?" * 9, "csrf_token": csrf_token(client)}
    with app.app_context():  # a context of its own, as in production (g.language is fresh)
        page = client.post("/login", data=data, headers={"Accept-Language": "es"})
    assert page.status_code == 429
    assert translate("es", TOO_MANY) in page.text and translate("es", TOO_MANY) != TOO_MANY


def test_successful_sign_ins_do_not_count(client, make_user, sign_in, csrf_token):
    make_user("chw")
    for _ in range(12):
        assert sign_in(client, "chw@clinic.example").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})


def test_the_per_address_limit_covers_every_account(app, client, make_user, csrf_token):
    app.config["FIELDSCAN_LOGIN_LIMIT_ADDRESS"] = "3 per 15 minutes"
    for number in range(3):
        assert _wrong(client, csrf_token, f"user{number}@clinic.example").status_code == 200
    assert _wrong(client, csrf_token, "someone.else@clinic.example").status_code == 429
    elsewhere = _wrong(
        client, csrf_token, "x@clinic.example", environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert elsewhere.status_code == 200


def test_each_app_has_its_own_limiter_storage(app, tmp_path):
    other = create_app({"TESTING": True, "FIELDSCAN_INSTANCE_PATH": str(tmp_path / "other")})
    mine, theirs = app.extensions["fieldscan.limiter"], other.extensions["fieldscan.limiter"]
    assert mine is not theirs and mine.storage is not theirs.storage


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("FIELDSCAN_LOGIN_LIMIT_ACCOUNT", "lots"),
        ("FIELDSCAN_LOGIN_LIMIT_ADDRESS", "ten per fortnight"),
        ("FIELDSCAN_IDLE_TIMEOUT_MINUTES", "0"),
        ("FIELDSCAN_IDLE_TIMEOUT_MINUTES", "soon"),
    ],
)
def test_bad_security_settings_refuse_to_start(tmp_path, setting, value):
    with pytest.raises(ConfigurationError, match=setting):
        create_app({"TESTING": True, "FIELDSCAN_INSTANCE_PATH": str(tmp_path), setting: value})


# --- cookies and headers -------------------------------------------------------------------


def _session_set_cookie(response) -> str:
    cookies = response.headers.getlist("Set-Cookie")
    (cookie,) = [c for c in cookies if c.startswith("fieldscan_session=")]
    return cookie


def test_the_session_cookie_is_httponly_and_samesite(client, make_user, sign_in):
    make_user("admin")
    cookie = _session_set_cookie(sign_in(client, "admin@clinic.example"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # plain http in development and tests


@pytest.fixture
def production_app(tmp_path) -> Flask:
    return create_app(
        {
            "FIELDSCAN_ENV": "production",
            "FIELDSCAN_SECRET_KEY": "p" * 40,
            "FIELDSCAN_INSTANCE_PATH": str(tmp_path),
            "FIELDSCAN_DATABASE_URL": f"sqlite:///{tmp_path}/unused.db",
        }
    )


def test_production_cookies_are_secure_and_hsts_is_sent(production_app):
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    with production_app.test_client() as client:
        page = client.get("/login", base_url="https://scan.clinic.example")
    assert "Secure" in _session_set_cookie(page)
    assert page.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page"])
def test_security_headers_are_on_every_response(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # not outside production


def test_signed_in_pages_are_not_cached(client, make_user, sign_in):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    make_user("admin")
    sign_in(client, "admin@clinic.example")
    assert client.get("/admin/users").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"


# --- templates and static files ------------------------------------------------------------


def _shipped_files() -> list[Path]:
    roots = [PACKAGE / "templates", PACKAGE / "static", *PACKAGE.glob("*/templates")]
    return sorted(path for root in roots for path in root.rglob("*") if path.is_file())


def test_templates_and_static_files_load_nothing_from_elsewhere():
    files = _shipped_files()
    assert any(path.name == "login.html" for path in files)
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in files
        if re.search(r"https?://", path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


def test_templates_have_no_inline_script_style_or_handlers():
    # The Content-Security-Policy forbids them; a JSON data block is not a script.
    pattern = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
        r"|\sstyle=|<style\b|\son[a-z]+=\"|javascript:",
        re.IGNORECASE,
    )
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in _shipped_files()
        if path.suffix == ".html" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
