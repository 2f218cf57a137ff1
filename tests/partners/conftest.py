"""Fixtures of the partner registry tests: signed-in staff, sites, stored partners."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.models import Partner, PartnerRelationship, Site
from tests.fixtures_accounts import OTHER_SITE, SITE


@pytest.fixture
def staff(app, make_user, sign_in):
    """Signed-in clients by role: ``staff("leadership")`` (site valle_verde by default)."""

    def client_for(role: str, site: str | None = SITE, email: str | None = None):
        user = make_user(role, email=email or f"{role}-{site or 'all'}@clinic.example", site=site)
        client = app.test_client()
        assert sign_in(client, user.email).status_code == 302
        client.user = user
        return client

    return client_for


@pytest.fixture
def sites(app, make_user):
    """The two test sites, created through accounts: ``{slug: Site}``."""
    make_user("chw", email="chw-vv@clinic.example", site=SITE)
    make_user("chw", email="chw-rc@clinic.example", site=OTHER_SITE)
    return {site.slug: site for site in db.session.scalars(sa.select(Site))}


@pytest.fixture
def add_partner(app):
    """Store a partner directly: ``add_partner("Name", site=Site, relationship="current")``."""

    def add(name: str, site: Site | None = None, **values) -> Partner:
        relationship = PartnerRelationship(values.pop("relationship", "prospective"))
        partner = Partner(
            name=name,
            kind=values.pop("kind", "other"),
            services=values.pop("services", []),
            aliases=values.pop("aliases", []),
            relationship=relationship,
            site_id=site.id if site else None,
            **values,
        )
        db.session.add(partner)
        db.session.commit()
        return partner

    return add
