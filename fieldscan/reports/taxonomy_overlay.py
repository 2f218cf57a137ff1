"""The staff taxonomy overlay: themes and terms promoted from clusters into a taxonomy.

The shipped YAML taxonomies stay as they are; promotions are rows of
:class:`~fieldscan.models.TaxonomyOverlay`. The next analysis run builds its taxonomy from
the files plus every row of its taxonomy id (:func:`with_overlay`), and records a version
that shows it (``1+staff.3``: the file's version 1, three promotions). Reports list the new
themes after the shipped ones and show their staff names.
"""

from __future__ import annotations

import re
import unicodedata

from flask import g, has_app_context
from sqlalchemy import select

from fieldscan.extensions import db
from fieldscan.i18n import _
from fieldscan.models import TaxonomyOverlay

#: Bounds of one promotion (staff type the extra terms).
MAX_TERMS = 30
MAX_TERM_LENGTH = 80


class OverlayError(ValueError):
    """A promotion cannot be stored as asked (the message says why, for the flash)."""


def overlay_rows(taxonomy_id: str) -> list[TaxonomyOverlay]:
    """Every promotion into ``taxonomy_id``, in the order they apply."""
    return list(
        db.session.scalars(
            select(TaxonomyOverlay)
            .where(TaxonomyOverlay.taxonomy_id == taxonomy_id)
            .order_by(TaxonomyOverlay.id)
        )
    )


def with_overlay(taxonomy):
    """``taxonomy`` (shipped) extended with the staff rows of its id; unchanged if none.

    A new theme whose id the shipped files gained since is treated as an existing theme.
    """
    rows = overlay_rows(taxonomy.id)
    if not rows:
        return taxonomy
    labels: dict[str, str] = {}
    terms: dict[str, list[str]] = {}
    for row in rows:
        if row.label and row.theme not in taxonomy.labels and row.theme not in labels:
            labels[row.theme] = row.label
        if row.theme in labels or row.theme in taxonomy.labels:
            terms.setdefault(row.theme, []).extend(row.terms or [])
    return taxonomy.extended(labels, terms, tag=f"staff.{len(rows)}")


def current_taxonomy(taxonomy_id: str):
    """The taxonomy the next run of ``taxonomy_id`` would use (None: no such taxonomy)."""
    from analysis import default_taxonomies

    shipped = default_taxonomies().get(taxonomy_id)
    return with_overlay(shipped) if shipped is not None else None


def staff_themes(taxonomy_id: str) -> dict[str, str]:
    """New themes staff added to ``taxonomy_id``: ``{theme id: name}``, in promotion order."""
    found: dict[str, str] = {}
    for row in overlay_rows(taxonomy_id):
        if row.label:
            found.setdefault(row.theme, row.label)
    return found


def with_staff_themes(taxonomy_id: str, shipped: tuple[str, ...]) -> tuple[str, ...]:
    """The shipped labels with the staff themes inserted before ``none`` (report order)."""
    extra = [t for t in staff_themes(taxonomy_id) if t not in shipped]
    if not extra:
        return shipped
    head = [t for t in shipped if t != "none"]
    return (*head, *extra, *(["none"] if "none" in shipped else []))


def staff_theme_name(theme: str) -> str | None:
    """The name staff gave a theme they added (any taxonomy), None for other themes.

    Read once per request (the reports name many themes per page).
    """
    if not has_app_context():
        return None
    names = g.get("_staff_theme_names")
    if names is None:
        rows = db.session.execute(
            select(TaxonomyOverlay.theme, TaxonomyOverlay.label)
            .where(TaxonomyOverlay.label.is_not(None))
            .order_by(TaxonomyOverlay.id)
        )
        names = {}
        for theme_id, label in rows:
            names.setdefault(theme_id, label)
        g._staff_theme_names = names
    return names.get(theme)


def theme_slug(name: str, taken: set[str]) -> str:
    """A label id for a new theme named ``name``: ascii, lower case, not in ``taken``.

    >>> theme_slug("Pañales y fórmula", {"food"})
    'panales_y_formula'
    >>> theme_slug("Food", {"food"}), theme_slug("尿布", set())
    ('food_2', 'staff_theme')
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:48]
    if not slug or not slug[0].isalpha():
        slug = f"staff_{slug}".rstrip("_") if slug else "staff_theme"
    candidate, n = slug, 2
    while candidate in taken or candidate == "none":
        candidate, n = f"{slug}_{n}", n + 1
    return candidate


def _clean_terms(terms: list[str]) -> list[str]:
    out: list[str] = []
    for term in terms:
        term = " ".join(str(term).split())
        if not term:
            continue
        if len(term) > MAX_TERM_LENGTH or not term.replace("*", "").strip():
            raise OverlayError(_("A term is too long or empty: {term}", term=term[:40]))
        if term.casefold() not in {t.casefold() for t in out}:
            out.append(term)
    if len(out) > MAX_TERMS:
        raise OverlayError(_("Promote at most {n} terms at a time.", n=MAX_TERMS))
    return out


def promote(
    taxonomy_id: str,
    terms: list[str],
    user_id: int,
    *,
    theme: str | None = None,
    new_label: str | None = None,
    run_id: int | None = None,
    cluster_id: int | None = None,
) -> TaxonomyOverlay:
    """Add ``terms`` to ``taxonomy_id``: to the existing ``theme``, or as a new theme named
    ``new_label`` (its id made from the name). The caller audits and commits.

    Raises :class:`OverlayError` when nothing would change or the request is malformed: no
    terms, an unknown theme, ``none``, or a term that already signals another theme.
    """
    from analysis import TaxonomyError

    taxonomy = current_taxonomy(taxonomy_id)
    if taxonomy is None:
        raise OverlayError(_("There is no taxonomy {name}.", name=taxonomy_id))
    label = " ".join((new_label or "").split())[:200] or None
    if (theme is None) == (label is None):
        raise OverlayError(_("Choose an existing theme or name a new one."))
    if theme is not None and (theme not in taxonomy.labels or theme == "none"):
        raise OverlayError(_("There is no theme {name} to add terms to.", name=theme))
    cleaned = _clean_terms(terms)
    if not cleaned:
        raise OverlayError(_("Tick or type at least one term to promote."))
    target = theme or theme_slug(label or "", set(taxonomy.labels))
    fresh = []
    for term in cleaned:
        owners = taxonomy.labels_of(term) - {target}
        if owners:
            raise OverlayError(
                _(
                    "The term {term} already signals the theme {theme}.",
                    term=term,
                    theme=", ".join(sorted(owners)),
                )
            )
        if target not in taxonomy.labels_of(term):
            fresh.append(term)
    if not fresh:
        raise OverlayError(_("Every one of these terms is already in the theme."))
    try:  # the analysis package checks the term syntax and the new id
        taxonomy.extended({target: label} if label else {}, {target: fresh}, tag="check")
    except TaxonomyError as error:
        raise OverlayError(_("These terms cannot be added to the taxonomy.")) from error
    row = TaxonomyOverlay(
        taxonomy_id=taxonomy_id,
        theme=target,
        label=label,
        terms=fresh,
        run_id=run_id,
        cluster_id=cluster_id,
        created_by=user_id,
    )
    db.session.add(row)
    db.session.flush()
    if has_app_context():
        g.pop("_staff_theme_names", None)
    return row
