"""Device tokens: ``fieldscan tokens create|revoke|list`` and ``Authorization: Bearer``.

Every test runs on SQLite and on PostgreSQL (the ``app`` fixture).
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from fieldscan.accounts import tokens
from fieldscan.extensions import db
from fieldscan.models import AuditEvent, DeviceToken, Response
from tests.api.conftest import BearerClient, make_item


def _tokens() -> list[DeviceToken]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(DeviceToken).order_by(DeviceToken.id)))


def _audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _create(runner, *args: str):
    return runner.invoke(args=["tokens", "create", *args])


# --- the command line --------------------------------------------------------------------------


def test_create_prints_the_token_once_and_stores_only_its_hash(runner, chw):
    result = _create(runner, "--email", "CHW@clinic.example", "--name", "tablet 3")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("fst_") and len(token) == 4 + 43 and "\n" not in token
    assert "shown only once" in result.stderr

    [stored] = _tokens()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.user_id == chw.id and stored.name == "tablet 3"
    assert stored.revoked_at is None and stored.last_used_at is None
    [event] = _audits("device_token.create")
    assert event.actor_label == "cli" and event.object_id == str(stored.id)
    assert token not in repr(event.details)

    again = _create(runner, "--email", "chw@clinic.example")
    assert again.exit_code == 0 and again.stdout.strip() != token
    assert len(_tokens()) == 2


def test_create_refuses_unknown_and_inactive_users_and_changes_nothing(runner, make_user):
    user = make_user("chw", email="gone@clinic.example")
    user.active = False
    db.session.commit()
    for email, message in [
        ("nobody@clinic.example", "no user with e-mail 'nobody@clinic.example'"),
        ("gone@clinic.example", "inactive"),
    ]:
        result = _create(runner, "--email", email)
        assert result.exit_code != 0
        assert message in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert _tokens() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_create_refuses_bad_names_and_addresses(runner, chw):
    for args, message in [
        (["--email", chw.email, "--name", "x" * 101], "at most 100"),
        (["--email", chw.email, "--name", "tab\x00let"], "control characters"),
        (["--email", "chw@clinic.example\x00"], "no user"),
    ]:
        result = _create(runner, *args)
        assert result.exit_code != 0 and message in result.output, result.output
    assert _tokens() == []


def test_list_shows_tokens_without_revealing_them(runner, chw):
    token = _create(runner, "--email", chw.email, "--name", "tablet 3").stdout.strip()
    _create(runner, "--email", chw.email)
    listed = runner.invoke(args=["tokens", "list", "--email", chw.email])
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert len(lines) == 2
    assert "tablet 3" in lines[0] and "last used never" in lines[0] and lines[0].endswith("live")
    assert token not in listed.output

    empty = runner.invoke(args=["tokens", "list", "--email", "admin@clinic.example"])
    assert empty.exit_code != 0 and "no user" in empty.output


def test_revoke_every_token_of_a_user(runner, api_app, chw, make_user, make_token):
    other = make_user("chw", email="other@clinic.example")
    first, second, kept = make_token(chw), make_token(chw), make_token(other)
    result = runner.invoke(args=["tokens", "revoke", "--email", chw.email])
    assert result.exit_code == 0 and "2 token(s)" in result.output
    revoked = {stored.user_id: [] for stored in _tokens()}
    for stored in _tokens():
        revoked[stored.user_id].append(stored.revoked_at is not None)
    assert revoked == {chw.id: [True, True], other.id: [False]}
    assert len(_audits("device_token.revoke")) == 2
    assert runner.invoke(args=["tokens", "list", "--email", chw.email]).output.count("revoked") == 2
    client = api_app.test_client()
    for token in (first, second):
        _assert_invalid_token(BearerClient(client, token).get("/api/v1/surveys"))
    assert BearerClient(client, kept).get("/api/v1/surveys").status_code == 200


def test_revoke_one_token(runner, chw, make_token):
    token, other = make_token(chw), make_token(chw)
    result = runner.invoke(args=["tokens", "revoke", "--token", token])
    assert result.exit_code == 0 and "1 token(s)" in result.output
    assert [t.revoked_at is not None for t in _tokens()] == [True, False]
    again = runner.invoke(args=["tokens", "revoke", "--token", token])
    assert again.exit_code == 0 and "already revoked" in again.output
    assert tokens.find(other).is_live


def test_revoke_needs_exactly_one_target_and_a_real_token(runner, chw, make_token):
    make_token(chw)
    for args in ([], ["--email", chw.email, "--token", "fst_x"]):
        result = runner.invoke(args=["tokens", "revoke", *args])
        assert result.exit_code != 0 and "either --email or --token" in result.output
    for args in (["--token", "fst_not-a-token"], ["--email", "nobody@clinic.example"]):
        result = runner.invoke(args=["tokens", "revoke", *args])
        assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1
    assert all(t.revoked_at is None for t in _tokens())


# --- Authorization: Bearer ---------------------------------------------------------------------


def test_a_token_authenticates_its_user_and_records_its_use(bearer, chw, frozen_clock):
    device = bearer(chw)
    response = device.get("/api/v1/sites")
    assert response.status_code == 200
    assert [site["slug"] for site in response.get_json()] == ["valle_verde"]
    [stored] = _tokens()
    first_use = stored.last_used_at
    assert first_use is not None

    frozen_clock.advance(seconds=30)
    device.get("/api/v1/sites")
    assert _tokens()[0].last_used_at == first_use  # at most once a minute
    frozen_clock.advance(minutes=1)
    device.get("/api/v1/sites")
    assert _tokens()[0].last_used_at > first_use


def _assert_invalid_token(response) -> None:
    assert response.status_code == 401 and response.is_json
    assert response.get_json()["error"]["code"] == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="fieldscan", error="invalid_token"'


def test_a_revoked_token_gets_401(runner, bearer, chw):
    device = bearer(chw)
    assert device.get("/api/v1/surveys").status_code == 200
    runner.invoke(args=["tokens", "revoke", "--token", device.token])
    _assert_invalid_token(device.get("/api/v1/surveys"))
    _assert_invalid_token(device.post("/api/v1/sync", json={"responses": [make_item()]}))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def test_the_token_of_an_inactive_user_gets_401(bearer, chw):
    device = bearer(chw)
    chw.active = False
    db.session.commit()
    _assert_invalid_token(device.get("/api/v1/surveys"))


def test_unknown_and_malformed_tokens_get_401(api_app):
    client = api_app.test_client()
    for token in ["fst_unknown", "not-even-prefixed", "fst_" + "x" * 500, "fst_\u00e9\u00e8"]:
        _assert_invalid_token(BearerClient(client, token).get("/api/v1/surveys"))


def test_no_credentials_get_401_with_a_bearer_challenge(api):
    response = api.client.get("/api/v1/responses")
    assert response.status_code == 401 and response.is_json
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="fieldscan"'


def test_bearer_writes_need_no_csrf_token_and_are_audited_with_the_token(bearer, chw):
    device = bearer(chw)
    [stored] = _tokens()
    results = device.post("/api/v1/sync", json={"responses": [make_item()]}).get_json()
    assert results["results"][0]["status"] == "created"
    created = device.post("/api/v1/responses", json=make_item())
    assert created.status_code == 201
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "response").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id, e.actor_label) for e in events] == [
        ("response.sync_create", chw.id, f"api-token:{stored.id}"),
        ("response.create", chw.id, f"api-token:{stored.id}"),
    ]


def test_the_browser_session_works_with_csrf(chw_api):
    assert chw_api.client.get("/api/v1/surveys").status_code == 200
    refused = chw_api.client.post("/api/v1/responses", json=make_item())
    assert refused.status_code == 400 and refused.is_json
    assert chw_api.post("/api/v1/responses", json=make_item()).status_code == 201


def test_a_bad_bearer_header_never_falls_back_to_the_session(chw_api):
    response = chw_api.client.get("/api/v1/surveys", headers={"Authorization": "Bearer fst_x"})
    _assert_invalid_token(response)
