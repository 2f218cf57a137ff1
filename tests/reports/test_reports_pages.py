"""Report pages: roles, site isolation, suppression, filters, stakeholder buckets, cluster
review, downloads."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import sqlalchemy as sa

from fieldscan.analysis_jobs.services import execute, queue_run
from fieldscan.extensions import db
from fieldscan.models import (
    AuditEvent,
    ClusterReview,
    Partner,
    PartnerRelationship,
    Site,
)
from fieldscan.reports import rollups
from tests.fixtures_accounts import OTHER_SITE, SITE, csrf_token_of
from tests.reports.report_helpers import store_answers

MESSENGERS = (
    [("mi mamá", "es", SITE)] * 14
    + [("my doctor at the clinic", "en", SITE)] * 12
    + [("bà ngoại", "vi", SITE)] * 4
    + [("el pastor de mi iglesia", "es", OTHER_SITE)] * 13
)
RESOURCES = (
    [("the Oak Hollow Food Bank", "en", SITE)] * 12
    + [("Rio Claro Public Library", "es", SITE)] * 6
    + [("la escuela", "es", SITE)] * 3
    + [("Valle Verde Family Resource Center", "es", OTHER_SITE)] * 12
)


_store = store_answers


@pytest.fixture
def scan(app, loaded_surveys):
    _store(MESSENGERS, "trusted_messenger")
    _store(RESOURCES, "resources")
    db.session.add_all(
        [
            Partner(
                name="Oak Hollow Food Bank",
                kind="food_assistance",
                relationship=PartnerRelationship.current,
            ),
            Partner(
                name="Sunrise Housing Coalition",
                kind="housing",
                relationship=PartnerRelationship.current,
            ),
        ]
    )
    db.session.commit()
    execute(queue_run("trusted_messenger"))
    execute(queue_run("resources"))


@pytest.fixture
def leader(client, make_user, sign_in):
    make_user("leadership", site=None)
    sign_in(client, "leadership@clinic.example")
    return client


def _small_counts(html: str) -> list[str]:
    """Numbers 1..10 in the cells of counts of respondents."""
    cells = re.findall(r"<td class=\"num\">\s*(\d+)(?:\s*\([^)]*\))?\s*</td>", html)
    return [c for c in cells if 1 <= int(c) <= 10]


PAGES = [
    "/reports",
    "/reports/messengers",
    "/reports/resources",
    "/reports/stakeholders",
    "/reports/clusters",
    f"/reports/profile/{SITE}",
    "/reports/profile",
]


def test_chw_gets_403_everywhere(scan, client, make_user, sign_in):
    make_user("chw")
    sign_in(client, "chw@clinic.example")
    for page in [*PAGES, "/reports/messengers.csv"]:
        assert client.get(page).status_code == 403, page


def test_pages_render_with_no_small_counts_and_are_audited(scan, leader):
    for page in PAGES:
        response = leader.get(page)
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert _small_counts(html) == [], page
        assert 'style="' not in html and "<script>" not in html
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.view")
    ).all()
    assert {e.details["report"] for e in events} >= {
        "overview",
        "messengers",
        "resources",
        "stakeholders",
        "clusters",
        "profile",
    }


def test_messengers_show_bars_table_and_suppression(scan, leader):
    html = leader.get("/reports/messengers").get_data(as_text=True)
    assert "<meter" in html and "Family" in html
    assert "&lt;11" in html  # the 4 Vietnamese answers are not shown as 4


def test_language_filter(scan, leader):
    html = leader.get("/reports/messengers?language=en").get_data(as_text=True)
    assert "Doctors, nurses and clinic staff" in html
    assert re.search(r"<td class=\"num\">12</td>", html)
    assert ">26<" not in html  # only English respondents are counted
    assert leader.get("/reports/messengers?language=xx").status_code == 400


def test_leadership_sees_only_its_site(scan, client, make_user, sign_in):
    make_user("leadership", site=SITE)
    sign_in(client, "leadership@clinic.example")
    html = client.get("/reports/stakeholders").get_data(as_text=True)
    assert "Oak Hollow Food Bank" in html
    assert "Valle Verde Family Resource Center" not in html  # named at the other site only
    assert OTHER_SITE not in html
    assert client.get(f"/reports/messengers?site={OTHER_SITE}").status_code == 404
    assert client.get(f"/reports/profile/{OTHER_SITE}").status_code == 404
    body = client.get("/reports/messengers.csv").get_data(as_text=True)
    assert "el pastor" not in body and "13" not in body


def test_stakeholder_buckets(scan, leader):
    html = leader.get("/reports/stakeholders").get_data(as_text=True)
    current = html.split('id="table-current_trusted"')[1].split("</table>")[0]
    prospective = html.split('id="table-prospective"')[1].split("</table>")[0]
    unmentioned = html.split('id="table-unmentioned_partners"')[1].split("</table>")[0]
    assert "Oak Hollow Food Bank" in current
    assert "Valle Verde Family Resource Center" in prospective
    assert "Sunrise Housing Coalition" in unmentioned


def _first_cluster(client):
    html = client.get("/reports/clusters").get_data(as_text=True)
    action = re.search(r'action="(/reports/clusters/messengers/\d+)"', html).group(1)
    return html, action


def test_cluster_rename_and_verify_with_csrf_and_audit(scan, leader):
    html, action = _first_cluster(leader)
    assert leader.post(action, data={"action": "rename", "name": "Moms"}).status_code == 400
    token = csrf_token_of(html)
    response = leader.post(action, data={"csrf_token": token, "action": "rename", "name": "Moms"})
    assert response.status_code == 303
    leader.post(action, data={"csrf_token": token, "action": "verify"})
    review = db.session.scalars(sa.select(ClusterReview)).one()
    assert review.name == "Moms" and review.verified
    page = leader.get("/reports/clusters").get_data(as_text=True)
    assert "Moms" in page and "verified" in page
    actions = db.session.scalars(
        sa.select(AuditEvent.details).where(AuditEvent.action == "cluster.review")
    ).all()
    assert [a["action"] for a in actions] == ["rename", "verify"]


def test_cluster_examples_only_for_large_groups(scan, leader):
    html = leader.get("/reports/clusters").get_data(as_text=True)
    assert "mi mamá" in html  # a cluster of 14 or more respondents
    assert "la escuela" not in html  # 3 respondents


@pytest.mark.parametrize(
    "name", ["messengers", "resources", "entities", "stakeholders", "clusters", "overview"]
)
def test_exports_are_suppressed_and_audited(scan, leader, name):
    response = leader.get(f"/reports/{name}.csv?language=es")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if c.isdigit() and 1 <= int(c) <= 10]
    xlsx = leader.get(f"/reports/{name}.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.export")
    ).all()
    assert len(events) == 2 and events[0].details["filters"] == {"language": "es"}


def test_export_cells_are_neutralized(app, loaded_surveys, client, make_user, sign_in):
    _store([("=HYPERLINK(1)", "es", SITE)] * 11, "trusted_messenger")
    run = execute(queue_run("trusted_messenger"))
    run.summary = {
        **run.summary,
        "entities": [{"name": "=cmd|x", "kind": "org", "count": 11, "answer_ids": []}],
    }
    db.session.execute(sa.text("UPDATE answer_tags SET entities = :e"), {"e": '["=cmd|x"]'})
    rollups.rebuild(run)  # the tags were changed behind the analysis job's back
    db.session.commit()
    make_user("admin", site=None)
    sign_in(client, "admin@clinic.example")
    body = client.get("/reports/entities.csv").get_data(as_text=True)
    assert "'=cmd|x" in body


def test_rarely_named_people_are_never_listed(app, loaded_surveys, client, make_user, sign_in):
    _store([("la señora del taco", "es", SITE)] * 4, "trusted_messenger")
    _store([("el padre de la iglesia", "es", SITE)] * 12, "trusted_messenger")
    run = execute(queue_run("trusted_messenger"))
    run.summary = {
        **run.summary,
        "entities": [
            {"name": "Doña Chela", "kind": "person", "count": 4, "answer_ids": []},
            {"name": "Iglesia Central", "kind": "church", "count": 12, "answer_ids": []},
        ],
    }
    db.session.execute(
        sa.text(
            "UPDATE answer_tags SET entities = :e"
            " WHERE answer_id IN (SELECT id FROM answers WHERE raw_text = :v)"
        ),
        [
            {"e": '["Doña Chela"]', "v": "la señora del taco"},
            {"e": '["Iglesia Central"]', "v": "el padre de la iglesia"},
        ],
    )
    rollups.rebuild(run)
    db.session.commit()
    make_user("leadership", site=None)
    sign_in(client, "leadership@clinic.example")
    html = client.get("/reports/messengers").get_data(as_text=True)
    assert "Iglesia Central" in html
    assert "Doña Chela" not in html
    assert "1 more name, given by fewer than 11 respondents" in html
    body = client.get("/reports/entities.csv").get_data(as_text=True)
    assert "Iglesia Central" in body and "Doña Chela" not in body


def test_stakeholder_map_lists_a_name_once_and_never_the_clinic_itself(
    app, loaded_surveys, client, make_user, sign_in
):
    site_name = db.session.scalar(sa.select(Site.name).where(Site.slug == SITE))
    for question, text in (
        ("trusted_messenger", "la radio"),
        ("resources", "la radio y la clinica"),
    ):
        _store([(text, "es", SITE)] * 12, question)
        run = execute(queue_run(question))
        names = ["Radio Sol 99", site_name] if question == "resources" else ["Radio Sol 99"]
        run.summary = {
            **run.summary,
            "entities": [
                {"name": name, "kind": "media", "count": 12, "answer_ids": []} for name in names
            ],
        }
        db.session.execute(
            sa.text("UPDATE answer_tags SET entities = :e WHERE run_id = :r"),
            {"e": json.dumps(names), "r": run.id},
        )
        rollups.rebuild(run)
    db.session.commit()
    make_user("leadership", site=None)
    sign_in(client, "leadership@clinic.example")
    html = client.get("/reports/stakeholders").get_data(as_text=True)
    assert html.count('<th scope="row">Radio Sol 99</th>') == 1
    assert f'<th scope="row">{site_name}</th>' not in html


# --- page details: names not codes, the profile link, narrow screens, the favicon -----------


def _table_of(html: str, caption: str) -> str:
    return html.split(f"<caption>{caption}</caption>")[1].split("</table>")[0]


def test_profile_keeps_the_language_switcher_and_lists_named_themes_only(scan, leader):
    html = leader.get(f"/reports/profile/{SITE}").get_data(as_text=True)
    switcher = html.split('class="languages"')[1].split("</nav>")[0]
    assert '<a href="?lang=es" lang="es"' in switcher and ">Español</a>" in switcher
    assert "CountRow" not in html
    languages = _table_of(html, "Languages of respondents")
    # Named, larger groups first: Spanish 14, English 12, Vietnamese 4 (not shown).
    assert re.findall(r'<th scope="row" lang="[^"]+">([^<]+)</th>', languages) == [
        "Español",
        "English",
        "Tiếng Việt",
    ]
    assert "Text message (SMS)" in _table_of(html, "How respondents answered")
    # Only family and clinician themes are named at this site: no rows of 0 respondents.
    top = _table_of(html, "Top trusted messengers")
    assert "Family" in top and "Doctors, nurses and clinic staff" in top
    assert top.count("<tr>") == 3 and '<td class="num">0</td>' not in top


def test_breakdowns_name_languages_and_sites(scan, leader):
    html = leader.get("/reports/messengers?by=language").get_data(as_text=True)
    assert '<th scope="col" lang="es">Español</th>' in html
    assert '<th scope="col" lang="vi">Tiếng Việt</th>' in html
    assert not re.search(r"<th scope=\"col\"[^>]*>(es|en|vi)</th>", html)
    html = leader.get("/reports/messengers?by=site").get_data(as_text=True)
    assert '<th scope="col">Valle Verde</th>' in html and f">{SITE}<" not in html
    body = leader.get("/reports/messengers.csv?by=site").get_data(as_text=True)
    assert "Valle Verde: Respondents" in body and f"{SITE}:" not in body
    html = leader.get("/reports/stakeholders").get_data(as_text=True)
    current = html.split('id="table-current_trusted"')[1].split("</table>")[0]
    assert "<td>English (12)</td>" in current
    assert "<td>Food assistance program</td>" in current  # the inventory's word, not a code
    body = leader.get("/reports/stakeholders.csv").get_data(as_text=True)
    assert "English (12)" in body and "en (12)" not in body
    assert "Current partners patients also name" in body and "current_trusted" not in body


def test_month_cells_read_zero_alike(scan, leader):
    html = leader.get("/reports/resources").get_data(as_text=True)
    months = html.split("<caption>Respondents per resource theme and month")[1].split("</table>")[0]
    assert '<td class="num">0</td>' in months and "(0%)" not in months


def test_cell_text_and_share_treat_zero_alike():
    from fieldscan.reports.aggregates import Cell
    from fieldscan.reports.privacy import SUPPRESSED
    from fieldscan.reports.tables import cell_share, cell_text

    assert cell_text(Cell(0, 0.0)) == cell_text(Cell(0, None)) == "0"
    assert cell_text(Cell(12, 0.4)) == "12 (40%)" and cell_text(Cell(12, None)) == "12"
    assert cell_text(Cell(SUPPRESSED, None)) == "<11"
    assert cell_share(Cell(0, 0.0), 33) == cell_share(Cell(0, None), SUPPRESSED) == "0%"
    assert cell_share(Cell(12, 0.4), 30) == "40%" and cell_share(Cell(SUPPRESSED, None), 30) == ""


def test_top_themes_leave_out_zeros_and_show_suppressed_last():
    from fieldscan.reports.aggregates import Cell, ThemeReport, ThemeRow
    from fieldscan.reports.privacy import SUPPRESSED
    from fieldscan.reports.tables import top_themes

    def row(theme, count):
        return ThemeRow(theme, Cell(count, None), ())

    rows = (row("a", 30), row("b", 0), row("c", SUPPRESSED), row("d", 12), row("none", 40))
    report = ThemeReport("q", None, "language", (), (), 90, rows)
    assert [r.theme for r in top_themes(report)] == ["a", "d", "c"]
    assert [r.theme for r in top_themes(report, 2)] == ["a", "d"]


def test_the_navigation_leads_to_the_community_profile(scan, app, make_user, sign_in, leader):
    # A leader of all sites picks one; a site filter goes straight to it.
    html = leader.get("/reports").get_data(as_text=True)
    assert '<a href="/reports/profile">Community profile</a>' in html
    picker = leader.get("/reports/profile?language=es").get_data(as_text=True)
    for slug, name in ((SITE, "Valle Verde"), (OTHER_SITE, "Rio Claro")):
        assert f'<a href="/reports/profile/{slug}?language=es">{name}</a>' in picker
    profile = leader.get(f"/reports/profile/{SITE}").get_data(as_text=True)
    assert '<a href="/reports/profile">Community profile</a>' in profile  # to switch sites
    response = leader.get(f"/reports/profile?site={OTHER_SITE}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/reports/profile/{OTHER_SITE}")
    # A leader of one site goes to theirs, from the link and from the picker's address.
    make_user("leadership", email="lead-vv@clinic.example", site=SITE)
    client = app.test_client()
    sign_in(client, "lead-vv@clinic.example")
    html = client.get("/reports/stakeholders?language=es").get_data(as_text=True)
    assert f'<a href="/reports/profile/{SITE}?language=es">Community profile</a>' in html
    assert client.get("/reports/profile").headers["Location"].endswith(f"/reports/profile/{SITE}")
    assert client.get(f"/reports/profile?site={OTHER_SITE}").status_code == 404


def test_report_tables_scroll_in_their_own_box_and_pages_have_a_favicon(scan, leader):
    for page in PAGES:
        html = leader.get(page).get_data(as_text=True)
        wrapped = re.findall(
            r'<div class="table-scroll" tabindex="0" role="region" aria-label="[^"]+">\s*<table',
            html,
        )
        assert len(wrapped) == html.count("<table"), page
        assert '<link rel="icon" href="/static/favicon.png" type="image/png"' in html
    with leader.get("/static/favicon.png") as icon:  # a file response: closed when read
        assert icon.status_code == 200 and icon.mimetype == "image/png"
        assert icon.get_data().startswith(b"\x89PNG")
