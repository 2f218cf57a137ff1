"""Download buttons on /reports: per role, per site, audited, injection-safe."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import select

from fieldscan.exports.tables import response_table
from fieldscan.extensions import db
from fieldscan.locales import translate
from fieldscan.models import AuditEvent
from tests.exports.conftest import ABANDONED, OTHER_SITE, SITE

VALLE = ["0b7c4c2e-4a43-4d2e-9a52-000000000001", "0b7c4c2e-4a43-4d2e-9a52-000000000002"]
RIO = ["0b7c4c2e-4a43-4d2e-9a52-000000000003", ABANDONED]
TRUSTED = "Who do you trust most for advice about your child's health?"


@pytest.fixture
def signed_in(golden_data, make_user, sign_in):
    """``signed_in("leadership", site=SITE)``: a client signed in as a new user of that role."""
    made = []

    def make(role: str, site: str | None = SITE):
        email = f"{role}{len(made)}@clinic.example"
        make_user(role, email=email, site=site)
        client = golden_data.test_client()
        response = sign_in(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        made.append(client)
        return client

    return make


def csv_rows(response) -> list[dict[str, str]]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def exports(action: str = "responses.export") -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "fhir"])
def test_chw_gets_403_and_nothing_is_exported(signed_in, fmt):
    client = signed_in("chw")
    assert client.get(f"/reports/export/children_scan.{fmt}").status_code == 403
    assert client.get("/reports").status_code == 403
    assert exports() == []


def test_anonymous_visitors_are_sent_to_sign_in(golden_data):
    response = golden_data.test_client().get("/reports/export/children_scan.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert exports() == []


@pytest.mark.parametrize(
    ("role", "site", "expected"),
    [
        ("leadership", SITE, VALLE),
        ("leadership", OTHER_SITE, RIO),
        ("leadership", None, VALLE + RIO),  # a leader without a site leads every site
        ("admin", None, VALLE + RIO),
        ("leadership", "empty_site", []),
    ],
)
def test_each_user_downloads_only_the_responses_of_their_sites(signed_in, role, site, expected):
    client = signed_in(role, site=site)
    response = client.get("/reports/export/children_scan.csv")
    assert response.status_code == 200
    assert [row["response_id"] for row in csv_rows(response)] == expected
    bundle = json.loads(client.get("/reports/export/children_scan.fhir").get_data())
    ids = [
        e["resource"]["id"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    assert ids == expected
    assert [e["resource"]["resourceType"] for e in bundle["entry"]][0] == "Questionnaire"


def test_response_table_site_filter(golden_data):
    from fieldscan.models import Site

    valle = db.session.scalars(select(Site.id).where(Site.slug == SITE)).one()
    assert [row[0] for row in response_table("children_scan", site_ids=[valle]).rows] == VALLE
    assert response_table("children_scan", site_ids=[]).rows == []
    assert len(response_table("children_scan").rows) == 4


# --- the files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "media_type", "name"),
    [
        ("csv", "text/csv; charset=utf-8", "children_scan_es_2026-03-02.csv"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "children_scan_es_2026-03-02.xlsx",
        ),
        ("fhir", "application/fhir+json; fhirVersion=4.0", "children_scan_es_2026-03-02.fhir.json"),
    ],
)
def test_downloads_are_attachments_with_a_name(signed_in, fmt, media_type, name):
    client = signed_in("leadership")
    response = client.get(f"/reports/export/children_scan.{fmt}?language=es")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media_type
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data()  # a file, not an empty body


def test_xlsx_download_has_the_rows_and_labels_in_the_language(signed_in):
    from openpyxl import load_workbook

    client = signed_in("leadership")
    response = client.get("/reports/export/children_scan.xlsx?language=es")
    workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    header = rows[0]
    assert translate("es", TRUSTED, domain="surveys") in header
    assert [row[0] for row in rows[1:]] == VALLE


def test_csv_download_neutralizes_formulas(signed_in):
    client = signed_in("admin", site=None)
    rows = {
        row["response_id"]: row for row in csv_rows(client.get("/reports/export/children_scan.csv"))
    }
    assert rows[VALLE[1]][TRUSTED] == '\'=HYPERLINK("http://evil.example","click")'
    resources = (
        "Where do you or your family go for help with food, housing, transportation, "
        "childcare or other needs?"
    )
    assert rows[VALLE[1]][resources].startswith("'-2+3")
    assert rows[ABANDONED][TRUSTED] == "'@mamá"


def test_language_param(signed_in, probe_survey):
    client = signed_in("leadership")
    spanish = csv_rows(client.get("/reports/export/children_scan.csv?language=es"))
    assert translate("es", TRUSTED, domain="surveys") in spanish[0]
    assert TRUSTED in csv_rows(client.get("/reports/export/children_scan.csv"))[0]
    # BCP 47 and other spellings are understood
    assert client.get("/reports/export/children_scan.csv?language=zh-TW").status_code == 200
    assert client.get("/reports/export/children_scan.csv?language=xx").status_code == 400
    # export_probe ships English and Spanish only
    assert client.get("/reports/export/export_probe.fhir?language=vi").status_code == 400
    assert client.get("/reports/export/nope.csv").status_code == 404
    assert client.get("/reports/export/children_scan.pdf").status_code == 404


# --- audit --------------------------------------------------------------------------------------


def test_each_download_is_audited_without_phi(signed_in):
    client = signed_in("leadership")
    client.get("/reports/export/children_scan.csv?language=es")
    client.get("/reports/export/children_scan.fhir")
    first, second = exports()
    from fieldscan.models import Site, User

    leader = db.session.scalars(
        select(User).where(User.email == "leadership0@clinic.example")
    ).one()
    valle = db.session.scalars(select(Site.id).where(Site.slug == SITE)).one()
    assert (first.actor_id, first.object_type, first.object_id) == (
        leader.id,
        "survey",
        "children_scan",
    )
    assert first.site_id == valle
    assert first.details == {
        "format": "csv",
        "survey": "children_scan",
        "language": "es",
        "rows": 2,
        "sites": [valle],
    }
    assert second.details["format"] == "fhir" and second.details["rows"] == 2
    text = json.dumps([first.details, second.details])
    for phi in ("HYPERLINK", "abuela", "415", "+1"):
        assert phi not in text


def test_refused_downloads_are_not_audited(signed_in):
    client = signed_in("leadership")
    client.get("/reports/export/children_scan.csv?language=xx")
    client.get("/reports/export/nope.csv")
    assert exports() == []


# --- the page -----------------------------------------------------------------------------------


def test_reports_page_has_a_download_form_per_survey(signed_in):
    client = signed_in("leadership")
    page = client.get("/reports?lang=es").get_data(as_text=True)
    for survey in ("children_scan", "prenatal_scan", "partner_inventory"):
        for fmt in ("csv", "xlsx", "fhir"):
            assert f'formaction="/reports/export/{survey}.{fmt}"' in page
        assert f'id="download-{survey}-language" name="language"' in page
    assert re.search(r'<option value="es" lang="es"\s+selected>', page)
    assert 'value="zh_Hant" lang="zh-Hant"' in page
