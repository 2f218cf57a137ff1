"""Cluster review pages on the reports blueprint. Thin: check, call a service, redirect.

Rename and verify are open to every leader (as the page is). Merge, split and promote
change the whole run and the taxonomy of every site, and a split answers whether any
answer holds a phrase, so they need a reader who sees every site (admin, or a leader
with no site); others get 403 and do not see those forms.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from fieldscan.accounts.access import roles_required, visible_site_ids
from fieldscan.audit.services import record
from fieldscan.extensions import db
from fieldscan.i18n import _
from fieldscan.reports import aggregates
from fieldscan.reports import clusters as service
from fieldscan.reports import taxonomy_overlay as overlay
from fieldscan.reports.routes import _filters, _page, _viewed, blueprint

_NAMES = "<any(messengers, resources):name>/<int:cluster_id>"


def _may_edit() -> bool:
    return visible_site_ids(current_user) is None


def _back(name: str, cluster_id: int | None = None):
    anchor = f"clusters-{name}" if cluster_id is None else f"cluster-{name}-{cluster_id}"
    return redirect(url_for("reports.clusters", _anchor=anchor), code=303)


def _themes(question_id: str) -> list[str]:
    """Themes a cluster can be promoted into (the taxonomy with the staff overlay)."""
    from fieldscan.analysis_jobs.services import latest_run

    run = latest_run(question_id)
    taxonomy = overlay.current_taxonomy(run.taxonomy_id) if run is not None else None
    return [t for t in (taxonomy.labels if taxonomy else []) if t != "none"]


@blueprint.get("/reports/clusters")
@roles_required("leadership", "admin")
def clusters():
    """Clusters of both open questions to review: names, terms, sizes, examples, and the
    forms to rename, verify, merge, split and promote them."""
    filters = _filters()
    site_ids = visible_site_ids(current_user)
    found = {
        name: service.clusters(question, filters, site_ids)
        for name, question in aggregates.QUESTIONS.items()
    }
    themes = {name: _themes(question) for name, question in aggregates.QUESTIONS.items()}
    _viewed("clusters", filters)
    return _page("reports/clusters.html", filters, found=found, themes=themes, may_edit=_may_edit())


@blueprint.post(f"/reports/clusters/{_NAMES}")
@roles_required("leadership", "admin")
def review_cluster(name: str, cluster_id: int):
    """Rename a cluster or mark it verified (CSRF-checked by the app; audited)."""
    action = request.form.get("action")
    if action not in {"rename", "verify", "unverify"}:
        abort(400)
    new_name = request.form.get("name", "") if action == "rename" else None
    verified = {"verify": True, "unverify": False}.get(action)
    review = service.review_cluster(
        aggregates.QUESTIONS[name], cluster_id, current_user.id, name=new_name, verified=verified
    )
    if review is None:
        abort(404)
    record(
        "cluster.review",
        "cluster_review",
        review.id,
        actor_id=current_user.id,
        details={"run": review.run_id, "cluster": cluster_id, "action": action},
    )
    db.session.commit()
    return redirect(url_for("reports.clusters"), code=303)


def _audit_edit(edit) -> None:
    record(
        f"cluster.{edit.action}",
        "cluster_edit",
        edit.id,
        actor_id=current_user.id,
        details={"run": edit.run_id, "cluster": edit.cluster_id, "into": edit.target_id},
    )
    db.session.commit()


@blueprint.post(f"/reports/clusters/{_NAMES}/merge")
@roles_required("leadership", "admin")
def merge_cluster(name: str, cluster_id: int):
    """Merge this cluster into another of the same run (audited)."""
    if not _may_edit():
        abort(403)
    try:
        target = int(request.form.get("target", ""))
    except ValueError:
        flash(_("Choose the cluster to merge into."), "error")
        return _back(name, cluster_id)
    try:
        edit = service.merge_clusters(
            aggregates.QUESTIONS[name], cluster_id, target, current_user.id
        )
    except service.ClusterEditError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back(name, cluster_id)
    _audit_edit(edit)
    flash(_("The clusters were merged."), "status")
    return _back(name, target)


@blueprint.post(f"/reports/clusters/{_NAMES}/split")
@roles_required("leadership", "admin")
def split_cluster(name: str, cluster_id: int):
    """Split the answers holding a phrase off into a new, named cluster (audited)."""
    if not _may_edit():
        abort(403)
    try:
        edit = service.split_cluster(
            aggregates.QUESTIONS[name],
            cluster_id,
            request.form.get("phrase", ""),
            request.form.get("new_name", ""),
            current_user.id,
        )
    except service.ClusterEditError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back(name, cluster_id)
    _audit_edit(edit)
    flash(_("A new cluster was split off."), "status")
    return _back(name, edit.target_id)


@blueprint.post(f"/reports/clusters/{_NAMES}/promote")
@roles_required("leadership", "admin")
def promote_cluster(name: str, cluster_id: int):
    """Promote the cluster into its taxonomy, as a new theme or as terms of an existing one;
    the next analysis run uses them (audited)."""
    if not _may_edit():
        abort(403)
    question_id = aggregates.QUESTIONS[name]
    run = service.run_with(question_id, cluster_id)
    if run is None:
        abort(404)
    terms = request.form.getlist("term")
    terms += [t for t in request.form.get("extra_terms", "").split(",") if t.strip()]
    target = request.form.get("theme", "")
    new_label = None
    if target == "__new__":
        new_label = request.form.get("theme_name", "").strip() or service.cluster_name(
            run, cluster_id
        )
    try:
        row = overlay.promote(
            run.taxonomy_id,
            terms,
            current_user.id,
            theme=None if target == "__new__" else (target or None),
            new_label=new_label,
            run_id=run.id,
            cluster_id=cluster_id,
        )
    except overlay.OverlayError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back(name, cluster_id)
    record(
        "taxonomy.promote",
        "taxonomy_overlay",
        row.id,
        actor_id=current_user.id,
        details={
            "taxonomy": row.taxonomy_id,
            "theme": row.theme,
            "new_theme": row.label is not None,
            "terms": len(row.terms),
            "run": run.id,
            "cluster": cluster_id,
        },
    )
    db.session.commit()
    flash(_("Promoted into the taxonomy: the next analysis run uses it."), "status")
    return _back(name, cluster_id)
