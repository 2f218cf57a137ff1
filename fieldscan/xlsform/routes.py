"""The XLSForm import page (administrators only). Thin: the form, a service call, render."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from fieldscan.accounts.access import roles_required
from fieldscan.xlsform import services
from fieldscan.xlsform.forms import ImportForm
from fieldscan.xlsform.safety import max_bytes_setting

blueprint = Blueprint("xlsform", __name__)

#: Room in the request for the other form fields and the multipart framing.
FORM_OVERHEAD = 64 * 1024
_ENDPOINT = "xlsform.import_page"


@blueprint.url_value_preprocessor
def _allow_upload_size(endpoint: str | None, values: dict | None) -> None:
    # URL value preprocessors run before every before_request hook, and so before the CSRF
    # check reads the body: this page's own bound replaces the app-wide MAX_CONTENT_LENGTH.
    if endpoint == _ENDPOINT:
        request.max_content_length = max_bytes_setting(current_app.config) + FORM_OVERHEAD


@blueprint.route("/admin/surveys/import", methods=["GET", "POST"])
@roles_required("admin")
def import_page():
    """Upload an XLSForm; show what was imported, changed or refused."""
    form = ImportForm()
    stored = None
    if form.validate_on_submit():
        limit = max_bytes_setting(current_app.config)
        upload = form.file.data
        data = upload.read(limit + 1)
        stored = services.import_and_store(
            data,
            upload.filename or "form",
            survey_id=form.survey_id.data or None,
            dry_run=bool(form.dry_run.data),
            max_bytes=limit,
            actor_id=current_user.id,
        )
    status = 200 if stored is None or stored.ok else 422
    return render_template(
        "xlsform/import.html",
        form=form,
        stored=stored,
        lines=services.report_lines(stored) if stored else [],
        max_bytes=max_bytes_setting(current_app.config),
    ), status
