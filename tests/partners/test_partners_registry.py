"""Partner registry pages: roles, site isolation, CSRF, forms from the inventory, audit."""

from __future__ import annotations

import pytest

from fieldscan.models import PartnerRelationship
from fieldscan.partners import inventory, services
from tests.fixtures_accounts import OTHER_SITE, SITE
from tests.partners.partner_helpers import audits, partners_named

PAGES = ["/partners", "/partners/new", "/partners/import"]


def form_data(site_id="", **values):
    data = {
        "name": "Oak Hollow Food Bank",
        "kind": "food_assistance",
        "services": ["food_assistance", "transportation"],
        "relationship": "current",
        "mou": "y",
        "dxf": "signed_not_exchanging",
        "aliases": "Banco de Comida de Oak Hollow\r\n\r\nthe food bank on elm\r\n",
        "notes": "Ask for the volunteer coordinator.",
        "site": str(site_id),
    }
    data.update(values)
    return data


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(("role", "status"), [("chw", 403), ("leadership", 200), ("admin", 200)])
def test_pages_by_role(staff, path, role, status):
    assert staff(role).get(path).status_code == status


def test_anonymous_is_sent_to_login(client):
    for path in [*PAGES, "/partners/1/edit"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_chw_cannot_edit(staff, sites, add_partner):
    partner = add_partner("Oak Hollow Food Bank", site=sites[SITE])
    assert staff("chw").get(f"/partners/{partner.id}/edit").status_code == 403


def test_form_offers_the_inventorys_choices(staff):
    html = staff("admin").get("/partners/new").get_data(as_text=True)
    for value in inventory.values("org_kind") + inventory.values("services"):
        assert f'value="{value}"' in html, value
    for value in inventory.values("dxf"):
        assert f'value="{value}"' in html
    assert 'type="checkbox"' in html and "<fieldset" in html and "<legend>" in html
    assert 'name="csrf_token"' in html
    assert "<script" not in html.split("</header>", 1)[1]  # no inline or page script


def test_labels_are_in_the_readers_language(staff):
    html = staff("admin").get("/partners/new?lang=es").get_data(as_text=True)
    assert "Programa de ayuda con alimentos" in html and "Biblioteca" in html


def test_admin_adds_a_partner_with_every_field(staff, sites, post_form):
    admin = staff("admin")
    response = post_form(admin, "/partners/new", "/partners/new", form_data(sites[SITE].id))
    assert response.status_code == 302 and response.headers["Location"].endswith("/partners")
    partner = partners_named()["Oak Hollow Food Bank"]
    assert partner.kind == "food_assistance"
    assert partner.services == ["transportation", "food_assistance"]  # inventory order
    assert partner.relationship is PartnerRelationship.current
    assert partner.mou is True and partner.dxf == "signed_not_exchanging"
    assert partner.aliases == ["Banco de Comida de Oak Hollow", "the food bank on elm"]
    assert partner.notes == "Ask for the volunteer coordinator."
    assert partner.site_id == sites[SITE].id

    [event] = audits("partner.create")
    assert event.object_id == str(partner.id) and event.actor_id == admin.user.id
    assert event.site_id == sites[SITE].id
    assert "name" in event.details["fields"] and "aliases" in event.details["fields"]
    assert "Oak Hollow" not in str(event.details)  # field names, never values

    listing = admin.get("/partners").get_data(as_text=True)
    assert "Oak Hollow Food Bank" in listing and "the food bank on elm" in listing


def test_admin_adds_an_organisation_wide_partner(staff, sites, post_form):
    admin = staff("admin")
    post_form(admin, "/partners/new", "/partners/new", form_data(""))
    assert partners_named()["Oak Hollow Food Bank"].site_id is None


def test_site_leader_adds_to_their_own_site_only(staff, sites, post_form):
    leader = staff("leadership")
    page = leader.get("/partners/new").get_data(as_text=True)
    assert f'value="{sites[SITE].id}"' in page
    assert f'value="{sites[OTHER_SITE].id}"' not in page
    assert "All sites (whole organisation)" not in page

    refused = post_form(leader, "/partners/new", "/partners/new", form_data(sites[OTHER_SITE].id))
    assert refused.status_code == 200 and partners_named() == {}
    refused = post_form(leader, "/partners/new", "/partners/new", form_data(""))
    assert refused.status_code == 200 and partners_named() == {}

    post_form(leader, "/partners/new", "/partners/new", form_data(sites[SITE].id))
    assert partners_named()["Oak Hollow Food Bank"].site_id == sites[SITE].id


def test_organisation_leader_may_choose_all_sites(staff, sites, post_form):
    leader = staff("leadership", site=None)
    assert "All sites (whole organisation)" in leader.get("/partners/new").get_data(as_text=True)
    post_form(leader, "/partners/new", "/partners/new", form_data(""))
    assert partners_named()["Oak Hollow Food Bank"].site_id is None


def test_edit_records_the_changed_field_names(staff, sites, add_partner, post_form):
    partner = add_partner(
        "Oak Hollow Food Bank", site=sites[SITE], kind="food_assistance", relationship="current"
    )
    leader = staff("leadership")
    page = f"/partners/{partner.id}/edit"
    html = leader.get(page).get_data(as_text=True)
    assert 'value="Oak Hollow Food Bank"' in html
    data = {
        "name": "Oak Hollow Food Bank",
        "kind": "food_assistance",
        "relationship": "prospective",
        "dxf": "",
        "aliases": "La Despensa de Oak Hollow",
        "notes": "",
        "site": str(sites[SITE].id),
    }
    response = post_form(leader, page, page, data)
    assert response.status_code == 302
    stored = partners_named()["Oak Hollow Food Bank"]
    assert stored.relationship is PartnerRelationship.prospective
    assert stored.aliases == ["La Despensa de Oak Hollow"]
    [event] = audits("partner.update")
    assert event.details == {"fields": ["relationship", "aliases"]}
    assert event.actor_id == leader.user.id and event.site_id == sites[SITE].id

    post_form(leader, page, page, data)  # nothing changed: still audited
    assert audits("partner.update")[-1].details == {"fields": []}


def test_site_isolation(staff, sites, add_partner, post_form):
    ours = add_partner("Oak Hollow Food Bank", site=sites[SITE])
    theirs = add_partner("Lark Valley Library", site=sites[OTHER_SITE], kind="library")
    everyone = add_partner("County Public Health", kind="public_health")
    leader = staff("leadership")

    listing = leader.get("/partners").get_data(as_text=True)
    assert "Oak Hollow Food Bank" in listing
    assert "Lark Valley Library" not in listing and "County Public Health" not in listing
    assert (
        leader.get(f"/partners?site={sites[OTHER_SITE].id}")
        .get_data(as_text=True)
        .count("Lark Valley")
        == 0
    )
    assert leader.get(f"/partners/{theirs.id}/edit").status_code == 404
    assert leader.get(f"/partners/{everyone.id}/edit").status_code == 404
    assert leader.get("/partners/99999/edit").status_code == 404
    stolen = form_data(sites[SITE].id, name="Renamed")
    page = f"/partners/{ours.id}/edit"
    assert post_form(leader, page, f"/partners/{theirs.id}/edit", stolen).status_code == 404
    assert "Lark Valley Library" in partners_named()

    admin_listing = staff("admin").get("/partners").get_data(as_text=True)
    for name in ("Oak Hollow Food Bank", "Lark Valley Library", "County Public Health"):
        assert name in admin_listing


def test_list_filters(staff, sites, add_partner):
    add_partner("Oak Hollow Food Bank", site=sites[SITE], kind="food_assistance")
    add_partner("Saint Brigid's Parish", site=sites[SITE], kind="faith", relationship="current")
    add_partner("Lark Valley Library", site=sites[OTHER_SITE], kind="library")
    add_partner("County Public Health", kind="public_health", relationship="current")
    admin = staff("admin")

    def names(query: str) -> set[str]:
        html = admin.get(f"/partners?{query}").get_data(as_text=True)
        every = {"Oak Hollow Food Bank", "Saint Brigid", "Lark Valley Library", "County Public"}
        return {name for name in every if name in html}

    assert names("kind=faith") == {"Saint Brigid"}
    assert names("relationship=current") == {"Saint Brigid", "County Public"}
    assert names(f"site={sites[OTHER_SITE].id}") == {"Lark Valley Library"}
    assert names("site=all") == {"County Public"}
    assert names(f"site={sites[SITE].id}&relationship=prospective") == {"Oak Hollow Food Bank"}
    assert len(names("kind=nonsense&relationship=nonsense&site=x")) == 4  # ignored


def test_post_without_csrf_token_is_refused(staff, sites):
    admin = staff("admin")
    response = admin.post("/partners/new", data=form_data(sites[SITE].id))
    assert response.status_code == 400
    assert partners_named() == {} and audits("partner.create") == []


def test_invalid_form_stores_nothing(staff, sites, post_form):
    admin = staff("admin")
    blank = post_form(admin, "/partners/new", "/partners/new", form_data(name="  "))
    assert blank.status_code == 200 and 'aria-invalid="true"' in blank.get_data(as_text=True)
    bad_kind = post_form(admin, "/partners/new", "/partners/new", form_data(kind="bakery"))
    assert bad_kind.status_code == 200
    bad_service = post_form(
        admin, "/partners/new", "/partners/new", form_data(services=["spa_days"])
    )
    assert bad_service.status_code == 200
    assert partners_named() == {} and audits("partner.create") == []


def test_services_refuse_what_the_form_would(app, sites):
    data = {"name": "Oak Hollow Food Bank", "kind": "food_assistance", "site_id": None}
    with pytest.raises(services.PartnerError) as error:
        services.create_partner({**data, "kind": "bakery"}, allowed_site_ids=None)
    assert error.value.code == "bad_kind"
    with pytest.raises(services.PartnerError) as error:
        services.create_partner({**data, "dxf": "maybe"}, allowed_site_ids=None)
    assert error.value.code == "bad_dxf"
    with pytest.raises(services.PartnerError) as error:
        services.create_partner(data, allowed_site_ids=[sites[SITE].id])
    assert error.value.code == "site_forbidden"
    partner = services.create_partner(
        {**data, "aliases": [" a ", "A", "", "b  c"]}, allowed_site_ids=None, actor_label="cli"
    )
    assert partner.aliases == ["a", "b c"] and partner.relationship.value == "prospective"
