"""The SMS system messages, in the respondent's language.

Every text here is English source for the ``messages`` catalog; :func:`translate` takes the
language first so the extractor finds the messages. Texts avoid curly quotes and other
characters that would push a GSM-7 message into UCS-2.
"""

from __future__ import annotations

from fieldscan.locales import fold, translate

#: Words that skip an optional question, in any language (compared folded).
_SKIP_SOURCE = "SKIP"


def skip_word(language: str) -> str:
    """The word that skips an optional question in ``language``."""
    # TRANSLATORS: a single word a patient texts to skip a question; keep it short, capitals.
    return translate(language, "SKIP")


def is_skip(text: str, language: str) -> bool:
    """Whether ``text`` asks to skip the question (the localized word or English SKIP)."""
    folded = fold(text).strip(" .!")
    return folded in {fold(skip_word(language)), fold(_SKIP_SOURCE)}


def help_reply(language: str, program: str, contact: str | None) -> str:
    """The answer to HELP or INFO: program, contact, how to stop."""
    if contact:
        return translate(
            language,
            "{program}: a short health survey from your clinic. Questions? {contact}. "
            "Text STOP to stop messages.",
            program=program,
            contact=contact,
        )
    return translate(
        language,
        "{program}: a short health survey from your clinic. Text STOP to stop messages.",
        program=program,
    )


def stop_confirmation(language: str, program: str) -> str:
    """The one confirmation sent when a number opts out."""
    return translate(
        language,
        "You will not get more messages from {program}. Text START to get messages again.",
        program=program,
    )


def start_confirmation(language: str, keywords: str) -> str:
    """Sent when an opted-out number opts back in."""
    return translate(
        language,
        "You will get messages again. To take the survey, text {keywords}.",
        keywords=keywords,
    )


def unknown_sender(language: str, keywords: str) -> str:
    """The reply to a text that starts nothing: which keywords start a survey."""
    return translate(
        language,
        "Hello! To take a short health survey, text one of these words: {keywords}",
        keywords=keywords,
    )


def session_expired(language: str, keyword: str) -> str:
    """The reply to a late answer after the conversation expired."""
    return translate(
        language,
        "Your survey timed out, so this answer was not saved. To start again, text {keyword}.",
        keyword=keyword,
    )


def choose_language(language: str) -> str:
    """The line above the numbered language menu."""
    return translate(language, "Reply with the number of your language:")


def language_changed(language: str) -> str:
    """Confirms a language switch (in the new language)."""
    return translate(language, "OK, we will write to you in English.")


def skip_hint(language: str) -> str:
    """Told after an invalid answer to an optional question."""
    return translate(language, "Or text {skip} to skip this question.", skip=skip_word(language))


def invitation(language: str, program: str, title: str) -> str:
    """An invitation to a survey sent by staff."""
    return translate(
        language,
        "{program} invites you to a short survey: {title}. Reply YES to start, or STOP to opt out.",
        program=program,
        title=title,
    )


def reminder(language: str, program: str) -> str:
    """A reminder of an unfinished survey (followed by the question again)."""
    return translate(
        language,
        "{program}: you have an unfinished survey. Reply to continue, or STOP to opt out.",
        program=program,
    )
