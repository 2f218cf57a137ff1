"""The default SMS text of a survey question: progress, label, numbered choices, hint.

Pure Python (no Flask): the SMS channel may format questions its own way and hand that
to :func:`fieldscan.sms.lint.lint_survey`; this is the reference layout the lint uses
otherwise.
"""

from __future__ import annotations

from fieldscan.locales import translate
from fieldscan.survey.answers import choice_lines
from fieldscan.survey.definition import Question, Survey

#: Question types whose SMS text lists numbered choices.
CHOICE_TYPES = frozenset({"select_one", "select_multiple", "yes_no"})


def select_multiple_hint(language: str) -> str:
    """The localized line telling a respondent how to pick several choices by SMS."""
    return translate(language, "Send all numbers that apply, like 1 3.")


def render_question_sms(
    survey: Survey,
    question: Question,
    language: str,
    number: int | None = None,
    total: int | None = None,
) -> str:
    """The full SMS text of ``question`` in ``language``.

    ``"3/10 " + label``, then one line per numbered choice for select and yes/no
    questions, then for select_multiple the hint on picking several. The progress prefix
    is left out unless both ``number`` and ``total`` are given.
    """
    label = question.text("label", language) or ""
    prefix = f"{number}/{total} " if number is not None and total is not None else ""
    lines = [prefix + label]
    if question.type in CHOICE_TYPES:
        lines.extend(choice_lines(survey, question.id, language))
    if question.type == "select_multiple":
        lines.append(select_multiple_hint(language))
    return "\n".join(lines)
