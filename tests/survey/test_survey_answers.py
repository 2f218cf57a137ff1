"""Answer validation and normalization for every type, channel and several languages."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from fieldscan.locales import LANGUAGES, translate
from fieldscan.survey import Survey, choice_lines, match_choice, validate_answer
from fieldscan.survey.answers import _YES_NO, YES_NO_WORDS
from fieldscan.survey.definition import YES_NO_LABELS

TODAY = date(2024, 6, 15)


def ok(survey: Survey, qid: str, raw: object, lang: str = "en", channel: str = "sms") -> object:
    result = validate_answer(survey, qid, raw, lang, channel, today=TODAY)
    assert result.ok and not result.skipped and result.error is None, result
    return result.value


def error(survey: Survey, qid: str, raw: object, lang: str = "en", channel: str = "sms") -> str:
    result = validate_answer(survey, qid, raw, lang, channel, today=TODAY)
    assert not result.ok and result.value is None and result.error, result
    return result.error


@pytest.mark.parametrize(
    ("raw", "lang", "expected"),
    [
        ("yes", "en", "yes"), ("Y", "en", "yes"), ("Yeah!", "en", "yes"), ("nope", "en", "no"),
        ("sí", "es", "yes"), ("si", "es", "yes"), ("SI", "es", "yes"), ("Sí.", "es", "yes"),
        ("No", "es", "no"), ("có", "vi", "yes"), ("khong", "vi", "no"), ("Không", "vi", "no"),
        ("是", "zh_Hant", "yes"), ("不是", "zh_Hant", "no"), ("opo", "tl", "yes"),
        ("hindi", "tl", "no"), ("네", "ko", "yes"), ("아니요", "ko", "no"), ("نعم", "ar", "yes"),
        ("لا", "ar", "no"), ("այո", "hy", "yes"), ("ՈՉ", "hy", "no"), ("ចាស", "km", "yes"),
        ("ទេ", "km", "no"), ("آره", "fa", "yes"), ("خیر", "fa", "no"), ("Да", "ru", "yes"),
        ("нет", "ru", "no"), ("yog", "hmn", "yes"), ("tsis  yog", "hmn", "no"),
        ("1", "es", "yes"), (" 2. ", "es", "no"), ("a", "vi", "yes"), ("B)", "vi", "no"),
        ("yes", "es", "yes"),  # English words work in every language
        ("sí", "en", "yes"),  # and any language's words, since the tables never conflict
        (True, "en", "yes"), (False, "ko", "no"),
    ],
)  # fmt: skip
def test_yes_no(kids: Survey, raw: object, lang: str, expected: str) -> None:
    assert ok(kids, "consent", raw, lang) == expected


def test_yes_no_rejects_other_text(kids: Survey) -> None:
    assert error(kids, "consent", "maybe") == "Please answer yes or no."
    assert error(kids, "consent", "3") == "Please answer yes or no."
    assert error(kids, "consent", "   ") == "This question needs an answer."


def test_yes_no_tables_cover_every_language_without_conflicts() -> None:
    assert set(YES_NO_WORDS) == set(LANGUAGES) == set(YES_NO_LABELS)
    yes = set().union(*(words[0] for words in _YES_NO.values()))
    no = set().union(*(words[1] for words in _YES_NO.values()))
    assert not yes & no


@pytest.mark.parametrize(
    ("raw", "lang", "channel", "expected"),
    [
        ("2", "en", "sms", "library"), (" 2. ", "en", "sms", "library"),
        ("2)", "es", "sms", "library"),
        ("#3", "en", "sms", "wic"), ("b", "en", "sms", "library"), ("(C)", "vi", "sms", "wic"),
        ("library", "en", "sms", "library"), ("school", "es", "web", "school"),
        ("The Library", "en", "sms", "library"), ("la biblioteca", "es", "sms", "library"),
        ("LA BIBLIOTECA", "es", "sms", "library"), ("programas escolares", "es", "sms", "school"),
        ("thu vien", "vi", "sms", "library"), ("Thư viện", "vi", "sms", "library"),
        ("the library", "es", "sms", "library"),  # English labels are accepted everywhere
        ("wic", "zh_Hant", "tablet", "wic"), ("٢", "ar", "sms", "library"),
    ],
)  # fmt: skip
def test_select_one(kids: Survey, raw: str, lang: str, channel: str, expected: str) -> None:
    assert ok(kids, "main_service", raw, lang, channel) == expected


def test_select_one_errors(kids: Survey) -> None:
    expected = "Please answer with the number of one of the choices (1 to 3)."
    assert error(kids, "main_service", "4") == expected
    assert error(kids, "main_service", "d") == expected
    assert error(kids, "main_service", "libraries") == expected
    assert error(kids, "main_service", ["school"]) == expected
    assert validate_answer(kids, "main_service", "", "en").skipped


def test_select_values_win_off_sms_numbers_win_on_sms() -> None:
    survey = Survey.from_content(
        {
            "id": "codes", "title": {"en": "C"}, "languages": ["en"], "keywords": {"en": ["C"]},
            "questions": [{
                "id": "q", "type": "select_one", "label": {"en": "Q"},
                "choices": [{"value": "0", "label": {"en": "None"}},
                            {"value": "1", "label": {"en": "Some"}}],
            }],
        }
    )  # fmt: skip
    assert ok(survey, "q", "1", channel="sms") == "0"  # "1)" is the first line shown
    assert ok(survey, "q", "1", channel="web") == "1"  # web sends the value
    assert ok(survey, "q", 0, channel="web") == "0"


@pytest.mark.parametrize(
    ("raw", "lang", "channel", "expected"),
    [
        ("1 3", "en", "sms", ["school", "wic"]), ("1,3", "en", "sms", ["school", "wic"]),
        ("3, 1", "en", "sms", ["school", "wic"]), ("1 y 3", "es", "sms", ["school", "wic"]),
        ("1 and 2", "en", "sms", ["school", "library"]), ("a c", "en", "sms", ["school", "wic"]),
        ("A, C, a", "en", "sms", ["school", "wic"]), ("1 và 2", "vi", "sms", ["school", "library"]),
        ("la biblioteca, WIC", "es", "sms", ["library", "wic"]),
        ("The library", "en", "sms", ["library"]), ("2", "en", "sms", ["library"]),
        ("1、2", "zh_Hant", "sms", ["school", "library"]),
        (["wic", "school", "wic"], "en", "web", ["school", "wic"]),
        (["2", "school"], "en", "web", ["school", "library"]),
        (("library",), "en", "api", ["library"]),
    ],
)  # fmt: skip
def test_select_multiple(
    kids: Survey, raw: object, lang: str, channel: str, expected: list[str]
) -> None:
    channel = None if channel == "api" else channel  # type: ignore[assignment]
    assert ok(kids, "services", raw, lang, channel) == expected


def test_select_multiple_errors(kids: Survey) -> None:
    message = error(kids, "services", "1 7")
    assert message.startswith('"7" is not one of the choices.')
    assert "(1 to 3)" in message
    assert error(kids, "services", ["school", "pool"]).startswith('"pool" is not one')
    assert error(kids, "services", {"a": 1}).startswith("Please answer with the numbers")
    assert validate_answer(kids, "services", [], "en").skipped
    assert validate_answer(kids, "services", ",, ", "en").skipped


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 12 ", 12), (12, 12), (12.0, 12), ("+3", 3), ("０", 0), ("١٢", 12)],
)
def test_integer(kids: Survey, raw: object, expected: int) -> None:
    assert ok(kids, "child_count", raw) == expected


@pytest.mark.parametrize("raw", ["12.5", "abc", 12.5, True, "1 2", "16", -1, "1e3", "9" * 40])
def test_integer_errors(kids: Survey, raw: object) -> None:
    assert error(kids, "child_count", raw) == "Please answer with a whole number from 0 to 15."


def test_integer_bounds_messages_and_required(kids: Survey) -> None:
    survey = Survey.from_content(
        {
            "id": "n", "title": {"en": "N"}, "languages": ["en"], "keywords": {"en": ["N"]},
            "questions": [
                {"id": "low", "type": "integer", "label": {"en": "L"}, "min": 1},
                {"id": "high", "type": "integer", "label": {"en": "H"}, "max": 9},
                {"id": "any", "type": "integer", "label": {"en": "A"}},
            ],
        }
    )  # fmt: skip
    assert error(survey, "low", "0") == "Please answer with a whole number of at least 1."
    assert error(survey, "high", "10") == "Please answer with a whole number of at most 9."
    assert error(survey, "any", "x") == "Please answer with a whole number."
    assert ok(survey, "any", "-40") == -40
    assert error(kids, "child_count", "") == "This question needs an answer."
    assert error(kids, "child_count", None) == "This question needs an answer."


def test_constraint_uses_the_normalized_value_and_localized_message(kids: Survey) -> None:
    # youngest_age has max 17 and constraint ". <= 17"; birthday has ". <= today()"
    assert ok(kids, "birthday", "6/14/2024", channel="web") == "2024-06-14"
    generic = translate("es", "That answer is not accepted here.")
    assert error(kids, "birthday", "2024-06-16", "es", "web") == generic
    survey = Survey.from_content(
        {
            "id": "c", "title": {"en": "C"}, "languages": ["en", "es"],
            "keywords": {"en": ["C"], "es": ["C"]},
            "questions": [
                {"id": "n", "type": "integer", "label": {"en": "N"}},
                {"id": "m", "type": "integer", "label": {"en": "M"}, "constraint": ". <= ${n}",
                 "constraint_message": {"en": "At most n.", "es": "Como máximo n."}},
                {"id": "z", "type": "text", "label": {"en": "Zip"},
                 "constraint": "regex(., '^[0-9]{5}$')"},
            ],
        }
    )  # fmt: skip
    assert validate_answer(survey, "m", "3", "es", answers={"n": 5}).value == 3
    assert validate_answer(survey, "m", "6", "es", answers={"n": 5}).error == "Como máximo n."
    assert validate_answer(survey, "m", "6", "vi", answers={"n": 5}).error == "At most n."
    assert ok(survey, "z", " 94110 ") == "94110"
    assert error(survey, "z", "9411") == "That answer is not accepted here."
    assert validate_answer(survey, "z", "", "en").skipped  # constraints skip empty answers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-01-31", "2020-01-31"), ("1/31/2020", "2020-01-31"), (" 01/05/2020 ", "2020-01-05"),
        (date(2020, 2, 29), "2020-02-29"), (datetime(2021, 3, 4, 5, 6), "2021-03-04"),
    ],
)  # fmt: skip
def test_date(kids: Survey, raw: object, expected: str) -> None:
    assert ok(kids, "birthday", raw, channel="web") == expected


@pytest.mark.parametrize(
    "raw", ["31/1/2020", "2020-02-30", "2/29/2021", "Jan 5", "2020/01/05", "1.5.2020", 5]
)
def test_date_errors(kids: Survey, raw: object) -> None:
    assert (
        error(kids, "birthday", raw, channel="web") == "Please answer with a date like 3/14/2024."
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("(213) 373-4253", "+12133734253"), ("213.373.4253", "+12133734253"),
     ("+1 650 253 0000", "+16502530000"), ("12133734253", "+12133734253")],
)  # fmt: skip
def test_phone(kids: Survey, raw: str, expected: str) -> None:
    assert ok(kids, "phone", raw) == expected


@pytest.mark.parametrize("raw", ["123", "call me", "(213) 373-425", "+1 999 999 9999", "5" * 60])
def test_phone_errors(kids: Survey, raw: str) -> None:
    assert error(kids, "phone", raw) == "Please answer with a phone number like (213) 555-0123."


def test_text(kids: Survey) -> None:
    assert ok(kids, "trusted", "  My abuela  ") == "My abuela"
    assert ok(kids, "trusted", "Cafe\u0301") == "Café"  # NFC
    assert ok(kids, "trusted", 42) == "42"
    assert error(kids, "trusted", "x" * 21) == "Please answer in at most 20 characters."
    assert error(kids, "trusted", ["a"]) == "Please answer with text."
    result = validate_answer(kids, "trusted", " \n ", "en")
    assert result.ok and result.skipped and result.value is None


def test_unknown_questions_and_notes_are_programming_errors(kids: Survey) -> None:
    with pytest.raises(KeyError):
        validate_answer(kids, "nope", "1", "en")
    with pytest.raises(ValueError, match="takes no answer"):
        validate_answer(kids, "welcome", "1", "en")


def test_unknown_language_falls_back_to_english(kids: Survey) -> None:
    assert error(kids, "consent", "maybe", "xx") == "Please answer yes or no."
    assert ok(kids, "consent", "sí", "es-MX") == "yes"


def test_choice_lines(kids: Survey) -> None:
    assert choice_lines(kids, "services", "es") == [
        "1) Programas escolares", "2) La biblioteca", "3) WIC",
    ]  # fmt: skip
    assert choice_lines(kids, "consent", "vi") == ["1) Có", "2) Không"]
    assert choice_lines(kids, "consent", "ko") == ["1) Yes", "2) No"]  # not shipped: English
    assert choice_lines(kids, "trusted", "en") == []


def test_match_choice_directly(kids: Survey) -> None:
    question = kids.question("main_service")
    assert match_choice(question, "3", "en").value == "wic"  # type: ignore[union-attr]
    assert match_choice(question, "", "en") is None
    assert match_choice(question, "...", "en") is None
