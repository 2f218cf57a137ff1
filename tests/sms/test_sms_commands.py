"""SMS commands: STOP/START/HELP in twelve languages, and no collisions with answers."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldscan.locales import LANGUAGE_NAMES, LANGUAGES
from fieldscan.sms.commands import COMMAND_WORDS, Command, command_words, detect_command
from fieldscan.sms.languages import detect_language_switch
from fieldscan.sms.words import COMMAND_TABLE, LANGUAGE_SWITCH_WORDS, folded, normalize
from fieldscan.survey import Survey
from fieldscan.survey.answers import YES_NO_WORDS
from fieldscan.survey.definition import YES_NO_LABELS

ROOT = Path(__file__).resolve().parents[2]

#: Short ordinary answers (and given names) people send in each language; never commands.
ANSWERS: dict[str, tuple[str, ...]] = {
    "en": ("yes please", "y", "yeah", "yep", "no", "n", "nope", "ok", "okay", "sure", "maybe",
           "none", "nothing", "done", "thanks", "Stop please", "please stop"),
    "es": ("sí", "si", "Sí.", "no", "claro", "vale", "bueno", "nada", "ninguno", "gracias",
           "tal vez", "pare", "para", "no más", "nomás"),
    "vi": ("có", "co", "vâng", "vang", "không", "khong", "đúng", "dung", "Dung", "ĐÚNG",
           "đúng rồi", "dung lai", "sai", "ừ", "được", "duoc", "rồi", "dạ", "da", "Huy", "huy",
           "thôi", "đừng", "Việt", "viet"),
    "zh_Hant": ("是", "對", "对", "好", "否", "不是", "不", "沒有", "没有", "有", "謝謝"),
    "tl": ("oo", "opo", "hindi", "wala", "meron", "tama", "tama na", "mali", "salamat", "sige",
           "pare", "kumpare"),
    "ko": ("예", "네", "응", "아니요", "아니오", "아니", "없음", "없어요", "있어요", "좋아요",
           "Kang", "강"),
    "ar": ("نعم", "لا", "ايوه", "شكرا", "ممكن", "أبداً", "ابدا", "بس"),
    "hy": ("այո", "ոչ", "հա", "չէ", "ayo", "voch", "ha", "che", "kang"),
    "km": ("បាទ", "ចាស", "បាទ/ចាស", "ទេ", "អត់", "អរគុណ"),
    "fa": ("بله", "آره", "اره", "نه", "خیر", "ممنون", "هیچ", "بس", "11"),
    "ru": ("да", "нет", "ага", "спасибо", "ничего", "da", "net"),
    "hmn": ("yog", "tsis yog", "tsis", "tsis muaj", "muaj", "os", "tau", "ua tsaug", "tsis xav",
            "txhob"),
}  # fmt: skip


def _pairs(command: Command) -> list[tuple[str, str]]:
    return [(lang, word) for lang, words in COMMAND_WORDS[command].items() for word in words]


def test_every_language_has_every_command() -> None:
    for command in Command:
        assert set(COMMAND_WORDS[command]) == set(LANGUAGES)
        for lang in LANGUAGES:
            assert COMMAND_WORDS[command][lang], (command, lang)


@pytest.mark.parametrize("command", list(Command))
def test_every_listed_word_is_its_command(command: Command) -> None:
    for lang, word in _pairs(command):
        assert detect_command(word) is command, (lang, word)
        assert detect_command(word.lower()) is command, (lang, word)
        assert detect_command(f"  {word.upper()}!! ") is command, (lang, word)
        assert detect_command(f"🛑 {word} 🙏🏽") is command, (lang, word)


@pytest.mark.parametrize(
    "text",
    ["STOP", "stop", "Stop.", "STOP!!!", "¡Stop!", "  stop  ", "STOPALL", "stop all", "Stop  All",
     "UNSUBSCRIBE", "cancel", "End", "quit", "revoke", "OPTOUT", "opt out", "Opt-Out", "opt_out",
     "ALTO", "¡Alto!", "parar", "Baja", "cancelar", "NGỪNG", "ngung", "dừng", "Dừng lại", "HỦY",
     "huỷ", "huy dang ky", "停止", "停止。", "取消", "退訂", "退订", "TIGIL", "hinto", "Itigil",
     "중지", "그만", "수신거부", "수신 거부", "توقف", "إيقاف", "ايقاف", "الغاء", "إلغاء",
     "ԴԱԴԱՐԵԼ", "դադարել", "ԿԱՆԳ", "Կանգ առ", "dadarel", "kang ar", "ឈប់", "ឈប់។", "لغو",
     "СТОП", "стоп", "Отписаться", "ХВАТИТ", "NRES", "tsum", "Txhob xa", "S T O P"],
)  # fmt: skip
def test_stop_variants(text: str) -> None:
    assert detect_command(text) is Command.stop


@pytest.mark.parametrize(
    "text", ["dung", "DUNG", "Dung", "đúng", "Đúng", "ĐÚNG", "dung lai", "huy"]
)
def test_vietnamese_correct_and_names_are_not_stop(text: str) -> None:
    assert detect_command(text) is None


def test_vietnamese_stop_needs_its_diacritics_in_any_unicode_form() -> None:
    for word in ("dừng", "DỪNG", "hủy", "huỷ"):
        assert detect_command(unicodedata.normalize("NFD", word)) is Command.stop
        assert detect_command(unicodedata.normalize("NFC", word)) is Command.stop
    unfoldable = [
        w.text for words in COMMAND_TABLE["stop"].values() for w in words if not w.fold_ok
    ]
    assert {"DỪNG", "HỦY"} <= set(unfoldable)


@pytest.mark.parametrize(
    "text",
    [
        "START",
        "start",
        "Start!",
        "YES",
        "yes",
        "Yes.",
        "UNSTOP",
        "comenzar",
        "BẮT ĐẦU",
        "bat dau",
        "開始",
        "시작",
        "СТАРТ",
        "PIB",
    ],
)
def test_start_variants(text: str) -> None:
    assert detect_command(text) is Command.start


@pytest.mark.parametrize(
    "text",
    [
        "HELP",
        "help?",
        "Info",
        "AYUDA",
        "información",
        "GIÚP",
        "tro giup",
        "幫助",
        "帮助",
        "TULONG",
        "도움",
        "مساعدة",
        "مساعده",
        "ՕԳՆՈՒԹՅՈՒՆ",
        "ជំនួយ",
        "کمک",
        "كمك",
        "ПОМОЩЬ",
        "pab",
    ],
)
def test_help_variants(text: str) -> None:
    assert detect_command(text) is Command.help


@pytest.mark.parametrize("lang", LANGUAGES)
def test_yes_no_and_short_answers_are_never_commands(lang: str) -> None:
    yes, no = YES_NO_WORDS[lang]
    words = {*yes, *no, *YES_NO_LABELS[lang], *ANSWERS[lang]}
    for word in sorted(words):
        expected = Command.start if folded(word) == "yes" else None
        assert detect_command(word) is expected, (lang, word)
        assert detect_command(word.upper()) is expected, (lang, word)


def test_only_english_yes_is_start() -> None:
    assert detect_command("YES") is Command.start
    assert detect_command("Yes!") is Command.start
    for lang in LANGUAGES:
        if lang != "en":
            assert detect_command(YES_NO_LABELS[lang][0]) is None, lang


@pytest.mark.parametrize(
    "text",
    [str(n) for n in range(0, 25)] + ["1.", "#2", "(3)", "11", "٢", "۲", "២", "２", "1️⃣", "0", "00"],
)
def test_numbers_are_never_commands(text: str) -> None:
    assert detect_command(text) is None


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n", "!!!", "🛑", "stop please", "please stop", "STOP STOP", "stopp", "sstop",
     "kids", "halt", "stopping", "unsubscribe me", "help me please"],
)  # fmt: skip
def test_other_messages_are_not_commands(text: str) -> None:
    assert detect_command(text) is None


def test_full_width_latin_is_normalized() -> None:
    assert detect_command("ＳＴＯＰ") is Command.stop
    assert detect_command("ｓｔｏｐ！") is Command.stop
    assert detect_command("ＨＥＬＰ") is Command.help
    assert detect_command("ＳＴＡＲＴ") is Command.start


def test_arabic_and_persian_variants_are_normalized() -> None:
    assert detect_command("كمك") is Command.help  # Arabic kaf for Persian keheh
    assert detect_command("کمک") is Command.help
    assert detect_command("تـوقـف") is Command.stop  # tatweel
    assert detect_command("تَوَقُّف") is Command.stop  # harakat
    assert detect_command("أيقاف") is Command.stop  # hamza forms
    assert detect_command("ﺗﻮﻗﻒ") is Command.stop  # presentation forms (NFKC)
    assert detect_command("لغو عضويت") is Command.stop  # Arabic yeh for Persian yeh
    assert detect_command("لغو\u200cعضویت") is Command.stop  # zero-width non-joiner
    assert normalize("إلغاء") == normalize("الغاء")


def test_command_words_are_unique_across_commands() -> None:
    seen: dict[str, Command] = {}
    for command in Command:
        for _lang, word in _pairs(command):
            key = folded(word).replace(" ", "")
            assert seen.setdefault(key, command) is command, word


def test_commands_and_language_names_do_not_collide() -> None:
    for lang in LANGUAGES:
        for name in (LANGUAGE_NAMES[lang], *LANGUAGE_SWITCH_WORDS[lang]):
            assert detect_command(name) is None, name
    for command in Command:
        for _lang, word in _pairs(command):
            assert detect_language_switch(word) is None, word


def test_command_words_for_help_replies() -> None:
    words = command_words(Command.stop, "es")
    assert words[0] == "ALTO"
    assert "STOP" in words
    assert len(words) == len(set(words))


def test_shipped_choices_and_keywords_are_never_commands(shipped: list[Survey]) -> None:
    for survey in shipped:
        for question in survey.flat():
            for choice in question.choices:
                for lang, label in choice.label.items():
                    expected = Command.start if folded(label) == "yes" else None
                    assert detect_command(label) is expected, (survey.id, question.id, lang)
        for lang, words in survey.keywords.items():
            for word in words:
                assert detect_command(word) is None, (survey.id, lang, word)


@settings(max_examples=300, database=None, deadline=None)
@given(st.text(max_size=60))
def test_detect_command_never_raises(text: str) -> None:
    assert detect_command(text) in (None, *Command)


@settings(max_examples=200, database=None, deadline=None)
@given(st.sampled_from([w for c in Command for _, w in _pairs(c)]), st.sampled_from(" .!?¡¿🙂"))
def test_surrounding_punctuation_never_changes_a_command(word: str, mark: str) -> None:
    assert detect_command(f"{mark}{word}{mark}") is detect_command(word)
