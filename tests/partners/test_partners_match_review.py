"""Staff review of entity↔partner matches: the list (privacy rule), decisions (CSRF, audit),
roles and site isolation, and the stakeholder map reading the decisions."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from fieldscan.accounts.services import get_or_create_site
from fieldscan.extensions import db
from fieldscan.instruments.services import get_version
from fieldscan.models import (
    AnalysisRun,
    Answer,
    AnswerTag,
    Channel,
    PartnerMatch,
    PartnerMatchStatus,
    Response,
    ResponseStatus,
    RunStatus,
)
from fieldscan.partners import review, services
from fieldscan.partners.matching import stakeholder_map
from tests.fixtures_accounts import OTHER_SITE, SITE, csrf_token_of
from tests.partners.partner_helpers import audits

#: name: (kind, respondents, site) as the newest analysis of "resources" found them.
NAMED = {
    "Oak Hollow Food Bank": ("food", 12, SITE),
    "Lark Valley Pantry": ("food", 3, SITE),  # rare, but a registry partner: shown
    "Dr. Ramirez": ("person", 4, SITE),  # a rarely named person: never shown
    "Quiet Creek Mutual Aid": ("org", 3, SITE),  # rare, matches no partner: not shown
    "Sunrise Community Garden": ("org", 11, SITE),  # 11 respondents: shown
    "County Public Health Department": ("public", 12, SITE),
    "Rio Claro Public Library": ("public", 12, OTHER_SITE),  # the other site's only
}


def _store_run(named: dict[str, tuple[str, int, str]]) -> None:
    """Answers naming each entity, and a finished run that tagged them (no model needed)."""
    version = get_version("children_scan")
    run = AnalysisRun(
        question_id="resources",
        taxonomy_id="resources",
        status=RunStatus.done,
        summary={
            "clusters": [],
            "entities": [
                {"name": name, "kind": kind, "count": n} for name, (kind, n, _) in named.items()
            ],
        },
    )
    db.session.add(run)
    for name, (_, n, slug) in named.items():
        for _ in range(n):
            response = Response(
                survey_version=version,
                channel=Channel.sms,
                language="en",
                status=ResponseStatus.completed,
                site=get_or_create_site(slug),
            )
            answer = Answer(question_id="resources", value=name, raw_text=name, language="en")
            response.answers.append(answer)
            db.session.add(response)
            db.session.flush()
            db.session.add(
                AnswerTag(
                    run=run,
                    answer_id=answer.id,
                    primary_theme="none",
                    themes=["none"],
                    entities=[name],
                )
            )
    db.session.commit()


@pytest.fixture
def registry(app, loaded_surveys, sites, add_partner):
    """The scan's run and a registry: partners of both sites and one organisation-wide."""
    _store_run(NAMED)
    return {
        "bank": add_partner(
            "Oak Hollow Food Bank", sites[SITE], kind="food_assistance", relationship="current"
        ),
        "pantry": add_partner("Lark Valley Food Pantry", sites[SITE], kind="food_assistance"),
        "network": add_partner("Greenfield Family Network", sites[SITE], relationship="current"),
        "county": add_partner("County Public Health", None, kind="public_health"),
        "library": add_partner("Rio Claro Public Library", sites[OTHER_SITE], kind="library"),
    }


def _rows(html: str) -> dict[str, str]:
    """Each listed entity's table row, by the entity's name."""
    rows = re.findall(r'<tr id="entity-[0-9a-f]+">\s*<th scope="row">([^<]+)(.*?)</tr>', html, re.S)
    return {name.strip(): body for name, body in rows}


def _post(client, html: str, **data):
    return client.post("/partners/matches", data={"csrf_token": csrf_token_of(html), **data})


def test_the_list_follows_the_privacy_rule_and_the_readers_sites(registry, staff):
    leader = staff("leadership")  # of valle_verde
    response = leader.get("/partners/matches")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = _rows(html)
    assert set(rows) == {
        "Oak Hollow Food Bank",
        "Lark Valley Pantry",
        "Sunrise Community Garden",
        "County Public Health Department",
    }
    for hidden in ("Dr. Ramirez", "Quiet Creek Mutual Aid", "Rio Claro Public Library"):
        assert hidden not in html
    assert "2 more names" in html  # the person and the rare unmatched organisation
    assert re.search(r'<td class="num">\s*&lt;11\s*</td>', rows["Lark Valley Pantry"])
    assert re.search(r'<td class="num">\s*12\s*</td>', rows["Oak Hollow Food Bank"])
    assert not re.search(r'<td class="num">\s*([1-9]|10)\s*</td>', html)
    # Candidates with their score and why; the other site's partner is never offered.
    assert "Lark Valley Food Pantry" in rows["Lark Valley Pantry"]
    oak = rows["Oak Hollow Food Bank"]
    assert "Score 100" in oak and "same name" in oak
    assert "Rio Claro" not in html
    # The organisation-wide partner is a candidate a site leader may not decide about.
    county = rows["County Public Health Department"]
    assert "County Public Health" in county and 'value="confirm"' not in county
    [event] = audits("partner_matches.view")
    assert event.actor_id == leader.user.id and event.details == {"entities": 4, "hidden": 2}


def test_the_stakeholder_map_links_to_the_review(registry, staff):
    html = staff("leadership").get("/reports/stakeholders").get_data(as_text=True)
    assert 'href="/partners/matches"' in html


def test_chw_gets_403(registry, staff):
    chw = staff("chw")
    assert chw.get("/partners/matches").status_code == 403
    token = csrf_token_of(chw.get("/").get_data(as_text=True))
    data = {"csrf_token": token, "entity": review.entity_ref("Oak Hollow Food Bank")}
    response = chw.post("/partners/matches", data={**data, "partner": "1", "action": "confirm"})
    assert response.status_code == 403
    assert db.session.scalars(sa.select(PartnerMatch)).all() == []


def test_confirm_reject_and_link_by_hand_drive_the_map(registry, staff):
    leader = staff("leadership")
    html = leader.get("/partners/matches").get_data(as_text=True)
    bank, network = registry["bank"], registry["network"]
    oak = review.entity_ref("Oak Hollow Food Bank")
    garden = review.entity_ref("Sunrise Community Garden")
    assert f'value="{oak}"' in html and f'value="{garden}"' in html

    # CSRF is checked.
    plain = {"entity": oak, "partner": str(bank.id), "action": "confirm"}
    assert leader.post("/partners/matches", data=plain).status_code == 400
    response = _post(leader, html, **plain)
    assert response.status_code == 303 and response.location.endswith(f"#entity-{oak}")
    # Link a name with no candidate to a partner by hand.
    linked = _post(leader, html, entity=garden, partner=str(network.id), action="confirm")
    assert linked.status_code == 303
    decisions = {(m.entity_name, m.partner_id): m.status for m in services.confirmations()}
    assert decisions == {
        ("Oak Hollow Food Bank", bank.id): PartnerMatchStatus.confirmed,
        ("Sunrise Community Garden", network.id): PartnerMatchStatus.confirmed,
    }
    assert [e.details for e in audits("partner_match.confirm")] == [
        {"partner_id": bank.id},
        {"partner_id": network.id},
    ]
    assert all(e.actor_id == leader.user.id for e in audits("partner_match.confirm"))

    site_ids = [registry["bank"].site_id]
    partners = review.reviewable_partners(site_ids)
    entities = [
        {"name": e["name"], "kind": e["kinds"][0], "count": e["count"]}
        for e in review.named_entities(site_ids)
    ]
    mapped = stakeholder_map(entities, partners, services.confirmations())
    current = {item["name"]: item for item in mapped["current_trusted"]}
    assert current["Oak Hollow Food Bank"]["confirmed"] is True
    assert current["Greenfield Family Network"]["confirmed"] is True  # linked by hand

    page = leader.get("/partners/matches").get_data(as_text=True)
    assert "confirmed" in _rows(page)["Oak Hollow Food Bank"]

    # Rejecting takes the bank off the map for that name.
    assert _post(leader, page, entity=oak, partner=str(bank.id), action="reject").status_code == 303
    assert len(audits("partner_match.reject")) == 1
    mapped = stakeholder_map(entities, partners, services.confirmations())
    assert "Oak Hollow Food Bank" not in {i["name"] for i in mapped["current_trusted"]}
    assert _post(leader, page, entity=oak, partner=str(bank.id), action="merge").status_code == 400


def test_decisions_stay_within_the_readers_sites(registry, staff, make_user, sign_in, app):
    leader = staff("leadership")
    html = leader.get("/partners/matches").get_data(as_text=True)
    county_entity = review.entity_ref("County Public Health Department")
    cases = [
        # the other site's entity, partner and an organisation-wide partner
        (review.entity_ref("Rio Claro Public Library"), registry["library"].id),
        (county_entity, registry["library"].id),
        (county_entity, registry["county"].id),
        # a name hidden for privacy, and an unknown reference
        (review.entity_ref("Dr. Ramirez"), registry["network"].id),
        ("0" * 20, registry["network"].id),
    ]
    for entity, partner in cases:
        response = _post(leader, html, entity=entity, partner=str(partner), action="confirm")
        assert response.status_code == 404, (entity, partner)
    assert db.session.scalars(sa.select(PartnerMatch)).all() == []

    # A leader of every site decides about organisation-wide partners, not hidden names.
    admin = staff("admin", site=None)
    page = admin.get("/partners/matches").get_data(as_text=True)
    assert "Rio Claro Public Library" in _rows(page)
    county = str(registry["county"].id)
    ok = _post(admin, page, entity=county_entity, partner=county, action="confirm")
    assert ok.status_code == 303
    hidden = _post(
        admin,
        page,
        entity=review.entity_ref("Dr. Ramirez"),
        partner=str(registry["network"].id),
        action="confirm",
    )
    assert hidden.status_code == 404
    assert [m.entity_name for m in services.confirmations()] == ["County Public Health Department"]
