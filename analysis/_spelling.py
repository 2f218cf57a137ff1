"""Corpus-level spelling correction of ordinary words (private).

SMS answers misspell the words the lexicon knows ("fammily", "criistiana", "FIRRE
STATION"). Each distinct unknown lower-case word of five letters or more is compared once
with the lexicon vocabulary (optimal string alignment, so transpositions count as one
edit); a close and unambiguous match replaces it. Capitalised words are left alone: they
are usually names, and names are merged later by the entity resolver instead.
"""

from __future__ import annotations

from dataclasses import replace

from analysis._cues import CueSet
from analysis._doc import Doc, _rejoin

MIN_LENGTH = 5
MIN_SIMILARITY = 0.8


def _vocabulary(cues: CueSet) -> list[str]:
    words = cues.known | cues.stop
    return sorted(w for w in words if len(w) >= MIN_LENGTH - 1 and w.isascii() and w.isalpha())


def learn_corrections(docs: list[Doc], cues: CueSet) -> dict[str, str]:
    """Map misspelt words of the corpus to lexicon words.

    >>> from analysis._cues import cue_set
    >>> from analysis._doc import prepare
    >>> learn_corrections([prepare("1", "the criistiana church", "es")], cue_set())
    {'criistiana': 'cristiana'}
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    candidates: set[str] = set()
    names: set[str] = set()
    for doc in docs:
        for tok in doc.tokens:
            word = tok.norm
            if len(word) < MIN_LENGTH or tok.script != "latin" or not word.isalpha():
                continue
            if tok.orig[:1].isupper() and not tok.orig.isupper():
                names.add(word)  # written as a name somewhere: never "corrected"
            elif not cues.is_known(word):
                candidates.add(word)
    candidates -= names
    if not candidates:
        return {}
    vocab = _vocabulary(cues)
    found = {}
    for word in sorted(candidates):
        best = process.extract(
            word, vocab, scorer=OSA.normalized_similarity, score_cutoff=MIN_SIMILARITY, limit=2
        )
        if not best:
            continue
        if len(best) == 2 and best[1][1] >= best[0][1] - 0.02:
            continue  # two words equally close: do not guess
        found[word] = best[0][0]
    return found


def apply_corrections(doc: Doc, corrections: dict[str, str]) -> Doc:
    """The answer with corrected words (the original text is unchanged)."""
    if not corrections or not any(t.norm in corrections for t in doc.tokens):
        return doc
    tokens = [
        t._replace(norm=corrections[t.norm]) if t.norm in corrections else t for t in doc.tokens
    ]
    joined, offsets = _rejoin(tokens)
    return replace(doc, tokens=tokens, joined=joined, offsets=offsets)
