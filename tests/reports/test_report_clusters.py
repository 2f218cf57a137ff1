"""Cluster review: merge, split off answers, promote into the taxonomy (services and pages)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from fieldscan.analysis_jobs.services import execute, latest_run, queue_run, tag_new_answers
from fieldscan.extensions import db
from fieldscan.models import (
    Answer,
    AnswerTag,
    AuditEvent,
    ClusterEdit,
    TaxonomyOverlay,
)
from fieldscan.reports import aggregates
from fieldscan.reports import clusters as service
from fieldscan.reports import taxonomy_overlay as overlay
from tests.fixtures_accounts import SITE, csrf_token_of
from tests.reports.report_helpers import store_answers

MESSENGERS = [("mi mamá y mi abuela", "es")] * 12 + [("my doctor at the clinic", "en")] * 12
RESOURCES = (
    [("the Oak Hollow Food Bank", "en")] * 12
    + [("necesito pañales para el bebé", "es")] * 11
    + [("a double stroller please", "en")] * 12
)
ALL = aggregates.Filters()


_store = store_answers


@pytest.fixture
def scan(app, loaded_surveys):
    _store(MESSENGERS, "trusted_messenger")
    _store(RESOURCES, "resources")
    execute(queue_run("trusted_messenger"))
    execute(queue_run("resources"))


def _cluster(question_id: str, theme: str) -> int:
    found = [c for c in latest_run(question_id).summary["clusters"] if c["theme"] == theme]
    assert len(found) == 1, found
    return int(found[0]["id"])


def _row(question_id: str, cluster_id: int):
    rows = {r.cluster_id: r for r in service.clusters(question_id, ALL, None)}
    return rows.get(cluster_id)


def _tagged(question_id: str, cluster_id: int) -> int:
    run = latest_run(question_id)
    query = sa.select(sa.func.count()).where(
        AnswerTag.run_id == run.id, AnswerTag.cluster == cluster_id
    )
    return db.session.scalar(query)


# --- services ------------------------------------------------------------------------------


def test_merge_moves_answers_keeps_the_target_and_counts_later_answers(scan, make_user):
    user = make_user("leadership", site=None)
    family = _cluster("trusted_messenger", "family")
    clinician = _cluster("trusted_messenger", "clinician")
    service.review_cluster("trusted_messenger", clinician, user.id, name="Health staff")
    edit = service.merge_clusters("trusted_messenger", family, clinician, user.id)
    db.session.commit()

    assert (_tagged("trusted_messenger", family), _tagged("trusted_messenger", clinician)) == (
        0,
        24,
    )
    assert len(edit.answer_ids) == 12 and edit.before[str(family)]["theme"] == "family"
    assert _row("trusted_messenger", family) is None
    merged = _row("trusted_messenger", clinician)
    assert merged.name == "Health staff" and merged.size == 24 and merged.derived == "merge"
    described = next(
        c for c in latest_run("trusted_messenger").summary["clusters"] if c["id"] == clinician
    )
    assert described["size"] == 24 and described["languages"] == {"en": 12, "es": 12}
    assert described["top_terms"] == ["abuela"]  # the merged-away cluster's term now counts here
    assert described["label"] == "clinician: abuela" and described["examples"] == []

    # A later answer that the frozen model puts in the merged-away cluster counts in its target.
    _store([("mi mamá y mi abuela", "es")], "trusted_messenger")
    assert tag_new_answers("trusted_messenger") == 1
    assert _tagged("trusted_messenger", family) == 1
    assert _row("trusted_messenger", clinician).size == 25
    with pytest.raises(service.ClusterEditError):
        service.merge_clusters("trusted_messenger", clinician, clinician, user.id)
    with pytest.raises(service.ClusterEditError):
        service.merge_clusters("trusted_messenger", family, clinician, user.id)  # gone


def test_split_by_a_phrase_normalised_like_the_taxonomy(scan, make_user):
    user = make_user("leadership", site=None)
    food = _cluster("resources", "food")
    for phrase, name in [("zanahoria", "X"), ("panales", " "), (" * ", "X")]:
        with pytest.raises(service.ClusterEditError):
            service.split_cluster("resources", food, phrase, name, user.id)
    edit = service.split_cluster("resources", food, "PANALES", "Diapers", user.id)
    db.session.commit()

    new = edit.target_id
    assert new not in {food, _cluster("resources", "none")}
    assert (_tagged("resources", food), _tagged("resources", new)) == (12, 11)
    row = _row("resources", new)
    assert row.name == "Diapers" and row.theme == "food" and row.size == 11
    assert row.examples == ["necesito pañales para el bebé"]  # 11 respondents: quoted
    assert "panales" in row.terms and "panales" not in _row("resources", food).terms
    assert _row("resources", food).size == 12
    with pytest.raises(service.ClusterEditError, match="Every answer"):
        service.split_cluster("resources", food, "OAK hollow", "Oaks", user.id)
    stored = db.session.scalars(sa.select(ClusterEdit)).one()
    assert (stored.action, stored.phrase, len(stored.answer_ids)) == ("split", "PANALES", 11)


def test_promoted_theme_is_used_by_the_next_run(scan, make_user):
    user = make_user("leadership", site=None)
    unnamed = _cluster("resources", "none")
    with pytest.raises(overlay.OverlayError, match="already signals"):
        overlay.promote("resources", ["pañales"], user.id, new_label="Baby gear")
    with pytest.raises(overlay.OverlayError):
        overlay.promote("resources", [], user.id, new_label="Baby gear")
    with pytest.raises(overlay.OverlayError):
        overlay.promote("resources", ["cuna"], user.id, theme="none")
    row = overlay.promote(
        "resources", ["stroller"], user.id, new_label="Baby gear", cluster_id=unnamed
    )
    more = overlay.promote("resources", ["double stroller*"], user.id, theme="baby_gear")
    db.session.commit()
    assert (row.theme, row.label, more.label) == ("baby_gear", "Baby gear", None)
    labels = aggregates.theme_labels("resources")
    assert labels[-2:] == ("baby_gear", "none")

    run = execute(queue_run("resources"))
    assert run.taxonomy_version == "1+staff.2"
    themes = db.session.execute(
        sa.select(Answer.value, AnswerTag.themes)
        .join(AnswerTag, AnswerTag.answer_id == Answer.id)
        .where(AnswerTag.run_id == run.id)
    ).all()
    assert {v: t for v, t in themes}["a double stroller please"] == ["baby_gear"]
    assert {v: t for v, t in themes}["the Oak Hollow Food Bank"] == ["food"]
    report = aggregates.theme_report("resources", ALL, None)
    gear = next(r for r in report.rows if r.theme == "baby_gear")
    assert gear.total.count == 12


# --- pages ---------------------------------------------------------------------------------


@pytest.fixture
def leader(client, make_user, sign_in):
    make_user("leadership", site=None)
    sign_in(client, "leadership@clinic.example")
    return client


def _page(client):
    html = client.get("/reports/clusters").get_data(as_text=True)
    return html, csrf_token_of(html)


def _actions(client) -> list[str]:
    return db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_cluster_edit_pages_need_csrf_and_are_audited(scan, leader):
    family = _cluster("trusted_messenger", "family")
    clinician = _cluster("trusted_messenger", "clinician")
    food = _cluster("resources", "food")
    unnamed = _cluster("resources", "none")
    html, token = _page(leader)
    assert f'action="/reports/clusters/messengers/{family}/merge"' in html
    assert 'name="term" value="stroller"' in html and "<script>" not in html

    merge = f"/reports/clusters/messengers/{family}/merge"
    assert leader.post(merge, data={"target": clinician}).status_code == 400  # no CSRF token
    assert leader.post(merge, data={"csrf_token": token, "target": clinician}).status_code == 303
    assert _tagged("trusted_messenger", family) == 0

    split = f"/reports/clusters/resources/{food}/split"
    response = leader.post(
        split,
        data={"csrf_token": token, "phrase": "zanahoria", "new_name": "X"},
        follow_redirects=True,
    )
    assert "No answer of this cluster contains" in response.get_data(as_text=True)
    response = leader.post(
        split, data={"csrf_token": token, "phrase": "pañales", "new_name": "Diapers"}
    )
    assert response.status_code == 303

    promote = f"/reports/clusters/resources/{unnamed}/promote"
    response = leader.post(
        promote,
        data={
            "csrf_token": token,
            "theme": "__new__",
            "theme_name": "Baby gear",
            "term": ["stroller"],
            "extra_terms": "pram, buggy",
        },
        follow_redirects=True,
    )
    assert "the next analysis run uses it" in response.get_data(as_text=True)
    row = db.session.scalars(sa.select(TaxonomyOverlay)).one()
    assert (row.theme, row.terms) == ("baby_gear", ["stroller", "pram", "buggy"])
    page = leader.get("/reports/clusters").get_data(as_text=True)
    assert "Diapers" in page and '<option value="baby_gear">Baby gear</option>' in page
    actions = _actions(leader)
    assert [a for a in actions if a.startswith(("cluster.", "taxonomy."))] == [
        "cluster.merge",
        "cluster.split",
        "taxonomy.promote",
    ]
    details = db.session.scalars(
        sa.select(AuditEvent.details).where(AuditEvent.action == "cluster.split")
    ).one()
    assert "pañales" not in str(details)  # the phrase stays in cluster_edits, not the log


def test_cluster_edits_need_an_organisation_wide_leader(scan, app, client, make_user, sign_in):
    family = _cluster("trusted_messenger", "family")
    clinician = _cluster("trusted_messenger", "clinician")
    make_user("chw")
    make_user("leadership", email="site-leader@clinic.example", site=SITE)
    sign_in(client, "site-leader@clinic.example")
    html, token = _page(client)
    assert "/merge" not in html and "/promote" not in html
    for action in ("merge", "split", "promote"):
        path = f"/reports/clusters/messengers/{family}/{action}"
        data = {"csrf_token": token, "target": clinician, "phrase": "mama", "new_name": "X"}
        assert client.post(path, data=data).status_code == 403, action
    chw = app.test_client()
    sign_in(chw, "chw@clinic.example")
    assert chw.get("/reports/clusters").status_code == 403
    token = csrf_token_of(chw.get("/", follow_redirects=True).get_data(as_text=True))
    path = f"/reports/clusters/messengers/{family}/merge"
    assert chw.post(path, data={"csrf_token": token, "target": clinician}).status_code == 403
    assert _tagged("trusted_messenger", family) == 12
    assert re.search(r"cluster\.", " ".join(_actions(client))) is None
