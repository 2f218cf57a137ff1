"""Staff confirm or reject suggested matches; the map reads the stored decisions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.models import PartnerMatch, PartnerMatchStatus
from fieldscan.partners import services
from fieldscan.partners.matching import CONFIRMED, REJECTED, entity_key, stakeholder_map
from tests.fixtures_accounts import SITE
from tests.partners.partner_helpers import audits

ENTITIES = [
    {"name": "Banco de Comida de Oak Hollow", "kind": "food", "count": 12, "answer_ids": ["a1"]},
    {"name": "la despensa", "kind": "food", "count": 6, "answer_ids": ["a2"]},
]


def test_confirm_and_reject_are_stored_and_audited(app, sites, make_user, add_partner):
    leader = make_user("leadership", email="lead@clinic.example")
    bank = add_partner("Oak Hollow Food Bank", site=sites[SITE], kind="food_assistance")
    other = add_partner("Oak Hollow Community Pantry", site=sites[SITE], kind="food_assistance")

    row = services.confirm_match("la despensa", "food", bank, actor=leader)
    db.session.commit()
    assert row.entity_key == entity_key("la despensa", "food") == "la despensa|food"
    assert row.status is PartnerMatchStatus.confirmed and row.confirmed_by_id == leader.id
    assert row.confirmed_at.tzinfo is not None
    [event] = audits("partner_match.confirm")
    assert event.details == {"partner_id": bank.id} and event.actor_id == leader.id
    assert "despensa" not in str(event.details)

    # Confirming another partner for the same entity refuses the first.
    services.confirm_match("la despensa", "food", other, actor=leader)
    db.session.commit()
    statuses = {r.partner_id: r.status for r in db.session.scalars(sa.select(PartnerMatch))}
    assert statuses == {
        bank.id: PartnerMatchStatus.rejected,
        other.id: PartnerMatchStatus.confirmed,
    }

    services.reject_match("la despensa", "food", other, actor=leader)
    db.session.commit()
    assert len(services.confirmations()) == 2  # one row per entity and partner
    assert {r.status for r in services.confirmations()} == {PartnerMatchStatus.rejected}
    assert len(audits("partner_match.reject")) == 1


def test_one_row_per_entity_and_partner(app, sites, add_partner):
    bank = add_partner("Oak Hollow Food Bank", site=sites[SITE])
    db.session.add_all(
        [
            PartnerMatch(
                entity_key="x|food",
                entity_name="x",
                partner_id=bank.id,
                status=PartnerMatchStatus.confirmed,
            ),
            PartnerMatch(
                entity_key="x|food",
                entity_name="x",
                partner_id=bank.id,
                status=PartnerMatchStatus.rejected,
            ),
        ]
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_map_uses_stored_decisions_and_models(app, sites, add_partner):
    bank = add_partner(
        "Oak Hollow Food Bank", site=sites[SITE], kind="food_assistance", relationship="current"
    )
    parish = add_partner("Saint Brigid's Parish", site=sites[SITE], kind="faith")
    services.confirm_match("la despensa", "food", bank)
    services.reject_match("Banco de Comida de Oak Hollow", "food", bank)
    db.session.commit()

    partners = services.list_partners([sites[SITE].id])
    result = stakeholder_map(ENTITIES, partners, services.confirmations())
    [current] = result["current_trusted"]
    assert current["partner_id"] == bank.id and current["confirmed"] is True
    assert [e["name"] for e in current["entities"]] == ["la despensa"]
    assert current["entities"][0]["status"] == CONFIRMED
    # The rejected spelling is no longer the bank: named 12 times (11 or more), a prospect.
    assert [p["name"] for p in result["prospective"]] == ["Banco de Comida de Oak Hollow"]
    assert result["prospective"][0]["partner_id"] is None
    assert [u["partner_id"] for u in result["unmentioned_partners"]] == [parish.id]
    assert PartnerMatchStatus.rejected.value == REJECTED
