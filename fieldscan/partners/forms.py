"""Forms of the partner registry pages (CSRF-protected by Flask-WTF).

Choices come from the partner inventory (:mod:`fieldscan.partners.inventory`), labelled in
the reader's language; the rules live in :mod:`fieldscan.partners.services`, whose error
codes :func:`partner_error` and HSDS problems :func:`hsds_issue_message` put in the
reader's language.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from fieldscan.i18n import _, current_language, lazy_gettext
from fieldscan.models import Partner, PartnerRelationship, Site
from fieldscan.partners import inventory
from fieldscan.partners.hsds import MAX_NAME, HsdsIssue
from fieldscan.partners.services import MAX_NOTES

#: The value of the site field for an organisation-wide partner.
ALL_SITES = ""


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as check boxes (easier to use than ``<select multiple>``)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def relationship_name(relationship: PartnerRelationship | str) -> str:
    """Current or prospective, in the reader's language (the inventory's own labels)."""
    value = getattr(relationship, "value", relationship)
    return inventory.label(inventory.RELATIONSHIP_QUESTION, value, current_language())


class PartnerForm(FlaskForm):
    """Add or change a registry partner."""

    name = StringField(
        lazy_gettext("Name of the organization"),
        validators=[
            InputRequired(message=lazy_gettext("Enter the organization's name.")),
            Length(max=MAX_NAME, message=lazy_gettext("Use at most {max} characters.", max=300)),
        ],
    )
    kind = SelectField(lazy_gettext("Kind of organization"), validate_choice=True)
    services = CheckboxListField(lazy_gettext("Services it offers"), validate_choice=True)
    relationship = RadioField(lazy_gettext("Relationship"), validate_choice=True)
    mou = BooleanField(lazy_gettext("We have a memorandum of understanding (MOU)"))
    dxf = SelectField(lazy_gettext("Data Exchange Framework (DxF) agreement"), validate_choice=True)
    aliases = TextAreaField(lazy_gettext("Other names patients use (one per line)"))
    notes = TextAreaField(
        lazy_gettext("Notes"),
        validators=[Length(max=MAX_NOTES, message=lazy_gettext("These notes are too long."))],
    )
    site = SelectField(lazy_gettext("Site"), validate_choice=True)

    def fill_choices(self, sites: list[Site], *, all_sites: bool) -> PartnerForm:
        """Offer the inventory's values and ``sites`` (plus "all sites" when allowed)."""
        language = current_language()
        self.kind.choices = inventory.choices(inventory.KIND_QUESTION, language)
        self.services.choices = inventory.choices(inventory.SERVICES_QUESTION, language)
        self.relationship.choices = [(r.value, relationship_name(r)) for r in PartnerRelationship]
        self.dxf.choices = [("", _("Not recorded"))] + inventory.choices(
            inventory.DXF_QUESTION, language
        )
        site_choices = [(str(site.id), site.name) for site in sites]
        if all_sites:
            site_choices.insert(0, (ALL_SITES, _("All sites (whole organisation)")))
        self.site.choices = site_choices
        return self

    def fill_from(self, partner: Partner) -> PartnerForm:
        """Show ``partner``'s values (on a GET)."""
        self.name.data = partner.name
        self.kind.data = partner.kind
        self.services.data = list(partner.services or [])
        self.relationship.data = partner.relationship.value
        self.mou.data = partner.mou
        self.dxf.data = partner.dxf or ""
        self.aliases.data = "\n".join(partner.aliases or [])
        self.notes.data = partner.notes or ""
        self.site.data = str(partner.site_id) if partner.site_id is not None else ALL_SITES
        return self

    def values(self) -> dict:
        """The submitted values as :func:`fieldscan.partners.services.create_partner` takes them."""
        return {
            "name": self.name.data,
            "kind": self.kind.data,
            "services": self.services.data or [],
            "relationship": self.relationship.data,
            "mou": self.mou.data,
            "dxf": self.dxf.data or None,
            "aliases": (self.aliases.data or "").splitlines(),
            "notes": self.notes.data,
            "site_id": int(self.site.data) if self.site.data else None,
        }


class ImportForm(FlaskForm):
    """Upload an HSDS resource directory export."""

    organizations = FileField(lazy_gettext("Organizations file (organizations.csv)"))
    services = FileField(lazy_gettext("Services file (services.csv, optional)"))
    site = SelectField(lazy_gettext("Site"), validate_choice=True)
    relationship = RadioField(lazy_gettext("New partners are"), validate_choice=True)
    dry_run = BooleanField(lazy_gettext("Only check the files; import nothing"))

    def fill_choices(self, sites: list[Site], *, all_sites: bool) -> ImportForm:
        """Offer ``sites`` (plus "all sites" when allowed) and the relationships."""
        site_choices = [(str(site.id), site.name) for site in sites]
        if all_sites:
            site_choices.insert(0, (ALL_SITES, _("All sites (whole organisation)")))
        self.site.choices = site_choices
        self.relationship.choices = [(r.value, relationship_name(r)) for r in PartnerRelationship]
        if self.relationship.data is None:
            self.relationship.data = PartnerRelationship.prospective.value
        return self


def partner_error(code: str) -> tuple[str, str]:
    """The field and message, in the reader's language, of a ``PartnerError`` code."""
    errors = {
        "name_required": ("name", _("Enter the organization's name.")),
        "name_long": ("name", _("Use at most {max} characters.", max=MAX_NAME)),
        "bad_kind": ("kind", _("Choose a kind of organization.")),
        "bad_service": ("services", _("Choose services from the list.")),
        "bad_dxf": ("dxf", _("Choose a DxF status from the list.")),
        "aliases_long": ("aliases", _("Give at most 50 other names of at most 300 characters.")),
        "notes_long": ("notes", _("These notes are too long.")),
        "bad_site": ("site", _("Choose a site.")),
        "site_forbidden": ("site", _("You cannot add partners to this site.")),
    }
    return errors.get(code, ("", _("This could not be saved. Please check and try again.")))


def hsds_issue_message(issue: HsdsIssue) -> str:
    """An HSDS problem in the reader's language, naming the file and row."""
    messages = {
        "too_large": _("{file}: the file is larger than {limit} MB."),
        "not_utf8": _("{file}: this is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
        "empty": _("{file}: the file is empty."),
        "no_rows": _("{file}: the file has no rows."),
        "missing_column": _("{file}: the required column “{column}” is missing."),
        "duplicate_column": _("{file}: the column “{column}” appears twice."),
        "bad_csv": _("{file}: row {row}: this row cannot be read as CSV."),
        "extra_fields": _("{file}: row {row}: the row has more fields than the header."),
        "empty_value": _("{file}: row {row}: {column} is empty."),
        "too_long": _("{file}: row {row}: {column} is longer than {max} characters."),
        "duplicate_id": _("{file}: row {row}: the id “{value}” is already used on row {first}."),
        "unknown_organization": _(
            "{file}: row {row}: organization_id “{value}” does not exist in {organizations}."
        ),
    }
    if issue.code not in messages:
        return str(issue)
    return messages[issue.code].format(**issue.params, file=issue.file, row=issue.row)
