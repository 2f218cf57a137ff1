"""Answers stored for report tests: completed SMS responses to children_scan."""

from __future__ import annotations

from fieldscan.accounts.services import get_or_create_site
from fieldscan.extensions import db
from fieldscan.instruments.services import get_version
from fieldscan.models import Answer, Channel, Response, ResponseStatus
from tests.fixtures_accounts import SITE


def store_answers(rows, question: str, slug: str = SITE) -> None:
    """One completed response per row answering ``question``; commits.

    A row is ``(text, language)`` at the site ``slug``, or ``(text, language, site slug)``.
    """
    version = get_version("children_scan")
    for text, language, *where in rows:
        response = Response(
            survey_version=version,
            channel=Channel.sms,
            language=language,
            status=ResponseStatus.completed,
            site=get_or_create_site(where[0] if where else slug),
        )
        response.answers.append(
            Answer(question_id=question, value=text, raw_text=text, language=language)
        )
        db.session.add(response)
    db.session.commit()
