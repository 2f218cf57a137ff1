"""Finding the survey an SMS keyword starts: a look-up index over the surveys' keywords.

Keywords compare with :func:`fieldscan.survey.keyword_key` (case-, accent- and
spacing-insensitive: "TRE EM" = "TREEM", "NIÑOS" = "ninos") after the message normalization
of :mod:`fieldscan.sms.words` (full-width letters, Arabic/Persian letter variants), ignoring
punctuation. A message matches a keyword as a WHOLE WORD: the message is the keyword, or
starts with it followed by a word boundary ("KIDS please", "Kids!"; not "kidsX" or "skids").
Keywords in scripts written without spaces (Chinese, Japanese, Khmer, Thai, Lao, Burmese)
also match at the start of a longer run ("兒童調查"), unless a combining mark follows the
keyword (a Khmer vowel sign or subscript would mean it ends inside a syllable).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fieldscan.locales import LANGUAGES, fold
from fieldscan.sms.words import is_mark, is_word_char, normalize
from fieldscan.survey.definition import Survey, keyword_key

#: Unicode name prefixes of the scripts written without spaces between words.
_UNSPACED_SCRIPTS = (
    "CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA", "KHMER",
    "THAI", "LAO", "MYANMAR", "TIBETAN",
)  # fmt: skip

#: The languages :meth:`KeywordIndex.listing` shows by default.
LISTING_LANGUAGES: tuple[str, ...] = ("en", "es", "vi", "zh_Hant")


@dataclass(frozen=True)
class KeywordMatch:
    """A survey a message's keyword starts, and the language the keyword is listed under."""

    survey_id: str
    language: str


def _tokens(form: str) -> list[str]:
    """The words of a folded message: runs of letters, digits and marks."""
    out: list[str] = []
    current: list[str] = []
    for ch in form:
        if is_word_char(ch):
            current.append(ch)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def _key(keyword: str) -> str:
    """How a keyword is indexed: :func:`keyword_key` of its normalized form, no punctuation."""
    return "".join(_tokens(keyword_key(normalize(keyword))))


def _unspaced(key: str) -> bool:
    name = unicodedata.name(key[-1], "")
    return name.startswith(_UNSPACED_SCRIPTS)


class KeywordIndex:
    """Keyword look-up over a set of surveys; build it with :meth:`from_surveys`."""

    def __init__(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """Index ``(survey_id, language, keyword)`` entries, in the order given."""
        self._matches: dict[str, list[KeywordMatch]] = {}
        self._shown: dict[str, dict[str, list[str]]] = {}  # survey -> language -> keywords
        for survey_id, language, keyword in entries:
            key = _key(keyword)
            if not key:
                continue
            match = KeywordMatch(survey_id, language)
            found = self._matches.setdefault(key, [])
            if match not in found:
                found.append(match)
            self._shown.setdefault(survey_id, {}).setdefault(language, []).append(keyword)
        self._unspaced = frozenset(k for k in self._matches if _unspaced(k))
        self._longest = max((len(k) for k in self._matches), default=0)

    @classmethod
    def from_surveys(cls, surveys: Iterable[Survey], *, sms_only: bool = True) -> KeywordIndex:
        """Index the keywords of ``surveys`` (every language each lists keywords for).

        A keyword listed under several languages of one survey gives one match per
        language (the caller then asks which language). With ``sms_only`` (the default),
        surveys with no question asked over SMS are left out.
        """
        entries: list[tuple[str, str, str]] = []
        for survey in surveys:
            if sms_only and not survey.sms_questions():
                continue
            order = [lang for lang in LANGUAGES if lang in survey.keywords]
            order += [lang for lang in survey.keywords if lang not in order]
            for lang in order:
                entries.extend((survey.id, lang, word) for word in survey.keywords[lang])
        return cls(entries)

    def __len__(self) -> int:
        """The number of distinct keywords (compared as keys)."""
        return len(self._matches)

    def __contains__(self, keyword: object) -> bool:
        """Whether ``keyword`` (a string) is an indexed keyword, compared as keys."""
        return isinstance(keyword, str) and _key(keyword) in self._matches

    @property
    def survey_ids(self) -> tuple[str, ...]:
        """The indexed surveys, in the order they were given."""
        return tuple(self._shown)

    def match(self, text: str) -> list[KeywordMatch]:
        """The surveys (and keyword languages) the message ``text`` starts; [] if none.

        When keywords of different lengths both match ("BABY" and "BABY CARE"), the longest
        one wins. Matches come in survey order, then language order.
        """
        tokens = _tokens(fold(normalize(text)))
        if not tokens or not self._matches:
            return []
        best = ""
        joined = ""
        for token in tokens:  # whole words: the first k words, spaces removed
            joined += token
            if len(joined) > self._longest:
                break
            if joined in self._matches:
                best = joined
        if self._unspaced:
            joined = "".join(tokens)
            for end in range(len(best) + 1, min(len(joined), self._longest) + 1):
                prefix = joined[:end]
                if prefix in self._unspaced and (end == len(joined) or not is_mark(joined[end])):
                    best = prefix
        return list(self._matches.get(best, ())) if best else []

    def listing(self, languages: Sequence[str] = LISTING_LANGUAGES) -> str:
        """One line per survey with its first keyword in each of ``languages``.

        E.g. ``"KIDS / NINOS / TREEM / 兒童"``; keywords that compare equal are shown once,
        and a survey with none of ``languages`` shows its first keyword. For the reply to
        messages that start nothing.
        """
        lines: list[str] = []
        for shown in self._shown.values():
            words: dict[str, str] = {}
            for lang in languages:
                if shown.get(lang):
                    words.setdefault(_key(shown[lang][0]), shown[lang][0])
            if not words:
                first = next(iter(shown.values()))[0]
                words[_key(first)] = first
            lines.append(" / ".join(words.values()))
        return "\n".join(lines)
