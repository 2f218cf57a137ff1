"""The partner registry pages (leadership and admin). Thin: check, call a service, render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldscan.accounts.access import can_see_site, roles_required, visible_site_ids
from fieldscan.audit.services import record
from fieldscan.extensions import db
from fieldscan.i18n import _, current_language
from fieldscan.models import PartnerRelationship, Site
from fieldscan.partners import hsds, inventory, review, services
from fieldscan.partners.forms import (
    ALL_SITES,
    ImportForm,
    PartnerForm,
    hsds_issue_message,
    partner_error,
    relationship_name,
)

blueprint = Blueprint("partner_registry", __name__)

#: The ``site`` filter value that lists organisation-wide partners.
ORGANISATION_WIDE = "all"


def _scope() -> tuple[list[int] | None, list[Site], bool]:
    """The sites the user may see (None: every one), those sites, and "may use all sites"."""
    visible = visible_site_ids(current_user)
    return visible, services.visible_sites(visible), visible is None


def _labels() -> dict:
    language = current_language()
    return {
        "kind": dict(inventory.choices(inventory.KIND_QUESTION, language)),
        "services": dict(inventory.choices(inventory.SERVICES_QUESTION, language)),
        "dxf": dict(inventory.choices(inventory.DXF_QUESTION, language)),
        "relationship": relationship_name,
    }


@blueprint.get("/partners")
@roles_required("leadership", "admin")
def index():
    """The registry: partners of the user's sites, filtered by site, kind and relationship."""
    visible, sites, all_sites = _scope()
    kinds = inventory.choices(inventory.KIND_QUESTION, current_language())
    chosen = {
        "site": request.args.get("site", ""),
        "kind": request.args.get("kind", ""),
        "relationship": request.args.get("relationship", ""),
    }
    if chosen["kind"] not in dict(kinds):
        chosen["kind"] = ""
    if chosen["relationship"] not in {r.value for r in PartnerRelationship}:
        chosen["relationship"] = ""
    site_id = None
    organisation_wide = all_sites and chosen["site"] == ORGANISATION_WIDE
    if not organisation_wide and chosen["site"].isdigit():
        site_id = int(chosen["site"])
    elif not organisation_wide:
        chosen["site"] = ""
    partners = services.list_partners(
        visible,
        site_id=site_id,
        organisation_wide=organisation_wide,
        kind=chosen["kind"] or None,
        relationship=chosen["relationship"] or None,
    )
    return render_template(
        "partners/index.html",
        partners=partners,
        sites=sites,
        all_sites=all_sites,
        kinds=kinds,
        relationships=[(r.value, relationship_name(r)) for r in PartnerRelationship],
        chosen=chosen,
        organisation_wide=ORGANISATION_WIDE,
        labels=_labels(),
    )


def _save_errors(form: PartnerForm, error: services.PartnerError) -> None:
    field, message = partner_error(error.code)
    if field and field in form:
        form[field].errors = [*form[field].errors, message]
    else:
        flash(message, "error")


@blueprint.route("/partners/new", methods=["GET", "POST"])
@roles_required("leadership", "admin")
def new():
    """Add a partner; a site leader adds to their own site."""
    visible, sites, all_sites = _scope()
    form = PartnerForm().fill_choices(sites, all_sites=all_sites)
    if request.method == "GET":
        form.relationship.data = PartnerRelationship.prospective.value
        form.site.data = ALL_SITES if all_sites else str(sites[0].id) if sites else ""
    if form.validate_on_submit():
        try:
            partner = services.create_partner(
                form.values(), allowed_site_ids=visible, actor=current_user
            )
        except services.PartnerError as error:
            db.session.rollback()
            _save_errors(form, error)
        else:
            db.session.commit()
            flash(_("{name} was added.", name=partner.name), "info")
            return redirect(url_for("partner_registry.index"))
    return render_template(
        "partners/form.html", form=form, partner=None, heading=_("Add a partner")
    )


@blueprint.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@roles_required("leadership", "admin")
def edit(partner_id: int):
    """Change a partner of one of the user's sites."""
    partner = services.get_partner(partner_id)
    if partner is None or not can_see_site(current_user, partner.site_id):
        abort(404)
    visible, sites, all_sites = _scope()
    form = PartnerForm().fill_choices(sites, all_sites=all_sites)
    if request.method == "GET":
        form.fill_from(partner)
    if form.validate_on_submit():
        try:
            services.update_partner(
                partner, form.values(), allowed_site_ids=visible, actor=current_user
            )
        except services.PartnerError as error:
            db.session.rollback()
            _save_errors(form, error)
        else:
            db.session.commit()
            flash(_("{name} was saved.", name=partner.name), "info")
            return redirect(url_for("partner_registry.index"))
    return render_template(
        "partners/form.html",
        form=form,
        partner=partner,
        heading=_("Change {name}", name=partner.name),
    )


@blueprint.route("/partners/import", methods=["GET", "POST"])
@roles_required("leadership", "admin")
def import_directory():
    """Import an Open Referral (HSDS) resource directory export: every row valid, or nothing."""
    visible, sites, all_sites = _scope()
    form = ImportForm().fill_choices(sites, all_sites=all_sites)
    problems: list[str] = []
    report = None
    if form.validate_on_submit():
        upload = form.organizations.data
        if upload is None or not getattr(upload, "filename", ""):
            form.organizations.errors = [_("Choose the organizations file.")]
        else:
            site_id = int(form.site.data) if form.site.data else None
            if not all_sites and site_id not in (visible or []):
                abort(403)
            services_upload = form.services.data
            if services_upload is not None and not getattr(services_upload, "filename", ""):
                services_upload = None
            try:
                organizations = hsds.read_hsds(
                    upload.read(),
                    services_upload.read() if services_upload is not None else None,
                    organizations_name=_file_name(upload, "organizations.csv"),
                    services_name=_file_name(services_upload, "services.csv"),
                )
            except hsds.HsdsError as error:
                problems = [hsds_issue_message(issue) for issue in error.issues]
            else:
                report = services.import_hsds(
                    organizations,
                    site=db.session.get(Site, site_id) if site_id is not None else None,
                    relationship=form.relationship.data,
                    dry_run=form.dry_run.data,
                    actor=current_user,
                )
                if not form.dry_run.data:
                    db.session.commit()
                    flash(
                        _(
                            "Imported: {created} added, {updated} updated, {unchanged} unchanged.",
                            **report.counts(),
                        ),
                        "info",
                    )
                    return redirect(url_for("partner_registry.index"))
                db.session.rollback()
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or hsds.MAX_FILE_BYTES
    return render_template(
        "partners/import.html",
        form=form,
        problems=problems,
        report=report,
        limit_mb=f"{limit / (1024 * 1024):g}",
    )


def _file_name(upload: Any, default: str) -> str:
    name = (getattr(upload, "filename", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:100] or default


@blueprint.get("/partners/matches")
@roles_required("leadership", "admin")
def matches():
    """The named entities of the newest analyses with their candidate partners, to confirm or
    reject (names shown under the reports' privacy rule; the view is audited)."""
    found = review.build_review(visible_site_ids(current_user))
    record(
        "partner_matches.view",
        "partner_match",
        None,
        actor_id=current_user.id,
        details={"entities": len(found.entities), "hidden": found.hidden},
    )
    db.session.commit()
    return render_template("partners/matches.html", review=found, labels=_labels())


@blueprint.post("/partners/matches")
@roles_required("leadership", "admin")
def decide_match():
    """Confirm or reject a match, or link an entity to a partner by hand (CSRF-checked by
    the app; audited by the services)."""
    ref = request.form.get("entity", "")
    partner_id = request.form.get("partner", "")
    if not partner_id.isdigit():
        abort(400)
    try:
        partner = review.decide(
            visible_site_ids(current_user),
            ref,
            int(partner_id),
            request.form.get("action", ""),
            current_user,
        )
    except review.ReviewError as error:
        db.session.rollback()
        abort(400 if error.code == "action" else 404)
    db.session.commit()
    # The flash names the partner only: the session cookie is signed, not encrypted.
    if request.form.get("action") == "confirm":
        flash(_("The match to {name} was confirmed.", name=partner.name), "info")
    else:
        flash(_("The match to {name} was rejected.", name=partner.name), "info")
    return redirect(url_for("partner_registry.matches", _anchor=f"entity-{ref}"), code=303)
