"""Forms of the sign-in and administration pages (CSRF-protected by Flask-WTF).

Validators here only say what a form needs; the rules (password policy, e-mail format,
who needs a site) live in :mod:`fieldscan.accounts.services` and
:mod:`fieldscan.accounts.passwords`, whose error codes :func:`account_error` and
:func:`password_error` put in the reader's language.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from fieldscan.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from fieldscan.i18n import _, lazy_gettext
from fieldscan.models import Role, Site


class LoginForm(FlaskForm):
    """Sign in: ``email``, ``password`` (and ``csrf_token``), the contract's fields."""

    email = EmailField(
        lazy_gettext("E-mail address"),
        validators=[
            InputRequired(message=lazy_gettext("Enter your e-mail address.")),
            Length(max=254, message=lazy_gettext("Enter your e-mail address.")),
        ],
    )
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[
            InputRequired(message=lazy_gettext("Enter your password.")),
            Length(max=MAX_LENGTH, message=lazy_gettext("Enter your password.")),
        ],
    )


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (sign out, deactivate)."""


class UserForm(FlaskForm):
    """Create a staff account."""

    email = EmailField(
        lazy_gettext("E-mail address"),
        validators=[
            InputRequired(message=lazy_gettext("Enter an e-mail address.")),
            Length(max=254, message=lazy_gettext("This e-mail address is too long.")),
        ],
    )
    role = SelectField(lazy_gettext("Role"), validate_choice=True)
    site = SelectField(lazy_gettext("Site"), validate_choice=True)
    password = PasswordField(
        lazy_gettext("First password"),
        validators=[InputRequired(message=lazy_gettext("Enter a password."))],
    )

    def fill_choices(self, sites: list[Site]) -> UserForm:
        """Offer the roles and ``sites`` (plus "no site"), in the reader's language."""
        self.role.choices = [(role.value, role_name(role)) for role in Role]
        self.site.choices = [("", _("No site (whole organisation)"))] + [
            (site.slug, site.name) for site in sites
        ]
        return self


class SiteForm(FlaskForm):
    """Create a site."""

    slug = StringField(
        lazy_gettext("Short name (for links and files)"),
        validators=[InputRequired(message=lazy_gettext("Enter a short name."))],
    )
    name = StringField(
        lazy_gettext("Name"),
        validators=[InputRequired(message=lazy_gettext("Enter the site's name."))],
    )


def role_name(role: Role) -> str:
    """The role's name in the reader's language."""
    return {
        Role.chw: _("Community health worker"),
        Role.leadership: _("Leadership"),
        Role.admin: _("Administrator"),
    }[role]


def account_error(code: str) -> tuple[str, str]:
    """The field and message, in the reader's language, of an ``AccountError`` code."""
    errors = {
        "bad_email": ("email", _("This is not a valid e-mail address.")),
        "email_taken": ("email", _("An account with this e-mail address already exists.")),
        "bad_role": ("role", _("Choose a role.")),
        "site_required": ("site", _("A community health worker needs a site.")),
        "bad_slug": (
            "slug",
            _("Use lower-case letters, digits, '-' or '_' ({max} at most).").format(max=64),
        ),
        "site_taken": ("slug", _("A site with this short name already exists.")),
        "bad_name": ("name", _("Enter a name of at most {max} characters.").format(max=200)),
        "own_account": ("", _("You cannot deactivate your own account.")),
    }
    return errors.get(code, ("", _("This could not be saved. Please check and try again.")))


def password_error(code: str) -> str:
    """The message, in the reader's language, of a ``PasswordPolicyError`` code."""
    errors = {
        "too_short": _("Use at least {min} characters.").format(min=MIN_LENGTH),
        "too_long": _("Use at most {max} characters.").format(max=MAX_LENGTH),
        "too_common": _("This password is too common. Choose another one."),
        "like_email": _("The password must not be the e-mail address."),
    }
    return errors.get(code, _("Choose another password."))
