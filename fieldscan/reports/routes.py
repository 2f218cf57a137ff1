"""Leadership pages. Thin: check the role, call a service, render."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from fieldscan.accounts.access import roles_required, visible_site_ids
from fieldscan.audit.services import record
from fieldscan.exports import services as exports
from fieldscan.extensions import db
from fieldscan.i18n import current_language
from fieldscan.locales import normalize_language
from fieldscan.reports import services

blueprint = Blueprint("reports", __name__)


@blueprint.get("/reports")
@roles_required("leadership", "admin")
def index():
    """The reports home: completed responses per survey and site (small counts hidden),
    and the download forms."""
    counts = services.completed_counts(visible_site_ids(current_user))
    downloads = services.export_choices(current_language())
    record("report.view", "report", "responses", actor_id=current_user.id)
    db.session.commit()
    return render_template(
        "reports/index.html", counts=counts, small=services.SMALL_CELL, downloads=downloads
    )


@blueprint.get("/reports/export/<survey_id>.<any(csv, xlsx, fhir):fmt>")
@roles_required("leadership", "admin")
def export(survey_id: str, fmt: str):
    """Download the responses of ``survey_id`` that the user's sites hold, as a file."""
    requested = request.args.get("language") or None
    language = normalize_language(requested) if requested else None
    if requested and language is None:
        abort(400)
    site_ids = visible_site_ids(current_user)
    try:
        result = exports.export_file(
            survey_id,
            fmt,
            language,
            site_ids,
            base_url=current_app.config.get("FIELDSCAN_PUBLIC_URL"),
            publisher=current_app.config.get("FIELDSCAN_PROGRAM_NAME"),
        )
    except exports.ExportError:
        abort(404 if services.survey_missing(survey_id) else 400)
    record(
        "responses.export",
        "survey",
        survey_id,
        actor_id=current_user.id,
        site_id=site_ids[0] if site_ids and len(site_ids) == 1 else None,
        details={
            "format": fmt,
            "survey": survey_id,
            "language": result.language,
            "rows": result.rows,
            "sites": "all" if site_ids is None else sorted(site_ids),
        },
    )
    db.session.commit()
    return Response(
        _chunks(result.stream),
        content_type=result.media_type,
        headers={
            "Content-Disposition": f"attachment; filename={result.filename}",
            "Content-Length": str(result.size),
        },
    )


def _chunks(stream: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """The file in pieces; closed when sent, or when the client goes away."""
    with stream:
        while chunk := stream.read(size):
            yield chunk
