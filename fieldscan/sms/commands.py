"""SMS commands: STOP (opt out), START (opt back in) and HELP, in the twelve languages.

:func:`detect_command` classifies a whole inbound message; it never looks at state. The
conversation engine decides what a command does: STOP always opts the number out; START
(and YES, which is also an ordinary answer to yes/no questions) opts back in **only when the
number is opted out** and is otherwise handled as a normal message; HELP is always answered.

A message is a command when the WHOLE message, trimmed, case-insensitively, with surrounding
punctuation and emoji ignored and inner white space collapsed, is one of the words in
:data:`COMMAND_WORDS` (the carrier/CTIA words STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT,
REVOKE, OPTOUT, START, UNSTOP, YES, HELP, INFO, and their equivalents in every language);
"STOP please" is not. Multi-word commands match with or without their spaces ("OPT OUT").
Full-width letters (``ＳＴＯＰ``) and Arabic/Persian letter variants are normalized (see
:mod:`fieldscan.sms.words`).

Accent folding is applied per word (``fold_ok`` in :data:`~fieldscan.sms.words.COMMAND_TABLE`):
Vietnamese DỪNG and HỦY only match with their diacritics, because "dung" is also đúng
("correct") and Dung and Huy are common names. Yes/no words and digits in every language are
never commands, except English YES (START).
"""

from __future__ import annotations

import enum

from fieldscan.locales import LANGUAGES, fold
from fieldscan.sms.words import COMMAND_TABLE, compact, normalize


class Command(enum.Enum):
    """What an inbound message asks of the SMS program itself (not of a survey)."""

    stop = "stop"
    start = "start"
    help = "help"


#: Command words per command and language, as shown to people (HELP replies, docs).
COMMAND_WORDS: dict[Command, dict[str, tuple[str, ...]]] = {
    command: {
        lang: tuple(word.text for word in COMMAND_TABLE[command.value].get(lang, ()))
        for lang in LANGUAGES
    }
    for command in Command
}


def _build() -> tuple[dict[str, Command], dict[str, Command]]:
    exact: dict[str, Command] = {}
    loose: dict[str, Command] = {}
    for command in Command:
        for words in COMMAND_TABLE[command.value].values():
            for word in words:
                form = normalize(word.text)
                for table, key in ((exact, compact(form)), (loose, compact(fold(form)))):
                    if table is loose and not word.fold_ok:
                        continue
                    if table.get(key, command) is not command:
                        raise ValueError(f"command word {word.text!r} is used by two commands")
                    table[key] = command
    return exact, loose


_EXACT, _FOLDED = _build()


def detect_command(text: str) -> Command | None:
    """The command the whole message ``text`` is, or None (see the module docstring)."""
    form = normalize(text)
    if not form:
        return None
    key = compact(form)
    if key in _EXACT:
        return _EXACT[key]
    return _FOLDED.get(compact(fold(form)))


def command_words(command: Command, language: str) -> tuple[str, ...]:
    """The words for ``command`` in ``language`` followed by the English ones, without repeats.

    For HELP replies ("Text STOP or ALTO to stop").
    """
    words = COMMAND_WORDS[command].get(language, ()) + COMMAND_WORDS[command]["en"]
    return tuple(dict.fromkeys(words))
