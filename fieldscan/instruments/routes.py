"""Survey administration pages (admin only). Thin: forms, a service call, render."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from fieldscan.accounts.access import roles_required
from fieldscan.accounts.forms import ConfirmForm
from fieldscan.i18n import _
from fieldscan.instruments import services

blueprint = Blueprint("instruments", __name__)


@blueprint.get("/admin/surveys")
@roles_required("admin")
def index():
    """Every survey with its current version, languages and responses."""
    return render_template(
        "instruments/index.html", surveys=services.admin_listing(), form=ConfirmForm()
    )


@blueprint.post("/admin/surveys/<survey_id>/archive")
@roles_required("admin")
def archive(survey_id: str):
    """Stop (or, when archived, restart) offering a survey for new responses."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        archived = services.toggle_archived(survey_id, actor_id=current_user.id)
    except LookupError:
        abort(404)
    flash(_("Survey archived.") if archived else _("Survey open again."), "status")
    return redirect(url_for("instruments.index"))
