"""Interview pages, plans, site isolation, patient links and the service worker."""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.instruments.services import get_version
from fieldscan.interviews import services
from fieldscan.models import AuditEvent, Channel, PatientLink, Response, ResponseStatus
from tests.fixtures_accounts import OTHER_SITE, csrf_token_of

ANSWERS = {
    "trusted_messenger": "mi mama",
    "resources": "la iglesia",
    "consent_contact": "yes",
    "knows_rides": "yes",
}


@pytest.fixture
def staff(app, loaded_surveys, make_user, sign_in):
    """Signed-in clients by role: ``staff("chw")`` (site valle_verde by default)."""

    def client_for(role: str, site: str | None = "valle_verde", email: str | None = None):
        user = make_user(role, email=email or f"{role}-{site}@clinic.example", site=site)
        client = app.test_client()
        assert sign_in(client, user.email).status_code == 302
        client.user = user
        return client

    return client_for


def _response(site_id: int | None) -> Response:
    response = Response(
        uuid=str(uuid_module.uuid4()),
        survey_version=get_version("children_scan"),
        channel=Channel.tablet,
        status=ResponseStatus.completed,
        language="es",
        site_id=site_id,
    )
    db.session.add(response)
    db.session.commit()
    return response


@pytest.mark.parametrize(("role", "status"), [("chw", 200), ("admin", 200), ("leadership", 403)])
def test_interview_home_by_role(staff, role, status):
    assert staff(role).get("/interviews").status_code == status


def test_anonymous_is_sent_to_login(client, loaded_surveys):
    response = client.get("/interviews")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/interviews/plan/children_scan/es.json").status_code == 302


def test_home_offers_tablet_surveys_and_every_language(staff):
    html = staff("chw").get("/interviews").get_data(as_text=True)
    assert 'value="children_scan"' in html and 'value="partner_inventory"' in html
    assert html.count('<option value="hmn"') == 2  # start form and link form


def test_plan_is_the_engines_export(staff):
    chw = staff("chw")
    plan = chw.get("/interviews/plan/children_scan/ar.json").get_json()
    assert plan["survey"] == "children_scan" and plan["dir"] == "rtl"
    assert plan["survey_version"] == get_version("children_scan").number
    ride = next(item for item in plan["items"] if item["id"] == "wants_ride_info")
    assert ride["relevant"] == ["op", ["ref", "knows_rides"], "=", ["str", "no"]]
    assert chw.get("/interviews/plan/nope/es.json").status_code == 404
    assert chw.get("/interviews/plan/children_scan/de.json").status_code == 404


def test_chw_sees_own_site_interview_and_not_another_sites(staff):
    chw = staff("chw")
    own = _response(chw.user.site_id)
    other_chw = staff("chw", site=OTHER_SITE)
    other = _response(other_chw.user.site_id)

    assert chw.get(f"/interviews/{own.uuid}").status_code == 200
    assert chw.get(f"/interviews/{other.uuid}").status_code == 403
    assert chw.get(f"/interviews/{uuid_module.uuid4()}").status_code == 404
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "response")
    ).all()
    assert "response.read" in actions and "response.read_denied" in actions
    listing = chw.get("/interviews").get_data(as_text=True)
    assert own.uuid in listing and other.uuid not in listing


def test_chw_cannot_open_reports(staff):
    assert staff("chw").get("/reports").status_code == 403
    assert staff("leadership").get("/reports").status_code == 200


def test_link_from_the_interview_page_works_once(staff, app):
    chw = staff("chw")
    page = chw.get("/interviews").get_data(as_text=True)
    made = chw.post(
        "/links",
        data={"survey": "children_scan", "language": "ar", "csrf_token": csrf_token_of(page)},
    )
    assert made.status_code == 200
    url = next(part for part in made.get_data(as_text=True).split('"') if "/p/" in part)
    token = url.rsplit("/p/", 1)[1]

    patient = app.test_client()
    opened = patient.get(f"/p/{token}")
    assert opened.status_code == 200
    assert 'lang="ar" dir="rtl"' in opened.get_data(as_text=True)
    plan = patient.get(f"/p/{token}/plan.json").get_json()
    item = {
        "uuid": str(uuid_module.uuid4()),
        "survey_id": "children_scan",
        "survey_version": plan["survey_version"],
        "language": "ar",
        "started_at": datetime.now(UTC).isoformat(),
        "completed_at": datetime.now(UTC).isoformat(),
        "answers": ANSWERS,
    }
    first = patient.post(f"/p/{token}/submit", json=item)
    assert first.status_code == 200 and first.get_json()["status"] == "created"
    stored = db.session.scalar(sa.select(Response).where(Response.uuid == item["uuid"]))
    assert stored.channel is Channel.web and stored.site_id == chw.user.site_id
    assert stored.respondent_id is not None and stored.interviewer_id is None
    assert patient.get(f"/p/{token}").status_code == 410  # used once
    assert patient.post(f"/p/{token}/submit", json=item).status_code == 410


def test_link_without_csrf_is_refused(staff):
    chw = staff("chw")
    refused = chw.post("/links", data={"survey": "children_scan", "language": "es"})
    assert refused.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PatientLink)) == 0


def test_expired_and_unknown_links(app, loaded_surveys, frozen):
    _link, token = services.create_link(
        "children_scan", "es", site_id=None, created_by=None, hours=1
    )
    client = app.test_client()
    assert client.get(f"/p/{token}").status_code == 200
    frozen.advance(hours=2)
    assert client.get(f"/p/{token}").status_code == 410
    assert client.get("/p/not-a-token").status_code == 404
    assert client.post("/p/not-a-token/submit", json={}).status_code == 404


def test_link_submission_is_validated_by_the_engine(app, loaded_surveys):
    _link, token = services.create_link(
        "children_scan", "es", site_id=None, created_by=None, hours=1
    )
    version = get_version("children_scan").number
    bad = {
        "uuid": str(uuid_module.uuid4()),
        "survey_id": "children_scan",
        "survey_version": version,
        "language": "es",
        "started_at": datetime.now(UTC).isoformat(),
        "completed_at": datetime.now(UTC).isoformat(),
        "answers": {**ANSWERS, "child_age": 40},
    }
    response = app.test_client().post(f"/p/{token}/submit", json=bad)
    assert response.status_code == 422 and response.get_json()["status"] == "invalid"
    assert "child_age" in response.get_json()["errors"]["answers"]
    assert app.test_client().get(f"/p/{token}").status_code == 200  # still usable


def test_links_cli(app, runner, loaded_surveys):
    result = runner.invoke(
        args=[
            "links",
            "create",
            "--survey",
            "children_scan",
            "--language",
            "es",
            "--site",
            "valle_verde",
        ]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().rsplit("/p/", 1)[1]
    assert app.test_client().get(f"/p/{token}").status_code == 200
    link = db.session.scalar(sa.select(PatientLink))
    assert token not in link.token_hash  # only the hash is stored
    assert link.expires_at - link.created_at == timedelta(hours=72)
    for args, message in (
        (["--survey", "nope", "--language", "es"], "not loaded"),
        (["--survey", "children_scan", "--language", "de"], "language"),
        (["--survey", "children_scan", "--language", "es", "--hours", "0"], "positive"),
    ):
        bad = runner.invoke(args=["links", "create", *args])
        assert bad.exit_code != 0 and message in bad.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PatientLink)) == 1


def test_service_worker_and_offline_manifest(staff):
    chw = staff("chw")
    with chw.get("/sw.js") as worker:
        assert worker.status_code == 200 and worker.mimetype == "text/javascript"
        assert worker.headers["Service-Worker-Allowed"] == "/"
    manifest = chw.get("/interviews/offline-manifest.json").get_json()
    assert "/interviews/run" in manifest["pages"]
    assert "/interviews/plan/children_scan/hmn.json" in manifest["plans"]
    for asset in manifest["assets"]:
        with chw.get(asset) as response:
            assert response.status_code == 200, asset
