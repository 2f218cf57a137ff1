"""Phrase matching of lexicon terms against prepared answers (private).

A :class:`TermIndex` holds terms of many languages with a payload each (a label, a marker
such as ``!none``). ``find`` returns non-overlapping hits, the longest term winning.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from analysis._doc import Doc
from analysis._text import NOSPACE_SCRIPTS, char_script, normalize

_ARABIC_CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
_ARABIC_SUFFIXES = ("هاي", "ها")  # after normalisation (ی -> ي)


class Hit(NamedTuple):
    """A matched term: payload, token span, character span in ``Doc.joined``, language."""

    payload: str
    start: int
    end: int
    cstart: int
    cend: int
    lang: str
    term: str


class _Word(NamedTuple):
    norm: str
    low: str
    mode: str  # "exact", "prefix" (abc*), "suffix" (*abc)


class _Term(NamedTuple):
    words: tuple[_Word, ...]
    payload: str
    lang: str
    text: str
    restricted: bool  # fires only when the answer is in ``lang``


def _low(word: str) -> str:
    """Lower-case with accents kept (to tell 'hội' from 'hỏi' when both are accented)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKC", word).casefold())


def _is_nospace(text: str) -> bool:
    return any(char_script(ch) in NOSPACE_SCRIPTS for ch in text)


@lru_cache(maxsize=200_000)
def _variants(tok: str, script: str) -> tuple[str, ...]:
    """The word and the forms it may stand for (plural, Arabic clitics, Persian plural)."""
    return tuple(_variant_list(tok, script))


def _variant_list(tok: str, script: str) -> list[str]:
    out = [tok]
    if script == "latin" and len(tok) > 3:
        if tok.endswith("es"):
            out.append(tok[:-2])
        if tok.endswith("s"):
            out.append(tok[:-1])
    elif script == "arabic":
        for clitic in _ARABIC_CLITICS:
            if tok.startswith(clitic) and len(tok) - len(clitic) >= 2:
                out.append(tok[len(clitic) :])
        for suffix in _ARABIC_SUFFIXES:  # Persian plurals: دکترها -> دکتر
            for base in list(out):
                if base.endswith(suffix) and len(base) - len(suffix) >= 2:
                    out.append(base[: -len(suffix)])
    return out


class TermIndex:
    """Compiled terms for fast matching.

    Parameters
    ----------
    entries : iterable of (term, payload, lang, restricted)
        ``term`` as written in the data files (``*`` wildcards allowed).

    Examples
    --------
    >>> from analysis._doc import prepare
    >>> index = TermIndex([("food bank", "food", "en", False), ("food", "food", "en", False)])
    >>> [h.term for h in index.find(prepare("1", "the Food Banks", "en"))]
    ['food bank']
    """

    def __init__(self, entries):
        self.terms: list[_Term] = []
        self._first: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        self._suffix: dict[str, list[int]] = {}
        substrings: dict[str, list[int]] = {}
        seen = set()
        for raw, payload, lang, restricted in entries:
            raw = str(raw).strip()
            key = (normalize(raw), payload, lang)
            if not key[0] or key in seen:
                continue
            seen.add(key)
            idx = len(self.terms)
            if _is_nospace(raw):
                text = normalize(raw)
                self.terms.append(_Term((), payload, lang, text, restricted))
                substrings.setdefault(text, []).append(idx)
                continue
            words = []
            for part in raw.split():
                mode = "exact"
                if part.endswith("*") and len(part) > 1:
                    mode, part = "prefix", part[:-1]
                elif part.startswith("*") and len(part) > 1:
                    mode, part = "suffix", part[1:]
                for piece in normalize(part).split() or [""]:
                    if piece:
                        words.append(_Word(piece, _low(part) if mode == "exact" else "", mode))
            if not words:
                continue
            term = _Term(tuple(words), payload, lang, normalize(raw.replace("*", "")), restricted)
            self.terms.append(term)
            first = words[0]
            if first.mode == "exact":
                self._first.setdefault(first.norm, []).append(idx)
            elif first.mode == "prefix":
                self._prefix.setdefault(first.norm[:2], []).append(idx)
            else:
                self._suffix.setdefault(first.norm[-2:], []).append(idx)
        self._cache: dict[tuple[str, str], tuple[int, ...]] = {}
        self._substring_re = None
        if substrings:
            alternatives = sorted(substrings, key=len, reverse=True)
            self._substring_re = re.compile("|".join(map(re.escape, alternatives)))
            self._substrings = substrings

    def __len__(self) -> int:
        return len(self.terms)

    @staticmethod
    def _word_ok(word: _Word, tok_norm: str, tok_orig: str, script: str) -> bool:
        if word.mode == "prefix":
            return tok_norm.startswith(word.norm)
        if word.mode == "suffix":
            return tok_norm.endswith(word.norm) and len(tok_norm) > len(word.norm)
        if tok_norm != word.norm:
            return word.norm in _variants(tok_norm, script)[1:]
        if script == "latin" and word.low != word.norm:
            low = _low(tok_orig)
            if low != tok_norm and normalize(low) == tok_norm and low != word.low:
                return False  # both carry accents and they differ ('hội' vs 'hỏi')
        return True

    def _candidates(self, tok_norm: str, script: str) -> tuple[int, ...]:
        key = (tok_norm, script)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        found: set[int] = set()
        for variant in _variants(tok_norm, script):
            found.update(self._first.get(variant, ()))
        if self._prefix:
            found.update(self._prefix.get(tok_norm[:2], ()))
        if self._suffix:
            found.update(self._suffix.get(tok_norm[-2:], ()))
        result = tuple(sorted(found))
        if len(self._cache) < 500_000:
            self._cache[key] = result
        return result

    def find_all(self, doc: Doc, lang_ok=None) -> list[Hit]:
        """Every hit, overlapping ones included."""
        hits: list[Hit] = []
        tokens = doc.tokens
        n = len(tokens)
        for i, tok in enumerate(tokens):
            if tok.script in ("punct",) or tok.script in NOSPACE_SCRIPTS:
                continue
            for idx in self._candidates(tok.norm, tok.script):
                term = self.terms[idx]
                if term.restricted and lang_ok is not None and not lang_ok(term.lang):
                    continue
                k = len(term.words)
                if i + k > n:
                    continue
                if all(
                    self._word_ok(w, tokens[i + j].norm, tokens[i + j].orig, tokens[i + j].script)
                    for j, w in enumerate(term.words)
                ):
                    cs, ce = doc.span_chars(i, i + k)
                    hits.append(Hit(term.payload, i, i + k, cs, ce, term.lang, term.text))
        if self._substring_re is not None and doc.has_nospace:
            for m in self._substring_re.finditer(doc.joined):
                for idx in self._substrings[m.group()]:
                    term = self.terms[idx]
                    if term.restricted and lang_ok is not None and not lang_ok(term.lang):
                        continue
                    s, e = doc.token_at(m.start()), doc.token_at(m.end() - 1) + 1
                    hits.append(Hit(term.payload, s, e, m.start(), m.end(), term.lang, term.text))
        return hits

    def find(self, doc: Doc, lang_ok=None) -> list[Hit]:
        """Non-overlapping hits, longest first, returned in text order."""
        return longest_first(self.find_all(doc, lang_ok))


def longest_first(hits: list[Hit]) -> list[Hit]:
    """Keep the longest of overlapping hits; return them in text order."""
    if not hits:
        return hits
    # Longest first; on a tie the statewide program list wins (it knows the program),
    # then a fixed order, so the result never depends on how terms were indexed.
    hits.sort(key=lambda h: (-(h.cend - h.cstart), h.cstart, h.lang != "*", h.lang, h.payload))
    taken: list[tuple[int, int]] = []
    kept = []
    for h in hits:
        if any(h.cstart < e and s < h.cend for s, e in taken):
            continue
        taken.append((h.cstart, h.cend))
        kept.append(h)
    kept.sort(key=lambda h: h.cstart)
    return kept
