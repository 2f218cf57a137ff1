"""Language identification for short answers in the twelve survey languages.

Script decides first (Hangul, Han, Khmer, Armenian, Cyrillic, Arabic script); Latin text is
told apart with Vietnamese letters, a Hmong word check, lingua (restricted to the Latin-script
survey languages, one cached detector) and, when lingua is unsure, a vote of lexicon words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from analysis._text import char_script, normalize

__all__ = ["detect_language"]

_VI_CHARS = set(
    "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    "ĂÂĐÊÔƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ"
    "àèìòùỳãẽĩõũ"
)
_FA_CHARS = set("پچژگکی")
_AR_CHARS = set("ةىكي")
_SCRIPT_LANG = {
    "hangul": "ko",
    "han": "zh_Hant",
    "kana": "zh_Hant",
    "khmer": "km",
    "armenian": "hy",
    "cyrillic": "ru",
}
_HMONG_WORD = re.compile(
    r"^(?:n?[tp]?[xs]?h?|[cdfhklmnpqrstvxyz]{0,4})"
    r"(?:aa|ee|oo|ia|ua|aw|ai|au|a|e|i|o|u|w)[bsjvmgd]?$"
)
_HMONG_CORE = frozenset(
    [
        "kuv",
        "koj",
        "nws",
        "peb",
        "nej",
        "lawv",
        "thiab",
        "hauv",
        "tus",
        "tsev",
        "niam",
        "txiv",
        "muaj",
        "tsis",
        "yog",
        "rau",
        "nyob",
        "los",
        "mus",
        "tau",
        "ua",
        "neeg",
        "kws",
        "kho",
        "mob",
        "pab",
        "noj",
        "tsam",
        "thaum",
        "ntawm",
        "nrog",
        "cov",
        "lub",
        "phooj",
        "ywg",
        "zej",
        "zog",
        "leej",
        "twg",
        "dab",
        "tsi",
        "xav",
        "paub",
        "tshaj",
        "plaws",
        "hu",
        "kev",
        "qhia",
        "lus",
    ]
)


@lru_cache(maxsize=1)
def _latin_detector():
    from lingua import Language, LanguageDetectorBuilder

    langs = [Language.ENGLISH, Language.SPANISH, Language.VIETNAMESE, Language.TAGALOG]
    return LanguageDetectorBuilder.from_languages(*langs).build()


@lru_cache(maxsize=1)
def _arabic_detector():
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.ARABIC, Language.PERSIAN).build()


_LINGUA_CODES = {"ENGLISH": "en", "SPANISH": "es", "VIETNAMESE": "vi", "TAGALOG": "tl"}


@lru_cache(maxsize=1)
def _word_sets() -> dict[str, frozenset[str]]:
    """Words each Latin-script language's lexicon files use (for the fallback vote)."""
    from analysis._resources import load_lexicon
    from analysis.taxonomy import default_taxonomies

    lexicon = load_lexicon()
    words: dict[str, set[str]] = {}
    for lang, cues in lexicon.cues.items():
        bag = words.setdefault(lang, set())
        for w in cues.generic + cues.descriptors + list(cues.honorifics_before):
            bag.update(normalize(w).split())
    for lang, entry in lexicon.nonanswers.items():
        for w in entry.get("phrases", []) + entry.get("negators", []):
            words.setdefault(lang, set()).update(normalize(w).split())
    for tax in default_taxonomies().values():
        for lang, labels in tax.terms.items():
            for terms in labels.values():
                for t in terms:
                    words.setdefault(lang, set()).update(normalize(t.strip("*")).split())
    latin = ("en", "es", "vi", "tl", "hmn")
    out = {}
    for lang in latin:
        mine = words.get(lang, set())
        others = set().union(*(words.get(o, set()) for o in latin if o != lang))
        out[lang] = frozenset(w for w in mine - others if w.isascii() and len(w) > 1)
    return out


def _hmong_score(words: list[str]) -> float:
    if not words:
        return 0.0
    core = sum(w in _HMONG_CORE or w in _word_sets().get("hmn", ()) for w in words)
    shaped = sum(bool(_HMONG_WORD.match(w)) for w in words)
    return (2 * core + shaped) / (3 * len(words))


def _latin_language(text: str) -> str:
    if any(ch in _VI_CHARS for ch in text):
        return "vi"
    words = re.findall(r"[a-z]+", normalize(text))
    if _hmong_score(words) >= 0.6 and any(w in _HMONG_CORE for w in words):
        return "hmn"
    votes = {lang: sum(w in bag for w in words) for lang, bag in _word_sets().items()}
    detector = _latin_detector()
    confidences = detector.compute_language_confidence_values(text)
    best = confidences[0] if confidences else None
    if best is not None and best.value >= 0.75:
        lingua_lang = _LINGUA_CODES[best.language.name]
        if votes.get(lingua_lang, 0) or not any(votes.values()):
            return lingua_lang
    if any(votes.values()):
        top = max(votes.values())
        tied = [lang for lang, v in votes.items() if v == top]
        if len(tied) == 1:
            return tied[0]
        for conf in confidences:
            code = _LINGUA_CODES[conf.language.name]
            if code in tied:
                return code
        return "en" if "en" in tied else tied[0]
    return _LINGUA_CODES[best.language.name] if best is not None else "en"


@lru_cache(maxsize=100_000)
def detect_language(text: str) -> str:
    """Detect the survey language of a short answer.

    Returns one of ``en es vi zh_Hant tl ko ar hy km fa ru hmn``, or ``und`` when the text
    has no letters (emoji, numbers, punctuation).

    >>> detect_language("mi mamá y la enfermera"), detect_language("교회 목사님")
    ('es', 'ko')
    >>> detect_language("🤷")
    'und'
    """
    counts: dict[str, int] = {}
    fa = ar = 0
    for ch in text:
        script = char_script(ch)
        if script == "other":
            continue
        weight = 3 if script in ("han", "kana") else 2 if script in ("hangul", "khmer") else 1
        counts[script] = counts.get(script, 0) + weight
        if script == "arabic":
            fa += ch in _FA_CHARS
            ar += ch in _AR_CHARS
    if not counts:
        return "und"
    latin = counts.pop("latin", 0)
    if counts:
        script = max(sorted(counts), key=counts.__getitem__)
        if counts[script] * 3 >= latin or latin < 4:
            if script == "arabic":
                if fa != ar:
                    return "fa" if fa > ar else "ar"
                found = _arabic_detector().detect_language_of(text)
                return "fa" if found is not None and found.name == "PERSIAN" else "ar"
            if script in _SCRIPT_LANG:
                return _SCRIPT_LANG[script]
    if not latin:
        return "und"
    return _latin_language(text)
