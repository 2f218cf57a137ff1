"""Text normalisation and script-aware tokenisation (private).

Everything that compares words — taxonomy terms, entity cues, answers — goes through
:func:`normalize` and :func:`tokenize`, so data files and answers meet in one form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# Scripts written without spaces between words: terms are matched as substrings there.
NOSPACE_SCRIPTS = frozenset({"han", "hangul", "khmer", "kana", "thai", "lao", "myanmar"})

_SCRIPT_RANGES = (
    (0x0041, 0x024F, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0530, 0x058F, "armenian"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0E80, 0x0EFF, "lao"),
    (0x1000, 0x109F, "myanmar"),
    (0x1100, 0x11FF, "hangul"),
    (0x1780, 0x17FF, "khmer"),
    (0x19E0, 0x19FF, "khmer"),
    (0x1E00, 0x1EFF, "latin"),
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "hangul"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xA960, 0xA97F, "hangul"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x20000, 0x2FA1F, "han"),
)

# Arabic-script unification: letter variants that people type interchangeably.
_ARABIC_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ئ": "ي",
        "ک": "ك",
        "ؤ": "و",
        "ة": "ه",
        "ۀ": "ه",
        "ـ": "",
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
        "۰": "0",
        "۱": "1",
        "۲": "2",
        "۳": "3",
        "۴": "4",
        "۵": "5",
        "۶": "6",
        "۷": "7",
        "۸": "8",
        "۹": "9",
        "‌": " ",  # zero-width non-joiner (Persian half-space) -> word break
    }
)
_LATIN_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ø": "o", "ł": "l", "ı": "i", "æ": "ae"})
_DROP_CHARS = dict.fromkeys(
    [0x200D, 0xFE0F, 0xFE0E, 0x200B, 0x2060] + list(range(0x1F3FB, 0x1F400)), None
)  # ZWJ, variation selectors, zero-width space, emoji skin tones
_APOSTROPHE_RE = re.compile(r"(?<=\w)['’`´](?=\w)")
_SILENT = frozenset("-_/'’`´~*^+=\"“”«»")
# Letters plus the combining marks that belong to words (Khmer, Indic, Thai vowel signs;
# Python's \w leaves them out).
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff"
)
_TOKEN_RE = re.compile(
    rf"\d+(?:[.,]\d+)*|(?:[^\W\d_]|[{_MARKS}])(?:[^\W\d_]|[{_MARKS}]|['’`´](?=\w))*(?:\d+)?"
    r"|[^\w\s]",
    re.UNICODE,
)


@lru_cache(maxsize=4096)
def char_script(ch: str) -> str:
    """Return a coarse script name for one character ('other' for digits, marks, symbols)."""
    cp = ord(ch)
    if cp < 0x41:
        return "other"
    for lo, hi, name in _SCRIPT_RANGES:
        if lo <= cp <= hi:
            if name == "latin" and not ch.isalpha():
                return "other"
            return name
    return "other"


def _fold_marks(text: str) -> str:
    """Drop combining marks that sit on Latin or Arabic letters; keep them elsewhere."""
    out = []
    base = "other"
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) or unicodedata.category(ch) == "Mn":
            if base in ("latin", "arabic"):
                continue
        else:
            base = char_script(ch)
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


@lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """Normalise text for matching.

    Unicode NFKC, casefold, accents removed on Latin letters (``Río`` -> ``rio``,
    ``bà ngoại`` -> ``ba ngoai``), Arabic-script variants unified, apostrophes inside words
    removed (``jude's`` -> ``judes``), emoji modifiers dropped, whitespace collapsed.

    >>> normalize("  Clínica FAMILIAR de Río ")
    'clinica familiar de rio'
    """
    text = unicodedata.normalize("NFKC", text).translate(_DROP_CHARS)
    text = text.translate(_ARABIC_MAP).translate(_LATIN_SPECIAL).casefold()
    if not text.isascii():
        text = _fold_marks(text)
    text = _APOSTROPHE_RE.sub("", text)
    return " ".join(text.split())


class Token(NamedTuple):
    """One token: normalised form, original form, character start in the original, script."""

    norm: str
    orig: str
    start: int
    script: str


def _split_scripts(word: str) -> list[tuple[str, int, str]]:
    """Split a word at script changes ('harbor社區中心' -> 'harbor', '社區中心')."""
    pieces: list[tuple[str, int, str]] = []
    current = ""
    cur_script = ""
    offset = 0
    for i, ch in enumerate(word):
        sc = char_script(ch)
        if sc == "other" and current:
            sc = cur_script
        if current and sc != cur_script:
            pieces.append((current, offset, cur_script))
            current, offset = "", i
        if not current:
            offset = i
        current += ch
        cur_script = sc
    if current:
        pieces.append((current, offset, cur_script))
    return pieces


def clean_text(text: str) -> str:
    """NFKC with zero-width characters and emoji modifiers removed (token offsets refer here)."""
    return unicodedata.normalize("NFKC", text).translate(_DROP_CHARS)


def tokenize(text: str) -> list[Token]:
    """Tokenise raw text into :class:`Token` tuples (words, numbers, symbols, emoji).

    Words are split at script boundaries; CJK, Hangul and Khmer runs stay whole (they are
    matched by substring). Punctuation and emoji become single-character tokens; hyphens,
    slashes and quotes are dropped. ``start`` is an offset into :func:`clean_text`.

    >>> [t.norm for t in tokenize("Harbor社區中心, St. Jude's 101.5 FM!")]
    ['harbor', '社區中心', ',', 'st', '.', 'judes', '101.5', 'fm', '!']
    """
    raw = clean_text(text)
    tokens: list[Token] = []
    for m in _TOKEN_RE.finditer(raw):
        word = m.group()
        if word[0].isdigit():
            tokens.append(Token(word.replace(",", "."), word, m.start(), "digit"))
            continue
        if not word[0].isalpha():
            category = unicodedata.category(word[0])
            if category == "Mn" or word in _SILENT:
                continue
            if word == "&":
                tokens.append(Token("and", word, m.start(), "latin"))
            elif category == "So":
                tokens.append(Token(word, word, m.start(), "emoji"))
            else:
                tokens.append(Token(word, word, m.start(), "punct"))
            continue
        for piece, off, script in _split_scripts(word):
            norm = normalize(piece)
            if norm:
                tokens.append(Token(norm, piece, m.start() + off, script))
    return tokens


def dominant_script(tokens: list[Token]) -> str:
    """The script with most letters among tokens, Han and Hangul weighted per character."""
    counts: dict[str, int] = {}
    for tok in tokens:
        if tok.script in ("digit", "punct", "other"):
            continue
        weight = len(tok.norm) * (3 if tok.script in ("han", "kana") else 1)
        weight *= 2 if tok.script in ("hangul", "khmer") else 1
        counts[tok.script] = counts.get(tok.script, 0) + weight
    if not counts:
        return "none"
    return max(sorted(counts), key=counts.__getitem__)


_HANGUL_INITIALS = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "_",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_HANGUL_MEDIALS = [
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
]
_HANGUL_FINALS = [""] + [
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "l",
    "l",
    "l",
    "l",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
]


def romanize(word: str) -> str:
    """Latin rendering of a word in any script (Hangul by rule, others via unidecode).

    >>> romanize("김")
    'gim'
    """
    out = []
    for ch in word:
        cp = ord(ch)
        if 0xAC00 <= cp <= 0xD7A3:
            idx = cp - 0xAC00
            ini, med, fin = idx // 588, (idx % 588) // 28, idx % 28
            out.append(_HANGUL_INITIALS[ini].replace("_", "") + _HANGUL_MEDIALS[med])
            out.append(_HANGUL_FINALS[fin])
        else:
            out.append(ch)
    text = "".join(out)
    if not text.isascii():
        from unidecode import unidecode

        text = unidecode(text)
    return re.sub(r"[^a-z0-9]", "", text.lower())


_SKELETON_MAP = str.maketrans("vfcqzgdjxl", "bpkkskttsr")


def skeleton(word: str) -> str:
    """Consonant skeleton of a romanised word, for matching names across scripts.

    ``알타비스타`` and ``Alta Vista`` share the skeleton ``rtbst``.

    >>> skeleton("Alta Vista") == skeleton("알타비스타")
    True
    """
    roman = romanize(word.replace(" ", ""))
    roman = roman.translate(_SKELETON_MAP)
    roman = re.sub(r"[aeiouyhw]", "", roman)
    return re.sub(r"(.)\1+", r"\1", roman)
