"""Leadership pages. Thin: check the role, call a service, render."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from fieldscan.accounts.access import roles_required, visible_site_ids
from fieldscan.audit.services import record
from fieldscan.extensions import db
from fieldscan.reports import services

blueprint = Blueprint("reports", __name__)


@blueprint.get("/reports")
@roles_required("leadership", "admin")
def index():
    """The reports home: completed responses per survey and site (small counts hidden)."""
    counts = services.completed_counts(visible_site_ids(current_user))
    record("report.view", "report", "responses", actor_id=current_user.id)
    db.session.commit()
    return render_template("reports/index.html", counts=counts, small=services.SMALL_CELL)
