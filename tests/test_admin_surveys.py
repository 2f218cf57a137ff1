"""Survey administration: admins list surveys and archive or reopen them."""

from __future__ import annotations

import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.instruments.services import public_listing
from fieldscan.models import AuditEvent, Survey
from tests.fixtures_accounts import csrf_token_of


def test_admin_lists_and_archives_surveys(app, loaded_surveys, make_user, sign_in):
    admin = make_user("admin", site=None)
    client = app.test_client()
    sign_in(client, admin.email)
    page = client.get("/admin/surveys")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "children_scan" in html and "partner_inventory" in html
    archived = client.post(
        "/admin/surveys/children_scan/archive", data={"csrf_token": csrf_token_of(html)}
    )
    assert archived.status_code == 302
    assert db.session.get(Survey, "children_scan").archived
    assert "children_scan" not in [s.id for s in public_listing("en")]
    assert (
        db.session.scalar(
            sa.select(AuditEvent.action).where(AuditEvent.object_id == "children_scan")
        )
        == "survey.archive"
    )
    client.post("/admin/surveys/children_scan/archive", data={"csrf_token": csrf_token_of(html)})
    db.session.expire_all()
    assert not db.session.get(Survey, "children_scan").archived
    missing = client.post("/admin/surveys/nope/archive", data={"csrf_token": csrf_token_of(html)})
    assert missing.status_code == 404


def test_only_admins_manage_surveys(app, loaded_surveys, make_user, sign_in):
    for role in ("chw", "leadership"):
        user = make_user(role, email=f"{role}@clinic.example")
        client = app.test_client()
        sign_in(client, user.email)
        assert client.get("/admin/surveys").status_code == 403
    assert app.test_client().get("/admin/surveys").status_code == 302
