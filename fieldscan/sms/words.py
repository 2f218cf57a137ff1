"""Word tables for SMS commands and language switches, and the text normalization they use.

Every inbound message is compared in one of two forms:

* :func:`normalize` (the *exact* form): Unicode NFKC (full-width ``ＳＴＯＰ`` -> ``stop``),
  invisible characters and emoji modifiers removed, Arabic/Persian letter variants unified
  (ي/ی/ى, ك/ک, أ/إ/آ -> ا, ؤ -> و, ئ -> ي, ة -> ه; tatweel and harakat dropped), Russian ё
  written е, every script's digits made ASCII, case folded, NFC, surrounding punctuation and
  emoji trimmed, inner white space (and hyphens) collapsed to one space. Accents are kept.
* :func:`folded`: the exact form passed through :func:`fieldscan.locales.fold`, so Latin
  letters also lose their accents ("HỦY" -> "huy").

A command word whose folded form collides with an ordinary answer or name is marked
``fold_ok=False`` and only matches in its exact (accented) form; see :data:`COMMAND_TABLE`.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import NamedTuple

from fieldscan.locales import fold


class CommandWord(NamedTuple):
    """One command word: its spelling, and whether it may match without its accents."""

    text: str
    fold_ok: bool = True


def _exact(*words: str) -> tuple[CommandWord, ...]:
    return tuple(CommandWord(w, fold_ok=False) for w in words)


def _any(*words: str) -> tuple[CommandWord, ...]:
    return tuple(CommandWord(w) for w in words)


#: Command words per command name (``stop``/``start``/``help``) and language.
#:
#: Left out on purpose, because they are ordinary answers or names once folded or said alone:
#: vi "dung"/"Dung" (= đúng "correct", a name), "huy" (a name), THÔI/ĐỪNG ("that's all",
#: "don't"); es PARE (tl "pare" = buddy, a godparent), PARA, BASTA, NO MÁS; tl TAMA NA
#: (tama = "correct"); hy Latin KANG (the Korean/Chinese surname Kang); fa/ar بس ("only");
#: hmn TSIS XAV ("don't want", an answer); ar ابدأ ("start" -> ابدا = أبداً "never");
#: fa "11" (Iranian opt-out code; digits are never commands).
COMMAND_TABLE: dict[str, dict[str, tuple[CommandWord, ...]]] = {
    "stop": {
        "en": _any(
            "STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE",
            "OPTOUT", "OPT OUT",
        ),
        "es": _any("ALTO", "PARAR", "BAJA", "CANCELAR", "DETENER", "DAR DE BAJA", "DARME DE BAJA"),
        "vi": (
            *_exact("DỪNG", "DỪNG LẠI", "HỦY", "HUỶ"),
            *_any("NGỪNG", "NGƯNG", "HỦY ĐĂNG KÝ", "HUỶ ĐĂNG KÝ"),
        ),
        "zh_Hant": _any("停止", "停", "取消", "退訂", "退订", "取消訂閱", "取消订阅", "退出"),
        "tl": _any("TIGIL", "ITIGIL", "HINTO", "IHINTO", "HUMINTO"),
        "ko": _any(
            "중지", "중단", "그만", "그만해", "그만해요", "수신거부", "취소", "정지", "해지",
        ),
        "ar": _any("توقف", "إيقاف", "الغاء", "إلغاء", "قف", "إلغاء الاشتراك"),
        "hy": _any(
            "ԴԱԴԱՐԵԼ", "ԴԱԴԱՐԵՑՐԵՔ", "ԿԱՆԳ", "ԿԱՆԳ ԱՌ", "ԿԱՆԳ ԱՌԵՔ", "ՉԵՂԱՐԿԵԼ", "DADAREL",
            "KANG AR", "CHEGHARKEL",
        ),
        "km": _any("ឈប់", "បញ្ឈប់", "ឈប់ផ្ញើ", "បោះបង់"),
        "fa": _any("توقف", "لغو", "انصراف", "لغو عضویت", "ایست"),
        "ru": _any(
            "СТОП", "ОТПИСАТЬСЯ", "ОТПИСАТЬ", "ОТПИСКА", "ХВАТИТ", "ОТМЕНА", "ОТМЕНИТЬ",
            "ПРЕКРАТИТЬ",
        ),
        "hmn": _any("NRES", "TSUM", "TXHOB XA"),
    },
    "start": {
        "en": _any("START", "YES", "UNSTOP", "SUBSCRIBE"),
        "es": _any("COMENZAR", "EMPEZAR", "INICIAR", "SUSCRIBIR", "SUSCRIBIRME"),
        "vi": _any("BẮT ĐẦU", "ĐĂNG KÝ LẠI"),
        "zh_Hant": _any("開始", "开始", "訂閱", "订阅"),
        "tl": _any("SIMULA", "MAGSIMULA"),
        "ko": _any("시작", "구독"),
        "ar": _any("اشتراك", "بدء"),
        "hy": _any("ՍԿՍԵԼ", "SKSEL"),
        "km": _any("ចាប់ផ្តើម", "ចាប់ផ្ដើម"),
        "fa": _any("شروع"),
        "ru": _any("СТАРТ", "НАЧАТЬ", "ПОДПИСАТЬСЯ"),
        "hmn": _any("PIB", "PIB DUA"),
    },
    "help": {
        "en": _any("HELP", "INFO"),
        "es": _any("AYUDA", "INFORMACIÓN"),
        "vi": _any("GIÚP", "TRỢ GIÚP", "GIÚP ĐỠ"),
        "zh_Hant": _any("幫助", "帮助", "幫忙", "帮忙"),
        "tl": _any("TULONG", "SAKLOLO"),
        "ko": _any("도움", "도움말", "도와주세요"),
        "ar": _any("مساعدة", "معلومات"),
        "hy": _any("ՕԳՆՈՒԹՅՈՒՆ", "ՕԳՆՈՒԹԻՒՆ", "OGNUTYUN", "OGNUTYOUN"),
        "km": _any("ជំនួយ"),
        "fa": _any("کمک", "راهنما"),
        "ru": _any("ПОМОЩЬ", "СПРАВКА", "ПОМОГИТЕ"),
        "hmn": _any("PAB", "KEV PAB", "PAB KUV"),
    },
}  # fmt: skip

#: Names that switch the conversation language, besides each endonym in LANGUAGE_NAMES.
#: Matched folded, ignoring spaces and punctuation ("中文(繁體)" = "中文繁體"). Left out:
#: a bare VIET/VIỆT and MONG (common given names).
LANGUAGE_SWITCH_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("ENGLISH", "INGLÉS", "INGLES", "TIẾNG ANH", "英文", "英語", "英语", "영어",
           "АНГЛИЙСКИЙ"),
    "es": ("ESPAÑOL", "SPANISH", "CASTELLANO"),
    "vi": ("TIẾNG VIỆT", "VIETNAMESE"),
    "zh_Hant": ("中文", "中文(繁體)", "中文(繁体)", "繁體中文", "繁体中文", "繁體", "繁体",
                "CHINESE", "粵語", "粤语", "廣東話", "广东话", "CANTONESE", "國語", "国语",
                "普通話", "普通话", "MANDARIN", "華語", "华语"),
    "tl": ("TAGALOG", "FILIPINO", "PILIPINO"),
    "ko": ("한국어", "한국말", "KOREAN"),
    "ar": ("العربية", "عربي", "العربي", "اللغة العربية", "ARABIC"),
    "hy": ("ՀԱՅԵՐԵՆ", "ՀԱՅԵՐԷՆ", "HAYEREN", "ARMENIAN"),
    "km": ("ខ្មែរ", "ភាសាខ្មែរ", "KHMER", "CAMBODIAN"),
    "fa": ("فارسی", "پارسی", "زبان فارسی", "FARSI", "PERSIAN"),
    "ru": ("РУССКИЙ", "ПО-РУССКИ", "РУССКИЙ ЯЗЫК", "RUSSIAN", "RUSSKIY"),
    "hmn": ("HMOOB", "LUS HMOOB", "MOOB", "HMONG"),
}  # fmt: skip

# -- normalization ------------------------------------------------------------------------

_ARABIC = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
        "ى": "ي", "ی": "ي", "ې": "ي", "ئ": "ي",
        "ک": "ك", "ڪ": "ك",
        "ؤ": "و",
        "ё": "е", "Ё": "Е",
        "ة": "ه", "ۀ": "ه", "ە": "ه", "ہ": "ه", "ھ": "ه",
        "\u0640": None,  # tatweel
    }
)  # fmt: skip


def _is_arabic_mark(ch: str) -> bool:
    code = ord(ch)
    return 0x064B <= code <= 0x065F or code == 0x0670 or 0x06D6 <= code <= 0x06ED


def _is_invisible(ch: str) -> bool:
    """Format characters (ZWJ, ZWNJ, ZWSP, bidi marks), variation selectors, keycaps."""
    code = ord(ch)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return True
    return unicodedata.category(ch) in ("Cf", "Me")


@functools.lru_cache(maxsize=4096)
def _is_core(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


def is_mark(ch: str) -> bool:
    """Whether ``ch`` is a combining mark (a vowel sign or diacritic of the letter before)."""
    return unicodedata.category(ch)[0] == "M"


def is_word_char(ch: str) -> bool:
    """Whether ``ch`` belongs to a word: a letter, digit or combining mark."""
    return unicodedata.category(ch)[0] in "LNM"


def _trim(text: str) -> str:
    """Drop leading and trailing punctuation, symbols and emoji (keeping trailing marks)."""
    start = next((i for i, ch in enumerate(text) if _is_core(ch)), None)
    if start is None:
        return ""
    end = max(i for i, ch in enumerate(text) if _is_core(ch)) + 1
    while end < len(text) and is_mark(text[end]):
        end += 1
    return text[start:end]


@functools.lru_cache(maxsize=4096)
def _char(ch: str) -> str:
    # Cached per character (texts reuse few): the Unicode look-ups are the slow part.
    if _is_invisible(ch) or _is_arabic_mark(ch):
        return ""
    category = unicodedata.category(ch)
    if category == "Nd":
        return str(unicodedata.digit(ch))
    if category in ("Pd", "Pc"):
        return " "
    return ch


def normalize(text: str) -> str:
    """The exact comparison form of ``text`` (accents kept); see the module docstring."""
    nfkc = unicodedata.normalize("NFKC", text).translate(_ARABIC)
    cleaned = "".join(_char(ch) for ch in nfkc)
    cased = unicodedata.normalize("NFC", cleaned.casefold())
    return " ".join(_trim(cased).split())


def folded(text: str) -> str:
    """:func:`normalize` and then :func:`fieldscan.locales.fold` (Latin accents removed)."""
    return fold(normalize(text))


def compact(text: str) -> str:
    """``text`` without spaces: how multi-word commands compare ("OPT OUT" = "OPTOUT")."""
    return text.replace(" ", "")


def word_key(text: str) -> str:
    """Folded ``text`` with everything but letters, digits and marks removed."""
    return "".join(ch for ch in folded(text) if is_word_char(ch))
