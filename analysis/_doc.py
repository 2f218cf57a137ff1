"""A prepared answer: tokens after SMS expansion, URL splitting and language choice (private)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from analysis._resources import LANGUAGES, Lexicon, canonical_language, load_lexicon
from analysis._text import NOSPACE_SCRIPTS, Token, clean_text, normalize, tokenize

_URL_RE = re.compile(
    r"(?:https?://)?(?:www\.)?((?:[\w-]+\.)+)(com|org|net|gov|edu|info|us|io|co|biz)\b(/\S*)?",
    re.IGNORECASE,
)
_MARKUP_RE = re.compile(
    r"<\s*/?\s*(script|iframe|img|svg|a|div|style|body|html|object)\b[^>]*>?"
    r"|\bjavascript:|\bon(load|error|click)\s*="
    r"|(['\"`]\s*;?\s*(drop|delete|insert|update|select|alter|truncate)\s+\w+)"
    r"|\b(drop|truncate)\s+table\b|\bunion\s+select\b|\bor\s+1\s*=\s*1\b|--\s*$|\{\{.*\}\}|\$\{.*\}",
    re.IGNORECASE,
)
_PHONE_RE = re.compile(r"(?:\+?1[\s.-]?)?(?:\(?\d{3}\)?[\s.-]?)?\d{3}[\s.-]\d{4}\b")


@dataclass
class Doc:
    """One answer ready for matching."""

    id: str
    text: str
    lang: str
    tokens: list[Token]
    raw: str = ""
    joined: str = ""
    offsets: list[int] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    def _replace_id(self, answer_id: str) -> Doc:
        """The same prepared answer under another answer id."""
        from dataclasses import replace

        return replace(self, id=answer_id)

    @property
    def norms(self) -> list[str]:
        return [t.norm for t in self.tokens]

    def span_chars(self, start: int, end: int) -> tuple[int, int]:
        """Character span in :attr:`joined` of tokens ``start`` to ``end`` (exclusive)."""
        last = end - 1
        return self.offsets[start], self.offsets[last] + len(self.tokens[last].norm)

    def token_at(self, char: int) -> int:
        """Index of the token covering character ``char`` of :attr:`joined`."""
        from bisect import bisect_right

        return max(0, bisect_right(self.offsets, char) - 1)

    @property
    def has_nospace(self) -> bool:
        if self.joined.isascii():
            return False
        return any(t.script in NOSPACE_SCRIPTS for t in self.tokens)


@lru_cache(maxsize=8)
def _abbreviations(lexicon: Lexicon) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Abbreviations safe in any language, and those that only apply in their language."""
    seen: dict[str, set[str]] = {}
    function_words = set()
    for cues in lexicon.cues.values():
        function_words.update(normalize(w) for w in cues.generic + cues.connectors + cues.locatives)
    for cues in lexicon.cues.values():
        for short, full in cues.abbreviations.items():
            seen.setdefault(normalize(short), set()).add(normalize(full))
    common, by_lang = {}, {}
    for lang, cues in lexicon.cues.items():
        for short, full in cues.abbreviations.items():
            key = normalize(short)
            if len(seen[key]) == 1 and len(key) > 1 and key not in function_words:
                common[key] = normalize(full)
            by_lang.setdefault(lang, {})[key] = normalize(full)
    return common, by_lang


@lru_cache(maxsize=8)
def url_vocabulary(lexicon: Lexicon) -> frozenset[str]:
    """Words used to split run-together domain names ('clinicfamilylegal.org')."""
    words = set()
    for cues in lexicon.cues.values():
        for term, _kind, _concept in cues.heads:
            words.update(normalize(term).split())
        words.update(normalize(w) for w in cues.descriptors)
    from analysis.taxonomy import default_taxonomies

    for tax in default_taxonomies().values():
        for terms in tax.terms.values():
            for term_list in terms.values():
                for term in term_list:
                    words.update(normalize(term.strip("*")).split())
    return frozenset(w for w in words if len(w) >= 3 and w.isascii() and w.isalpha())


def split_compound(word: str, vocab: frozenset[str]) -> list[str]:
    """Split a run-together word into known words, leaving unknown stretches whole.

    >>> split_compound("xyimmigrantlegal", frozenset({"immigrant", "legal"}))
    ['xy', 'immigrant', 'legal']
    """
    n = len(word)
    best: list[tuple[tuple[int, int], list[str]] | None] = [None] * (n + 1)
    best[0] = ((0, 0), [])
    for i in range(n):
        if best[i] is None:
            continue
        (unknown, pieces), parts = best[i]
        steps = [(j, (unknown, pieces + 1)) for j in range(i + 4, n + 1) if word[i:j] in vocab]
        steps.append((i + 1, (unknown + 1, pieces + 1)))
        for j, cost in steps:
            if best[j] is None or cost < best[j][0]:
                best[j] = (cost, [*parts, word[i:j]])
    merged: list[str] = []
    for piece in best[n][1]:
        if merged and piece not in vocab and merged[-1] not in vocab:
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged


def _blank(match: re.Match) -> str:
    return " " * len(match.group())


def _rejoin(tokens: list[Token]) -> tuple[str, list[int]]:
    offsets, parts, pos = [], [], 0
    for tok in tokens:
        offsets.append(pos)
        parts.append(tok.norm)
        pos += len(tok.norm) + 1
    return " ".join(parts), offsets


def prepare(
    answer_id: str,
    text: str,
    lang: str | None,
    lexicon: Lexicon | None = None,
    extra: dict[str, str] | None = None,
) -> Doc:
    """Build a :class:`Doc`: tokens, SMS short forms expanded, URLs split, flags set.

    ``extra`` maps more short forms (learned from the corpus, e.g. initialisms) to words.
    """
    lexicon = lexicon or load_lexicon()
    common, by_lang = _abbreviations(lexicon)
    own = by_lang.get(lang or "", {})
    flags: set[str] = set()
    raw = clean_text(text or "")
    if _MARKUP_RE.search(raw):
        flags.add("markup")
        raw = _MARKUP_RE.sub(_blank, raw)
    if _PHONE_RE.search(raw):
        flags.add("phone")
        raw = _PHONE_RE.sub(_blank, raw)
    url_words: list[tuple[int, str]] = []
    for m in _URL_RE.finditer(raw):
        flags.add("url")
        labels = [p for p in m.group(1).split(".") if p and p.lower() != "www"]
        url_words.append((m.start(), " ".join(labels)))
    if url_words:
        raw = _URL_RE.sub(_blank, raw)
    tokens = tokenize(raw)
    vocab = url_vocabulary(lexicon) if url_words else frozenset()
    for start, words in url_words:
        for word in words.split():
            for piece in split_compound(normalize(word), vocab):
                tokens.append(Token(piece, piece, start, "latin"))
    expanded: list[Token] = []
    for tok in tokens:
        full = None
        if extra and tok.norm in extra:
            full = extra[tok.norm]
        elif tok.norm in own:
            full = own[tok.norm]
        elif tok.norm in common and tok.script == "latin":
            full = common[tok.norm]
        if full and full != tok.norm:
            expanded.extend(Token(w, tok.orig, tok.start, tok.script) for w in full.split())
        else:
            expanded.append(tok)
    doc = Doc(
        answer_id, text or "", lang or "und", expanded, raw=clean_text(text or ""), flags=flags
    )
    doc.joined, doc.offsets = _rejoin(expanded)
    return doc


def language_of(record_lang: object, text: str) -> str:
    """The answer's language: the given code when known, else detected."""
    lang = canonical_language(record_lang)
    if lang in LANGUAGES:
        return lang
    from analysis.langid import detect_language

    return detect_language(text)
