"""Signing in and out: redirects, failures, server-side sessions, idle time-out, hashes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from fieldscan.accounts import passwords, sessions
from fieldscan.accounts.auth import SESSION_KEY
from fieldscan.extensions import db
from fieldscan.models import AuditEvent, LoginSession, SessionEndReason, User

PASSWORD = "plum tree by the clinic"  # the one make_user gives (tests/accounts/conftest.py)

GENERIC_ERROR = "E-mail or password is not right."


def _audits(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def _login_sessions() -> list[LoginSession]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(LoginSession).order_by(LoginSession.id)))


def _signed_in(client) -> bool:
    """Whether a page that needs a signed-in user answers (not a redirect to /login)."""
    return client.get("/logout").status_code == 200


@pytest.mark.parametrize(
    ("role", "home"),
    [("chw", "/interviews"), ("leadership", "/reports"), ("admin", "/admin/users")],
)
def test_sign_in_lands_on_the_home_of_the_role(client, make_user, sign_in, role, home):
    make_user(role)
    response = sign_in(client, f"{role}@clinic.example")
    assert response.status_code == 302
    assert response.headers["Location"] == home
    assert _signed_in(client)
    audit = _audits("user.login")[-1]
    assert audit.object_id == str(audit.actor_id) != "None"
    assert "clinic.example" not in str(audit.details)


def test_sign_in_is_case_insensitive_in_the_address(client, make_user, sign_in):
    make_user("admin")
    assert sign_in(client, "  Admin@Clinic.Example ").status_code == 302


def test_sign_in_follows_a_same_site_next_page(client, make_user, sign_in):
    make_user("admin")
    response = sign_in(client, "admin@clinic.example", next_url="/admin/sites?x=1")
    assert response.headers["Location"] == "/admin/sites?x=1"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/logout",
    ],
)
def test_sign_in_never_follows_a_next_page_elsewhere(client, make_user, sign_in, target):
    make_user("admin")
    response = sign_in(client, "admin@clinic.example", next_url=target)
    assert response.headers["Location"] == "/admin/users"


@pytest.mark.parametrize("who", ["wrong password", "unknown address"])
def test_failed_sign_in_says_the_same_whatever_was_wrong(client, make_user, sign_in, who):
    user = make_user("chw")
    if who == "wrong password":
        response = sign_in(client, "chw@clinic.example", password="not the password")
    else:
        response = sign_in(client, "nobody@clinic.example")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert GENERIC_ERROR in html and 'role="alert"' in html
    assert not _signed_in(client)
    (audit,) = _audits("user.login_failed")
    assert audit.object_id == (str(user.id) if who == "wrong password" else None)
    assert "clinic.example" not in str(audit.details) and audit.actor_id is None


def test_empty_fields_are_named_and_not_counted_as_attempts(client, csrf_token):
    response = client.post("/login", data={"csrf_token": csrf_token(client)})
    html = response.get_data(as_text=True)
    assert "Enter your e-mail address." in html and "Enter your password." in html
    assert 'aria-invalid="true"' in html
    assert _audits("user.login_failed") == []


def test_login_page_has_the_contract_fields_labels_and_autocomplete(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html and 'name="csrf_token"' in html
    assert '<label for="email">' in html and '<label for="password">' in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html


def test_an_inactive_user_cannot_sign_in(client, make_user, sign_in):
    make_user("chw", active=False)
    response = sign_in(client, "chw@clinic.example")
    assert response.status_code == 200 and GENERIC_ERROR in response.get_data(as_text=True)
    assert _audits("user.login_failed")[0].details["reason"] == "inactive"
    assert _login_sessions() == []


def test_passwords_are_stored_as_argon2id(app, make_user):
    user = make_user("chw")
    assert user.password_hash.startswith("$argon2id$")
    assert "plum" not in user.password_hash


def test_sign_in_rehashes_when_the_parameters_change(client, make_user, sign_in, monkeypatch):
    user = make_user("admin")
    old_hash = user.password_hash
    stronger = PasswordHasher(time_cost=2, memory_cost=128, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", stronger)
    assert sign_in(client, "admin@clinic.example").status_code == 302
    db.session.expire_all()
    new_hash = db.session.get(User, user.id).password_hash
    assert new_hash != old_hash and "$m=128,t=2,p=1$" in new_hash
    assert not stronger.check_needs_rehash(new_hash)
    assert sign_in(client.application.test_client(), "admin@clinic.example").status_code == 302


def test_the_cookie_holds_only_a_random_token(app, client, make_user, sign_in):
    user = make_user("admin")
    sign_in(client, "admin@clinic.example")
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie("fieldscan_session").value)
    assert set(data) <= {SESSION_KEY, "csrf_token", "_permanent"}
    assert str(user.id) not in data.values() and user.email not in str(data)
    (login,) = _login_sessions()
    assert login.token_hash == sessions.hash_token(data[SESSION_KEY]) != data[SESSION_KEY]


def test_sign_in_rotates_the_session(app, client, make_user, sign_in, browser, csrf_token):
    make_user("admin")
    make_user("chw")
    client.get("/login")
    before = client.get_cookie("fieldscan_session").value
    sign_in(client, "chw@clinic.example")
    first = client.get_cookie("fieldscan_session").value
    assert first != before
    assert not _signed_in(browser(before))  # the cookie from before sign-in maps to nothing

    # Signed in, /login redirects; a form still open in another tab signs in again.
    assert client.get("/login").headers["Location"] == "/interviews"
    token = csrf_token(client, "/logout")
    again = {"email": "admin@clinic.example", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=again).status_code == 302
    assert client.get_cookie("fieldscan_session").value != first
    assert not _signed_in(browser(first))
    assert _signed_in(client)
    first_session, second_session = _login_sessions()
    assert first_session.ended_reason is SessionEndReason.replaced
    assert second_session.is_open


def test_sign_out_ends_the_session_on_the_server(
    app, client, make_user, sign_in, browser, csrf_token
):
    make_user("admin")
    sign_in(client, "admin@clinic.example")
    copied = client.get_cookie("fieldscan_session").value
    page = client.get("/logout")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not _signed_in(client)
    assert not _signed_in(browser(copied))  # a copied cookie is anonymous now
    (login,) = _login_sessions()
    assert login.ended_reason is SessionEndReason.logout and login.ended_at is not None
    (audit,) = _audits("user.logout")
    assert audit.details["reason"] == "logout" and audit.actor_id == login.user_id


def test_sign_out_when_not_signed_in_goes_to_the_sign_in_page(client):
    response = client.get("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_idle_sessions_end_after_the_time_out(app, client, make_user, sign_in, frozen):
    make_user("admin")
    sign_in(client, "admin@clinic.example")
    frozen.advance(minutes=14)
    assert _signed_in(client)  # activity at 14 minutes keeps the session alive
    frozen.advance(minutes=14)
    assert _signed_in(client)
    frozen.advance(minutes=16)
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users"
    (login,) = _login_sessions()
    assert login.ended_reason is SessionEndReason.idle
    (audit,) = _audits("user.logout")
    assert audit.details["reason"] == "idle" and audit.actor_label == "system"
    frozen.advance(minutes=1)
    assert not _signed_in(client) and len(_audits("user.logout")) == 1


def test_the_idle_time_out_is_configurable(app, client, make_user, sign_in, frozen):
    app.config["FIELDSCAN_IDLE_TIMEOUT_MINUTES"] = 5
    make_user("admin")
    sign_in(client, "admin@clinic.example")
    frozen.advance(minutes=6)
    assert not _signed_in(client)


def test_last_seen_is_written_at_most_once_a_minute(app, make_user, frozen):
    user = make_user("chw")
    login, token = sessions.start(user, ip="127.0.0.1", user_agent="test")
    db.session.commit()
    limits = {"idle": timedelta(minutes=15), "lifetime": timedelta(hours=12)}
    frozen.advance(seconds=30)
    assert sessions.resolve(token, **limits).changed is False
    frozen.advance(seconds=31)
    found = sessions.resolve(token, **limits)
    assert found.live and found.changed and login.last_seen_at == frozen()


def test_sessions_end_after_the_absolute_lifetime(app, make_user, frozen):
    user = make_user("chw")
    _login, token = sessions.start(user, ip=None, user_agent=None)
    limits = {"idle": timedelta(minutes=15), "lifetime": timedelta(hours=12)}
    for _ in range(12 * 6 - 1):
        frozen.advance(minutes=10)
        assert sessions.resolve(token, **limits).live
    frozen.advance(minutes=10)
    found = sessions.resolve(token, **limits)
    assert not found.live and found.ended is SessionEndReason.expired


def test_a_deactivated_users_session_ends_at_the_next_request(app, client, make_user, sign_in):
    user = make_user("admin")
    sign_in(client, "admin@clinic.example")
    user.active = False
    db.session.commit()
    assert not _signed_in(client)
    (login,) = _login_sessions()
    assert login.ended_reason is SessionEndReason.disabled
