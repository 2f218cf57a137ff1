"""Roles per page, site visibility, the user and site administration, the password policy."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from fieldscan.accounts import passwords
from fieldscan.accounts.access import can_see_site, roles_required, visible_site_ids
from fieldscan.accounts.passwords import PasswordPolicyError, check_policy, common_passwords
from fieldscan.extensions import db
from fieldscan.models import AuditEvent, LoginSession, Role, SessionEndReason, Site, User

ADMIN_PAGES = ["/admin/users", "/admin/sites"]


def _audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


@pytest.fixture
def admin_client(client, make_user, sign_in):
    """A client signed in as an administrator."""
    make_user("admin", site=None)
    assert sign_in(client, "admin@clinic.example").status_code == 302
    return client


# --- roles per page ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("role", ["chw", "leadership"])
def test_admin_pages_are_forbidden_to_other_roles(client, make_user, sign_in, path, role):
    make_user(role)
    sign_in(client, f"{role}@clinic.example")
    assert client.get(path).status_code == 403
    assert client.post(path, data={}).status_code in (400, 403)  # no token, or no access


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_open_for_administrators(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 200 and 'name="csrf_token"' in response.text


def test_anonymous_api_calls_get_401_json(app, client):
    @app.get("/api/v1/_admin_probe")
    @roles_required("admin")
    def _admin_probe():
        return {"ok": True}

    response = client.get("/api/v1/_admin_probe")
    assert response.status_code == 401 and response.is_json
    assert response.get_json()["error"]["code"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_roles_required_refuses_unknown_roles_at_once():
    with pytest.raises(ValueError):
        roles_required("boss")
    with pytest.raises(ValueError):
        roles_required()


# --- sites visible to each user ------------------------------------------------------------


def test_each_role_sees_its_sites(app, make_user):
    chw = make_user("chw", site="valle_verde")
    leader = make_user("leadership", site="rio_claro")
    head = make_user("leadership", email="head@clinic.example", site=None)
    admin = make_user("admin", site="valle_verde")
    valle, rio = chw.site_id, leader.site_id
    assert visible_site_ids(chw) == [valle]
    assert visible_site_ids(leader) == [rio]
    assert visible_site_ids(head) is None and visible_site_ids(admin) is None
    assert can_see_site(chw, valle) and not can_see_site(chw, rio)
    assert can_see_site(leader, rio) and not can_see_site(leader, valle)
    assert can_see_site(head, valle) and can_see_site(admin, rio) and can_see_site(admin, None)
    assert not can_see_site(chw, None)
    anonymous = AnonymousUserMixin()
    assert visible_site_ids(anonymous) == [] and not can_see_site(anonymous, valle)
    chw.active = False
    assert visible_site_ids(chw) == []


# --- users ---------------------------------------------------------------------------------


def _new_user(admin_client, post_form, **fields):
    data = {"email": "ana@clinic.example", "role": "chw", "site": "valle_verde"}
    data.update({"password": "sunflower field trip", **fields})
    return post_form(admin_client, "/admin/users", "/admin/users", data)


def test_an_admin_creates_a_user_with_role_and_site(app, admin_client, post_form, make_user):
    make_user("leadership", site="valle_verde")  # makes the site
    response = _new_user(admin_client, post_form, email="Ana@Clinic.example")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    user = _user("ana@clinic.example")
    assert user.role is Role.chw and user.site.slug == "valle_verde" and user.active
    assert user.password_hash.startswith("$argon2id$")
    (audit,) = _audits("user.create")
    assert audit.object_id == str(user.id) and audit.actor_id == _user("admin@clinic.example").id
    page = admin_client.get("/admin/users").text
    assert "ana@clinic.example" in page and "The account was created." in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "password1"}, "This password is too common."),
        ({"password": "short"}, "Use at least 8 characters."),
        ({"password": "ana@clinic.example"}, "The password must not be the e-mail address."),
        ({"email": "not-an-address"}, "This is not a valid e-mail address."),
        ({"email": "admin@clinic.example"}, "An account with this e-mail address already exists."),
        ({"site": ""}, "A community health worker needs a site."),
        ({"role": "boss"}, "Not a valid choice"),
    ],
)
def test_bad_new_users_are_refused_with_a_reason(
    admin_client, post_form, make_user, fields, message
):
    make_user("leadership", site="valle_verde")
    response = _new_user(admin_client, post_form, **fields)
    assert response.status_code == 200
    assert message in response.text and 'role="alert"' in response.text
    assert _user("ana@clinic.example") is None and _audits("user.create") == []


def test_deactivating_a_user_ends_their_sessions(app, admin_client, post_form, make_user, sign_in):
    chw = make_user("chw")
    tablet = app.test_client()
    assert sign_in(tablet, "chw@clinic.example").status_code == 302
    response = post_form(admin_client, "/admin/users", f"/admin/users/{chw.id}/deactivate")
    assert response.status_code == 302
    assert tablet.get("/logout").status_code == 302  # signed out: redirected to /login
    db.session.expire_all()
    login = db.session.scalar(sa.select(LoginSession).where(LoginSession.user_id == chw.id))
    assert login.ended_reason is SessionEndReason.disabled
    assert not _user("chw@clinic.example").active
    (audit,) = _audits("user.deactivate")
    assert audit.object_id == str(chw.id) and audit.details == {"sessions_ended": 1}
    assert sign_in(tablet, "chw@clinic.example").status_code == 200  # cannot sign in again


def test_admins_cannot_deactivate_themselves(admin_client, post_form):
    me = _user("admin@clinic.example")
    response = post_form(admin_client, "/admin/users", f"/admin/users/{me.id}/deactivate")
    assert response.status_code == 302
    assert "You cannot deactivate your own account." in admin_client.get("/admin/users").text
    assert _user("admin@clinic.example").active and _audits("user.deactivate") == []


def test_deactivating_an_unknown_user_is_404(admin_client, post_form):
    assert (
        post_form(admin_client, "/admin/users", "/admin/users/9999/deactivate").status_code == 404
    )


# --- sites ---------------------------------------------------------------------------------


def test_an_admin_creates_a_site(admin_client, post_form):
    data = {"slug": "east_side", "name": "East Side Clinic"}
    response = post_form(admin_client, "/admin/sites", "/admin/sites", data)
    assert response.status_code == 302
    site = db.session.scalar(sa.select(Site).where(Site.slug == "east_side"))
    assert site.name == "East Side Clinic"
    (audit,) = _audits("site.create")
    assert audit.object_id == str(site.id) and audit.site_id == site.id
    assert "East Side Clinic" in admin_client.get("/admin/sites").text
    again = post_form(admin_client, "/admin/sites", "/admin/sites", data)
    assert again.status_code == 200 and "already exists" in again.text
    bad = post_form(admin_client, "/admin/sites", "/admin/sites", {**data, "slug": "East Side!"})
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.text


# --- password policy -----------------------------------------------------------------------


def test_the_block_list_has_a_thousand_common_passwords_of_eight_or_more():
    common = common_passwords()
    assert len(common) >= 1000
    assert all(len(word) >= 8 and word == word.lower() for word in common)
    assert {"password", "12345678", "iloveyou", "qwertyuiop"} <= common
    assert common_passwords() is common  # read once


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("seven77", "too_short"),
        ("x" * 257, "too_long"),
        ("Password1", "too_common"),
        ("ILOVEYOU", "too_common"),
        ("maria.lopez", "like_email"),
        ("Maria.Lopez@clinic.example", "like_email"),
    ],
)
def test_the_password_policy(password, code):
    with pytest.raises(PasswordPolicyError) as raised:
        check_policy(password, email="maria.lopez@clinic.example")
    assert raised.value.code == code


def test_long_uncommon_passwords_pass_without_composition_rules():
    check_policy("correct horse battery staple", email="maria@clinic.example")
    check_policy("aaaabbbbcccc")
    assert passwords.MIN_LENGTH == 8 and passwords.MAX_LENGTH == 256
