"""The upload form of the XLSForm import page (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional, Regexp

from fieldscan.i18n import lazy_gettext
from fieldscan.survey.schema import SURVEY_ID


class ImportForm(FlaskForm):
    """An XLSForm file, an optional survey id and "check only"."""

    file = FileField(
        lazy_gettext("XLSForm file (.xlsx, .xls or .csv)"),
        validators=[
            FileRequired(message=lazy_gettext("Choose a file.")),
            FileAllowed(
                ["xlsx", "xls", "csv"],
                message=lazy_gettext("Only .xlsx, .xls and .csv files can be imported."),
            ),
        ],
    )
    survey_id = StringField(
        lazy_gettext("Survey id (optional)"),
        validators=[
            Optional(),
            Length(max=64),
            Regexp(
                SURVEY_ID,
                message=lazy_gettext(
                    "Use lower-case letters, digits and _, starting with a letter."
                ),
            ),
        ],
    )
    dry_run = BooleanField(lazy_gettext("Check only, do not store"))
