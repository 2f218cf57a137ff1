"""How many SMS segments a text costs, and a GSM-7 version of it when one is within reach.

Pure Python (no Flask). An SMS is sent in the GSM 03.38 (3GPP TS 23.038) 7-bit default
alphabet when every character is in its basic table or extension table; otherwise the whole
message goes as UCS-2 (UTF-16), which more than halves what fits in a segment:

============  ===============  ==============================
encoding      one segment      each segment of a longer text
============  ===============  ==============================
GSM-7         160 septets      153 septets (7 go to the UDH)
UCS-2         70 code units    67 code units (3 go to the UDH)
============  ===============  ==============================

Extension-table characters (``^ { } \\ [ ~ ] | €`` and form feed) are sent as an escape
septet plus one, so they cost 2; characters outside the Basic Multilingual Plane (most
emoji) are a UTF-16 surrogate pair, so they cost 2 code units. Senders never split an
escape pair or a surrogate pair across two segments, so a long text can need one segment
more than ``ceil(units / 153)`` suggests; :func:`measure` packs segments the way a sender
does instead of dividing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

#: Units in a single-segment message, and in each segment of a concatenated one.
SINGLE_UNITS = {GSM7: 160, UCS2: 70}
PART_UNITS = {GSM7: 153, UCS2: 67}

_ESC = "\x1b"
# The GSM 03.38 basic table in code order, 16 per row (0x00-0x7F). 0x1B is the escape to the
# extension table, not a character of its own, so it is dropped below. Note 0x09 is the
# capital Ç (there is no small ç) and 0x40/0x60 are ¡ and ¿: both are plain GSM-7.
_BASIC_ROWS = (
    "@£$¥èéùìòÇ\nØø\rÅå",
    "Δ_ΦΓΛΩΠΨΣΘΞ" + _ESC + "ÆæßÉ",
    " !\"#¤%&'()*+,-./",
    "0123456789:;<=>?",
    "¡ABCDEFGHIJKLMNO",
    "PQRSTUVWXYZÄÖÑÜ§",
    "¿abcdefghijklmno",
    "pqrstuvwxyzäöñüà",
)
#: Characters of the GSM 03.38 basic table (1 septet each).
GSM_BASIC: frozenset[str] = frozenset("".join(_BASIC_ROWS)) - {_ESC}
#: Characters of the GSM 03.38 extension table (escape + 1: 2 septets each).
GSM_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")


@dataclass(frozen=True)
class SegmentInfo:
    """What a text costs as one SMS.

    ``units`` are GSM-7 septets (extension characters count 2) or, for UCS-2, UTF-16 code
    units (characters outside the BMP, like most emoji, count 2). ``characters_forcing_ucs2``
    lists the distinct characters outside GSM-7, in order of first appearance (empty for
    GSM-7 texts).
    """

    encoding: str
    units: int
    segments: int
    characters_forcing_ucs2: tuple[str, ...]


def is_gsm(char: str) -> bool:
    """Whether ``char`` can be sent in the GSM-7 default alphabet (basic or extension)."""
    return char in GSM_BASIC or char in GSM_EXTENSION


def _costs(text: str, encoding: str) -> list[int]:
    if encoding == GSM7:
        return [2 if char in GSM_EXTENSION else 1 for char in text]
    # A Python str holds code points; astral ones are two UTF-16 code units on the wire.
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _parts(text: str, costs: list[int], encoding: str) -> list[str]:
    """Pack ``text`` into segments greedily, never splitting one character's units."""
    if not text:
        return []
    if sum(costs) <= SINGLE_UNITS[encoding]:
        return [text]
    limit = PART_UNITS[encoding]
    parts: list[str] = []
    start, used = 0, 0
    for index, cost in enumerate(costs):
        if used + cost > limit:  # the escape or surrogate pair moves whole to the next part
            parts.append(text[start:index])
            start, used = index, 0
        used += cost
    parts.append(text[start:])
    return parts


def _encoding_of(text: str) -> tuple[str, tuple[str, ...]]:
    forcing = tuple(dict.fromkeys(char for char in text if not is_gsm(char)))
    return (UCS2 if forcing else GSM7), forcing


def measure(text: str) -> SegmentInfo:
    """Encoding, units and segment count of ``text`` sent as one SMS.

    An empty text has 0 units and 0 segments (there is nothing to send).
    """
    encoding, forcing = _encoding_of(text)
    costs = _costs(text, encoding)
    return SegmentInfo(
        encoding=encoding,
        units=sum(costs),
        segments=len(_parts(text, costs, encoding)),
        characters_forcing_ucs2=forcing,
    )


def split_segments(text: str) -> list[str]:
    """The pieces a sender would cut ``text`` into, one per segment (for display and tests).

    fieldscan hands Twilio the whole text; this only shows where the cuts fall.
    """
    encoding, _ = _encoding_of(text)
    return _parts(text, _costs(text, encoding), encoding)


def max_units(encoding: str, segments: int) -> int:
    """The most units that fit in ``segments`` segments of ``encoding`` (ignoring pairs)."""
    if segments <= 1:
        return SINGLE_UNITS[encoding] if segments == 1 else 0
    return PART_UNITS[encoding] * segments


def naive_segments(units: int, encoding: str) -> int:
    """The textbook count (1 if it fits one segment, else ``ceil(units / part size)``).

    :func:`measure` can exceed this by one when a pair would straddle a cut.
    """
    if units == 0:
        return 0
    if units <= SINGLE_UNITS[encoding]:
        return 1
    return math.ceil(units / PART_UNITS[encoding])


# --- suggestions ------------------------------------------------------------------------------

#: Typographic characters with a plain GSM-7 equivalent that reads the same to a patient.
#: ¡ and ¿ are deliberately absent: they are in the GSM-7 basic table, so they cost nothing.
_REPLACEMENTS: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),  # ‘ ’ ‚ ‛ ′
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),  # “ ” „ ‟ ″ « »
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),  # hyphens, dashes, −
    "\u2022": "-",  # bullet
    "\u2026": "...",  # …
    # no-break, narrow no-break, figure, en, em, thin and hair spaces
    **dict.fromkeys("\u00a0\u202f\u2007\u2002\u2003\u2009\u200a", " "),
    # invisible: zero-width space and the byte-order mark / zero-width no-break space
    **dict.fromkeys("\u200b\ufeff", ""),
}

#: Code point ranges treated as emoji (pictographs, emoticons, dingbats, flags' letters).
_EMOJI_RANGES: tuple[tuple[int, int], ...] = (
    (0x1F000, 0x1FAFF),  # mahjong ... symbols and pictographs extended-A, skin tones, flags
    (0x2600, 0x27BF),  # miscellaneous symbols and dingbats (☀ ☎ ✅ ❤ ✨ ...)
    (0x2B05, 0x2B07),  # ⬅ ⬆ ⬇
    (0x2B1B, 0x2B1C),  # ⬛ ⬜
    (0x2B50, 0x2B50),  # ⭐
    (0x2B55, 0x2B55),  # ⭕
    (0x231A, 0x231B),  # ⌚ ⌛
    (0x23E9, 0x23FA),  # ⏩ ... ⏺ (⏰ ⏳ among them)
)
#: Characters that only glue an emoji sequence together (ZWJ, variation selectors, keycap).
_EMOJI_GLUE = frozenset("\u200d\ufe0e\ufe0f\u20e3")
_TAGS = (0xE0020, 0xE007F)  # subdivision flag tags (🏴 England, Scotland, Wales)


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _EMOJI_RANGES)


def _is_emoji_part(char: str) -> bool:
    return _is_emoji(char) or char in _EMOJI_GLUE or _TAGS[0] <= ord(char) <= _TAGS[1]


def _drop_emoji(text: str, start: int, out: list[str]) -> int:
    """Skip the emoji sequence at ``start`` and the space it leaves; return where to go on."""
    end = start
    while end < len(text) and _is_emoji_part(text[end]):
        end += 1
    # Tidy the gap so "Thanks 😊 see you" reads "Thanks see you", not "Thanks  see you".
    before_is_gap = not out or out[-1].endswith((" ", "\n"))
    after = text[end] if end < len(text) else ""
    if after == " " and before_is_gap:
        end += 1
    elif after in ("", "\n", ".", ",", "!", "?", ";", ":") and out and out[-1] == " ":
        out.pop()
    return end


def suggest_gsm(text: str) -> str | None:
    """``text`` with avoidable UCS-2 characters replaced, if that makes it all GSM-7.

    Curly quotes become straight ones, dashes a hyphen, … three dots, unusual spaces a
    space, and emoji are removed. Letters are never touched: an accented letter GSM-7
    lacks (á, í, ó, ú, ç, Vietnamese, ...) is part of the word, so a text that needs one
    gets None, as does a text that is GSM-7 already (nothing to suggest) or that would be
    left empty.
    """
    if not any(not is_gsm(char) for char in text):
        return None
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if _is_emoji(char):
            index = _drop_emoji(text, index, out)
            continue
        out.append(_REPLACEMENTS.get(char, char))
        index += 1
    suggestion = "".join(out)
    if not suggestion.strip() or not all(is_gsm(char) for char in suggestion):
        return None
    return suggestion
