"""Checking and normalizing one answer, from SMS text or structured web/API values.

Stored values follow docs/survey-format.md: select_one -> choice value, select_multiple ->
list of values in choice order, integer -> int, yes_no -> "yes"/"no", date -> ISO string,
phone -> E.164, text -> the text. Error messages are English msgids with ``{name}``
placeholders, translated in the ``messages`` domain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import phonenumbers

from fieldscan import locales
from fieldscan.locales import SOURCE_LANGUAGE, fold, normalize_language
from fieldscan.survey.definition import Choice, Question, Survey
from fieldscan.survey.schema import DEFAULT_MAX_LENGTH

#: Yes and no words per language, matched against the whole answer after fold().
YES_NO_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (("yes", "y", "yeah", "yep"), ("no", "n", "nope")),
    "es": (("sí", "si"), ("no",)),
    "vi": (("có", "co", "vâng"), ("không", "khong")),
    "zh_Hant": (("是", "對", "好"), ("否", "不是", "不")),
    "tl": (("oo", "opo"), ("hindi",)),
    "ko": (("예", "네", "응"), ("아니요", "아니오", "아니")),
    "ar": (("نعم",), ("لا",)),
    "hy": (("այո",), ("ոչ",)),
    "km": (("បាទ", "ចាស", "បាទ/ចាស"), ("ទេ",)),
    "fa": (("بله", "آره"), ("نه", "خیر")),
    "ru": (("да",), ("нет",)),
    "hmn": (("yog",), ("tsis yog", "tsis")),
}
_YES_NO = {
    lang: ({fold(w) for w in yes}, {fold(w) for w in no})
    for lang, (yes, no) in YES_NO_WORDS.items()
}
#: Words joining choices in "1 y 3" or "school and library"; dropped when not a choice.
_CONNECTORS = frozenset(
    fold(w)
    for w in ("and", "&", "+", "y", "e", "và", "at", "и", "و", "和", "及", "그리고", "와", "과",
              "և", "ու", "និង", "thiab")
)  # fmt: skip
_SEPARATORS = re.compile(r"[,;、，،؛\n]+")
_NUMBER = re.compile(r"[#(]?\s*(\d{1,3})\s*[.)]?")
_LETTER = re.compile(r"\(?([a-z])\s*[.)]?")
_TRAILING = " .!?,;:。！？、\"'"
_INTEGER = re.compile(r"[+-]?\d{1,15}")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
DATE_EXAMPLE = "3/14/2024"
PHONE_EXAMPLE = "(213) 555-0123"


@dataclass(frozen=True)
class AnswerResult:
    """The outcome of :func:`validate_answer`; ``value`` is None when skipped or invalid."""

    ok: bool
    value: object = None
    error: str | None = None
    skipped: bool = False


class _InvalidAnswerError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def gettext(language: str, message: str, **params: object) -> str:
    """:func:`fieldscan.locales.gettext`, falling back to English if a translation's
    placeholders are broken (a translator typo must not crash an SMS webhook)."""
    try:
        return locales.gettext(language, message, **params)
    except (KeyError, IndexError, ValueError):
        return message.format(**params)


def validate_answer(
    survey: Survey,
    question_id: str,
    raw: object,
    language: str | None,
    channel: str | None = "web",
    *,
    answers: Mapping[str, object] | None = None,
    today: date | None = None,
) -> AnswerResult:
    """Check and normalize ``raw`` (SMS text or a structured value) for a question.

    ``answers`` (the other answers so far) and ``today`` feed the question's constraint.
    Raises KeyError for an unknown question and ValueError for a note or group.
    """
    question = survey.question(question_id)
    if not question.takes_answer:
        raise ValueError(f"{question_id!r} is a {question.type} and takes no answer")
    lang = normalize_language(language) or SOURCE_LANGUAGE
    try:
        value = (
            None if _is_empty(raw) else _NORMALIZERS[question.type](question, raw, lang, channel)
        )
    except _InvalidAnswerError as exc:
        return AnswerResult(False, error=exc.message)
    if value is None or value == []:
        if question.required:
            return AnswerResult(False, error=gettext(lang, "This question needs an answer."))
        return AnswerResult(True, skipped=True)
    expression = question.constraint_expression
    if expression is not None and not expression.is_true(answers or {}, value, today):
        message = question.text("constraint_message", lang) or gettext(
            lang, "That answer is not accepted here."
        )
        return AnswerResult(False, error=message)
    return AnswerResult(True, value=value)


def choice_lines(survey: Survey, question_id: str, language: str | None) -> list[str]:
    """``["1) School programs", "2) The library", ...]`` for a select or yes/no question."""
    question = survey.question(question_id)
    return [f"{i}) {choice.text(language)}" for i, choice in enumerate(question.choices, 1)]


def _is_empty(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | set | frozenset):
        return not any(not _is_empty(item) for item in raw)
    return False


def _as_text(raw: object) -> str | None:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return None


# --- choices --------------------------------------------------------------------------------


def match_choice(
    question: Question, text: str, language: str, channel: str | None = "sms"
) -> Choice | None:
    """The choice ``text`` designates: number, letter, label (language or English), value.

    Off SMS an exact choice value wins first, because web and API clients send values
    (XLSForm values are often digits, which on SMS mean the displayed number instead).
    """
    choices = question.choices
    stripped = text.strip()
    if channel != "sms":
        exact = question.choice(stripped)
        if exact is not None:
            return exact
    number = _NUMBER.fullmatch(stripped)
    if number and 1 <= int(number.group(1)) <= len(choices):
        return choices[int(number.group(1)) - 1]
    folded = fold(stripped)
    letter = _LETTER.fullmatch(folded)
    if letter and ord(letter.group(1)) - ord("a") < len(choices):
        return choices[ord(letter.group(1)) - ord("a")]
    word = folded.strip(_TRAILING)
    if not word:
        return None
    for lang in (language, SOURCE_LANGUAGE):
        for choice in choices:
            if lang in choice.label and fold(choice.label[lang]).strip(_TRAILING) == word:
                return choice
    for choice in choices:
        if fold(choice.value) == word:
            return choice
    if question.type == "yes_no":
        return _yes_no_word(question, word, language)
    return None


def _yes_no_word(question: Question, word: str, language: str) -> Choice | None:
    # The respondent's language, then English, then any language: the tables do not
    # conflict, and SMS respondents often answer in a language other than the session's.
    for lang in (language, SOURCE_LANGUAGE, *_YES_NO):
        yes, no = _YES_NO.get(lang, ((), ()))
        if word in yes:
            return question.choice("yes")
        if word in no:
            return question.choice("no")
    return None


def _select_one(question: Question, raw: object, lang: str, channel: str | None) -> str:
    if question.type == "yes_no" and isinstance(raw, bool):
        return "yes" if raw else "no"
    text = _as_text(raw)
    choice = match_choice(question, text, lang, channel) if text is not None else None
    if choice is None:
        if question.type == "yes_no":
            raise _InvalidAnswerError(gettext(lang, "Please answer yes or no."))
        raise _InvalidAnswerError(
            # TRANSLATORS: {count} is the number of choices, numbered from 1.
            gettext(
                lang,
                "Please answer with the number of one of the choices (1 to {count}).",
                count=len(question.choices),
            )
        )
    return choice.value


def _select_multiple(question: Question, raw: object, lang: str, channel: str | None) -> list[str]:
    picked: list[Choice] = []
    if isinstance(raw, list | tuple | set | frozenset):
        for item in raw:
            text = _as_text(item)
            if text is None or not text.strip():
                continue
            choice = match_choice(question, text, lang, channel)
            if choice is None:
                raise _multiple_error(question, lang, text)
            picked.append(choice)
    else:
        text = _as_text(raw)
        if text is None:
            raise _multiple_error(question, lang, None)
        picked = _parse_multiple(question, text, lang, channel)
    chosen = {choice.value for choice in picked}
    return [choice.value for choice in question.choices if choice.value in chosen]


def _parse_multiple(question: Question, text: str, lang: str, channel: str | None) -> list[Choice]:
    whole = match_choice(question, text, lang, channel)
    if whole is not None:  # a single label that contains spaces, like "The library"
        return [whole]
    picked: list[Choice] = []
    for part in _SEPARATORS.split(text):
        if not part.strip():
            continue
        choice = match_choice(question, part, lang, channel)
        if choice is not None:
            picked.append(choice)
            continue
        for token in part.split():
            choice = match_choice(question, token, lang, channel)
            if choice is not None:
                picked.append(choice)
            elif fold(token).strip(_TRAILING) not in _CONNECTORS:
                raise _multiple_error(question, lang, token)
    return picked


def _multiple_error(question: Question, lang: str, part: str | None) -> _InvalidAnswerError:
    count = len(question.choices)
    if part is None:
        return _InvalidAnswerError(
            # TRANSLATORS: {count} is the number of choices; answers look like "1 3".
            gettext(
                lang,
                "Please answer with the numbers of your choices (1 to {count}), "
                "separated by spaces.",
                count=count,
            )
        )
    return _InvalidAnswerError(
        # TRANSLATORS: {answer} is what the person typed; {count} the number of choices.
        gettext(
            lang,
            '"{answer}" is not one of the choices. Please answer with the numbers of your '
            "choices (1 to {count}), separated by spaces.",
            answer=part.strip(),
            count=count,
        )
    )


# --- other types ----------------------------------------------------------------------------


def _integer(question: Question, raw: object, lang: str, channel: str | None) -> int:
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        value = int(raw.strip())  # int() also reads Arabic-Indic and full-width digits
    low, high = question.min, question.max
    if value is not None and (low is None or value >= low) and (high is None or value <= high):
        return value
    if low is not None and high is not None:
        message = gettext(
            lang, "Please answer with a whole number from {min} to {max}.", min=low, max=high
        )
    elif low is not None:
        message = gettext(lang, "Please answer with a whole number of at least {min}.", min=low)
    elif high is not None:
        message = gettext(lang, "Please answer with a whole number of at most {max}.", max=high)
    else:
        message = gettext(lang, "Please answer with a whole number.")
    raise _InvalidAnswerError(message)


def _date(question: Question, raw: object, lang: str, channel: str | None) -> str:
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    text = raw.strip() if isinstance(raw, str) else ""
    parts: tuple[int, int, int] | None = None
    if match := _ISO.fullmatch(text):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _US.fullmatch(text):  # a US clinic: month first
        parts = (int(match[3]), int(match[1]), int(match[2]))
    if parts is not None:
        try:
            return date(*parts).isoformat()
        except ValueError:
            pass
    raise _InvalidAnswerError(
        # TRANSLATORS: {example} is a date written month/day/year (3/14/2024); keep that order.
        gettext(lang, "Please answer with a date like {example}.", example=DATE_EXAMPLE)
    )


def _phone(question: Question, raw: object, lang: str, channel: str | None) -> str:
    text = _as_text(raw)
    if text is not None and len(text) <= 40:
        try:
            number = phonenumbers.parse(text, "US")
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise _InvalidAnswerError(
        # TRANSLATORS: {example} is a US phone number such as (213) 555-0123.
        gettext(lang, "Please answer with a phone number like {example}.", example=PHONE_EXAMPLE)
    )


def _text(question: Question, raw: object, lang: str, channel: str | None) -> str:
    if isinstance(raw, str):
        text = unicodedata.normalize("NFC", raw).strip()
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        text = str(raw)
    else:
        raise _InvalidAnswerError(gettext(lang, "Please answer with text."))
    limit = question.max_length or DEFAULT_MAX_LENGTH
    if len(text) > limit:
        raise _InvalidAnswerError(
            gettext(lang, "Please answer in at most {max_length} characters.", max_length=limit)
        )
    return text


_NORMALIZERS = {
    "select_one": _select_one,
    "yes_no": _select_one,
    "select_multiple": _select_multiple,
    "integer": _integer,
    "date": _date,
    "phone": _phone,
    "text": _text,
}
