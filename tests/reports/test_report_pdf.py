"""The community profile as a PDF: WeasyPrint on the server, no network, audited, roles."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from fieldscan.analysis_jobs.services import execute, queue_run
from fieldscan.extensions import db
from fieldscan.models import AuditEvent
from fieldscan.reports import pdf
from tests.fixtures_accounts import OTHER_SITE, SITE
from tests.reports.report_helpers import store_answers

#: "My mother" in eight languages (12 respondents each, so every language is shown).
MESSENGERS = {
    "en": "my mother",
    "es": "mi mamá",
    "vi": "mẹ tôi",
    "zh_Hant": "我的母親",
    "ar": "أمي",
    "hy": "մայրս",
    "km": "ម្តាយខ្ញុំ",
    "ko": "우리 엄마",
}
RESOURCES = [("the Oak Hollow Food Bank", "en")] * 12 + [("banco de comida", "es")] * 12


_store = store_answers


@pytest.fixture
def scan(app, loaded_surveys):
    _store(
        [(text, lang) for lang, text in MESSENGERS.items() for _ in range(12)], "trusted_messenger"
    )
    _store(RESOURCES, "resources")
    _store([("mi mamá", "es")] * 12, "trusted_messenger", OTHER_SITE)
    execute(queue_run("trusted_messenger"))
    execute(queue_run("resources"))


@pytest.fixture
def leader(client, make_user, sign_in):
    make_user("leadership", site=None)
    sign_in(client, "leadership@clinic.example")
    return client


def test_profile_pdf_is_a_pdf_of_the_site_and_is_audited(scan, leader, monkeypatch):
    documents = []  # WeasyPrint's laid-out document, before write_pdf, to read its text
    render = pdf.render_document

    def keep(*args, **kwargs):
        documents.append(render(*args, **kwargs))
        return documents[-1]

    monkeypatch.setattr(pdf, "render_document", keep)
    page = leader.get(f"/reports/profile/{SITE}").get_data(as_text=True)
    link = f'href="/reports/profile/{SITE}.pdf"'
    assert link in page  # the download button

    response = leader.get(f"/reports/profile/{SITE}.pdf")
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    body = response.get_data()
    assert body.startswith(b"%PDF-")
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        rf"attachment; filename=fieldscan-profile-{SITE}-\d{{4}}-\d{{2}}-\d{{2}}\.pdf", disposition
    )
    if os.environ.get("FIELDSCAN_SAVE_PDF"):  # for a look at the layout (docs/screenshots)
        Path(os.environ["FIELDSCAN_SAVE_PDF"]).write_bytes(body)

    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.export")
    ).all()
    assert event.details["report"] == "profile" and event.details["format"] == "pdf"
    assert event.details["filters"] == {"site": SITE} and event.details["pages"] >= 1

    [document] = documents
    texts = pdf.page_texts(document)
    assert len(texts) >= 1
    text = " ".join(texts)
    assert "Valle Verde" in text and "Community profile" in text
    assert "العربية" in text and "ខ្មែរ" in text and "中文" in text  # the language table
    assert "Download as PDF" not in text and "leadership@clinic.example" not in text  # screen only
    assert "Rio Claro" not in text  # the other site's answers are not in this profile


def test_profile_pdf_roles_and_sites(app, client, make_user, sign_in):
    make_user("chw")
    sign_in(client, "chw@clinic.example")
    assert client.get(f"/reports/profile/{SITE}.pdf").status_code == 403
    make_user("leadership", site=SITE)
    make_user("chw", email="chw-rc@clinic.example", site=OTHER_SITE)  # the other site exists
    leader = app.test_client()
    sign_in(leader, "leadership@clinic.example")
    assert leader.get(f"/reports/profile/{OTHER_SITE}.pdf").status_code == 404
    assert leader.get(f"/reports/profile/{SITE}.pdf").status_code == 200
    exports = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "report.export"))
    assert [e.details["filters"] for e in exports] == [{"site": SITE}]


def test_the_fetcher_serves_only_our_static_files(app):
    fetcher = pdf.static_fetcher(app.static_folder, "/static", "http://localhost/")
    css = fetcher("http://localhost/static/reports.css")
    assert css.read().startswith(b"/*") and css.content_type == "text/css"
    for url in (
        "http://example.org/static/reports.css",  # another host
        "http://localhost/reports/profile/valle_verde",  # a page, not a static file
        "http://localhost/static/../config.py",  # out of the static folder
        "http://localhost/static/%2e%2e/config.py",
        "file:///etc/passwd",
        "data:text/css,body{}",
    ):
        with pytest.raises(ValueError):
            fetcher(url)
