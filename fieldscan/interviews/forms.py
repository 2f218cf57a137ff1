"""Forms of the interview pages (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class LinkForm(FlaskForm):
    """Make a patient link: the survey and the patient's language."""

    survey = StringField(validators=[DataRequired(), Length(max=64)])
    language = StringField(validators=[DataRequired(), Length(max=16)])
