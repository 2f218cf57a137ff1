"""Leadership pages. Thin: check the role, call a service, render."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import IO

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from fieldscan import clock
from fieldscan.accounts.access import roles_required, visible_site_ids
from fieldscan.audit.services import record
from fieldscan.exports import services as exports
from fieldscan.extensions import db
from fieldscan.i18n import current_language
from fieldscan.locales import normalize_language
from fieldscan.models import Channel
from fieldscan.reports import aggregates, pdf, services
from fieldscan.reports import tables as report_tables

blueprint = Blueprint("reports", __name__)


def _filters() -> aggregates.Filters:
    """The filter form's values; 400 when one is malformed, 404 for a site not the user's."""
    try:
        filters = aggregates.Filters.from_args(request.args)
    except aggregates.ReportError:
        abort(400)
    if filters.site and filters.site not in {s.slug for s in _sites()}:
        abort(404)
    return filters


def _sites():
    return aggregates.visible_sites(visible_site_ids(current_user))


def _by(default: str = "language") -> str:
    by = request.args.get("by") or default
    if by not in aggregates.BREAKDOWNS:
        abort(400)
    return by


def _viewed(name: str, filters: aggregates.Filters, **extra: str) -> None:
    """Audit a report view: the report and its filters (never PHI)."""
    record(
        "report.view",
        "report",
        name,
        actor_id=current_user.id,
        details={"report": name, "filters": filters.audit(), **extra},
    )
    db.session.commit()


def _profile_args() -> dict[str, str]:
    """The filters a community profile link carries (its site is in its path)."""
    return {k: v for k, v in request.args.items() if k not in {"site", "by", "lang"}}


def _profile_href(sites: list) -> str:
    """Where the navigation's "Community profile" goes: the site filtered on, or the reader's
    one site; a reader of several sites picks one first (also from a profile, to switch).

    The ``site`` argument was checked by :func:`_filters` (404 for a site not the reader's).
    """
    slug = request.args.get("site") or (sites[0].slug if len(sites) == 1 else None)
    if slug:
        return url_for("reports.profile", slug=slug, **_profile_args())
    return url_for("reports.profiles", **_profile_args())


def _page(template: str, filters: aggregates.Filters, **context):
    sites = _sites()
    names = {site.slug: site.name for site in sites}
    return render_template(
        template,
        filters=filters,
        sites=sites,
        surveys=aggregates.survey_ids(),
        channels=[c.value for c in Channel],
        small=services.SMALL_CELL,
        theme_name=report_tables.theme_name,
        shown=report_tables.shown,
        percent=report_tables.percent,
        cell_text=report_tables.cell_text,
        language_name=report_tables.language_name,
        channel_name=report_tables.channel_name,
        partner_word=report_tables.partner_word,
        column_namer=lambda by: report_tables.column_namer(by, names),
        profile_href=_profile_href(sites),
        **context,
    )


@blueprint.get("/reports")
@roles_required("leadership", "admin")
def index():
    """The reports home: the filter form, theme overviews of both open questions, completed
    responses per survey and site (small counts hidden), and the download forms."""
    filters, by = _filters(), _by()
    site_ids = visible_site_ids(current_user)
    counts = services.completed_counts(site_ids)
    downloads = services.export_choices(current_language())
    overview = {
        name: aggregates.theme_report(question, filters, site_ids, by)
        for name, question in aggregates.QUESTIONS.items()
    }
    record(
        "report.view",
        "report",
        "responses",
        actor_id=current_user.id,
        details={"report": "overview", "filters": filters.audit(), "by": by},
    )
    db.session.commit()
    return _page(
        "reports/index.html",
        filters,
        counts=counts,
        downloads=downloads,
        overview=overview,
        by=by,
    )


@blueprint.get("/reports/messengers")
@roles_required("leadership", "admin")
def messengers():
    """Trusted messenger categories (bars and a table) and the named entities behind them."""
    filters, by = _filters(), _by()
    site_ids = visible_site_ids(current_user)
    report = aggregates.theme_report(aggregates.QUESTIONS["messengers"], filters, site_ids, by)
    named = aggregates.named_entities(aggregates.QUESTIONS["messengers"], filters, site_ids)
    _viewed("messengers", filters, by=by)
    return _page("reports/messengers.html", filters, report=report, named=named, by=by)


@blueprint.get("/reports/resources")
@roles_required("leadership", "admin")
def resources():
    """Resource themes by month (counts and shares), lined up against Community Supports."""
    filters = _filters()
    site_ids = visible_site_ids(current_user)
    report = aggregates.theme_report(aggregates.QUESTIONS["resources"], filters, site_ids, "month")
    _viewed("resources", filters)
    return _page(
        "reports/resources.html",
        filters,
        report=report,
        lineup=report_tables.supports_lineup(report),
        unsupported=report_tables.unsupported_rows(report),
    )


@blueprint.get("/reports/stakeholders")
@roles_required("leadership", "admin")
def stakeholders():
    """The stakeholder map: current partners named, prospective partners, unmentioned ones."""
    filters = _filters()
    buckets = aggregates.stakeholders(filters, visible_site_ids(current_user))
    _viewed("stakeholders", filters)
    return _page("reports/stakeholders.html", filters, buckets=buckets)


@blueprint.get("/reports/profile")
@roles_required("leadership", "admin")
def profiles():
    """Pick the site of a community profile (a reader of one site goes straight to it)."""
    filters = _filters()
    sites = _sites()
    if filters.site or len(sites) == 1:
        return redirect(_profile_href(sites), code=303)
    return _page("reports/profiles.html", filters, profile_args=_profile_args())


@blueprint.get("/reports/profile/<slug>")
@roles_required("leadership", "admin")
def profile(slug: str):
    """One site's community profile, laid out to print as a PDF."""
    site = next((s for s in _sites() if s.slug == slug), None)
    if site is None:
        abort(404)
    filters = replace(_filters(), site=slug)
    site_ids = visible_site_ids(current_user)
    context = report_tables.profile(filters, site_ids)
    _viewed("profile", filters)
    return _page("reports/profile.html", filters, site=site, **context)


@blueprint.get("/reports/profile/<slug>.pdf")
@roles_required("leadership", "admin")
def profile_pdf(slug: str):
    """The community profile as a PDF: the page's HTML and print CSS, laid out by WeasyPrint
    on the server (no network fetches). Audited like the CSV/XLSX exports."""
    site = next((s for s in _sites() if s.slug == slug), None)
    if site is None:
        abort(404)
    filters = replace(_filters(), site=slug)
    context = report_tables.profile(filters, visible_site_ids(current_user))
    html = _page("reports/profile.html", filters, site=site, **context)
    document = pdf.render_document(
        html,
        base_url=request.host_url,
        static_folder=current_app.static_folder,
        static_url_path=current_app.static_url_path,
    )
    body = pdf.write(document)
    record(
        "report.export",
        "report",
        "profile",
        actor_id=current_user.id,
        site_id=site.id,
        details={
            "report": "profile",
            "format": "pdf",
            "filters": filters.audit(),
            "pages": len(document.pages),
        },
    )
    db.session.commit()
    name = pdf.filename(site.slug, clock.now().date())
    return Response(
        body,
        content_type=pdf.MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@blueprint.get(
    "/reports/<any(overview, messengers, entities, resources, stakeholders, clusters):name>"
    ".<any(csv, xlsx):fmt>"
)
@roles_required("leadership", "admin")
def report_file(name: str, fmt: str):
    """A report's table as CSV or XLSX: the same filters and suppression as the page."""
    filters, by = _filters(), _by("month" if name == "resources" else "language")
    table = report_tables.build(name, filters, visible_site_ids(current_user), by)
    body, media_type = report_tables.encode(table, fmt)
    record(
        "report.export",
        "report",
        name,
        actor_id=current_user.id,
        details={
            "report": name,
            "format": fmt,
            "filters": filters.audit(),
            "by": by,
            "rows": len(table.rows),
        },
    )
    db.session.commit()
    return Response(
        body,
        content_type=media_type,
        headers={"Content-Disposition": f"attachment; filename=fieldscan-{name}.{fmt}"},
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


# The cluster review pages live in their own module on this blueprint (imported last: it
# uses the helpers above).
from fieldscan.reports import cluster_routes  # noqa: E402, F401
