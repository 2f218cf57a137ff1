"""Compiled entity cues for all languages (private).

Combines ``lexicon/entity_cues/*.yaml`` with the taxonomies' vocabulary into the word
classes the mention extractor needs: heads, titles, connectors, stop words, descriptors.
"""

from __future__ import annotations

from functools import lru_cache

from analysis._matcher import TermIndex
from analysis._resources import Lexicon, load_lexicon
from analysis._text import NOSPACE_SCRIPTS, char_script, normalize

#: Kinds whose name may be made of descriptors only ("Korean Presbyterian Church", 華人中心).
DESCRIPTOR_NAME_KINDS = frozenset({"church", "org", "school"})
#: Concepts that stand for the whole kind ("clinic" for any clinic): they merge into a
#: more specific concept of the same kind when the names agree.
_BASE_CONCEPTS = frozenset({"group", "nonprofit"})
ARTICLES = frozenset(
    [
        "the",
        "a",
        "an",
        "la",
        "el",
        "los",
        "las",
        "le",
        "les",
        "lo",
        "un",
        "una",
        "al",
        "del",
        "ang",
        "mga",
        "yung",
        "ung",
        "si",
        "ni",
    ]
)


def is_base_concept(kind: str, concept: str) -> bool:
    return concept == kind or concept in _BASE_CONCEPTS


def initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w and w[0].isalnum())


class CueSet:
    """Everything the entity extractor looks up, compiled once per lexicon."""

    def __init__(self, lexicon: Lexicon, vocabulary: frozenset[str], plain=()):
        heads, before, after = [], [], []
        function_words: dict[str, set[str]] = {
            lang: {normalize(w) for w in c.generic + c.connectors + c.locatives}
            for lang, c in lexicon.cues.items()
        }

        def restricted(term: str, lang: str) -> bool:
            norm = normalize(term)
            return " " not in norm and any(
                norm in words for other, words in function_words.items() if other != lang
            )

        self.connectors: set[str] = set()
        self.locatives: set[str] = set()
        self.number_words: set[str] = set()
        self.saints: set[str] = set()
        self.generic: set[str] = set()
        self.descriptors: set[str] = set()
        self.particles: list[str] = []
        self.surnames: set[str] = set()
        self.diminutives: list[tuple[str, str]] = []
        self.head_words: set[str] = set()
        self.title_words: set[str] = set()
        self.initialism_heads: set[str] = set()
        self.combined: TermIndex | None = None
        self.word_langs: dict[str, frozenset[str]] = {}
        self.name_positions = {lang: c.name_position for lang, c in lexicon.cues.items()}
        self.nospace_words: dict[str, list[str]] = {}
        concept_phrases: dict[str, list[list[str]]] = {}
        single_heads: set[str] = set()
        for lang, cues in lexicon.cues.items():
            for term, kind, concept in cues.heads:
                heads.append((term, f"{kind}|{concept}", lang, restricted(term, lang)))
                words = normalize(term).split()
                self.head_words.update(words)
                if len(words) == 1:
                    single_heads.add(words[0])
                concept_phrases.setdefault(concept, []).append(words)
            for term, role in cues.honorifics_before.items():
                before.append((term, role, lang, restricted(term, lang)))
                self.title_words.update(normalize(term).split())
            for term, role in cues.honorifics_after.items():
                after.append((term, role, lang, False))
            self.connectors.update(normalize(w) for w in cues.connectors)
            self.locatives.update(normalize(w) for w in cues.locatives)
            self.number_words.update(normalize(w) for w in cues.number_words)
            self.saints.update(normalize(w) for w in cues.saint_prefixes)
            for w in cues.generic:
                self.generic.update(normalize(w).split())
            for w in cues.descriptors:
                self.descriptors.update(normalize(w).split())
            self.particles.extend(normalize(p) for p in cues.particles)
            self.surnames.update(normalize(s) for s in cues.surnames)
            self.diminutives.extend((normalize(k), normalize(v)) for k, v in cues.diminutives)
        for phrases in concept_phrases.values():
            long_initials = {initials(p) for p in phrases if len(p) >= 2}
            for p in phrases:
                if len(p) == 1 and p[0] in long_initials:
                    self.initialism_heads.add(p[0])
        self.particles.sort(key=len, reverse=True)
        self.heads = TermIndex(heads)
        self.titles_before = TermIndex(before)
        self.title_entries = before
        self.titles_after = TermIndex(after)
        statewide = []
        for program in lexicon.statewide:
            for alias in program.get("aliases") or []:
                statewide.append((alias, str(program.get("name", alias)), "*", False))
        self.statewide = TermIndex(statewide)
        self.statewide_entries = statewide
        self.after_entries = after
        self.head_entries = heads
        self.nicknames: dict[str, str] = {}
        for full, shorts in lexicon.nicknames.items():
            for short in shorts:
                self.nicknames.setdefault(normalize(short), normalize(full))
        self.stop_by_lang: dict[str, frozenset[str]] = {}
        for lang, cues in lexicon.cues.items():
            words = {w for g in cues.generic for w in normalize(g).split()}
            own_heads = {normalize(t) for t, _k, _c in cues.heads if " " not in normalize(t)}
            own_desc = {w for d in cues.descriptors for w in normalize(d).split()}
            self.stop_by_lang[lang] = frozenset(words - self.saints - own_desc - own_heads)
        self.links = frozenset(self.connectors | self.locatives)
        stop = self.generic | self.connectors | self.locatives
        self.known = frozenset(
            vocabulary | self.descriptors | self.head_words | self.title_words | self.saints
        )
        self.stop = frozenset(stop - self.saints - self.descriptors - single_heads)
        self.plain = frozenset(plain)

    @lru_cache(maxsize=64)  # noqa: B019 - one CueSet per lexicon, kept for the process
    def stop_for(self, lang: str) -> frozenset[str]:
        """Words that end a name in an answer written in ``lang`` (English always counts)."""
        if lang not in self.stop_by_lang:
            return self.stop
        en = self.stop_by_lang.get("en", frozenset())
        return self.stop_by_lang[lang] | en | self.links | ARTICLES

    def foreign_only(self, word: str, lang: str) -> bool:
        """True when ``word`` is a lexicon word only in languages other than ``lang``/en."""
        langs = self.word_langs.get(word)
        return bool(langs) and not langs & {lang, "en", "*"}

    def is_descriptor(self, word: str) -> bool:
        """A word listed as a descriptor (also after Arabic clitics or Korean endings)."""
        if word in self.descriptors:
            return True
        from analysis._matcher import _variants

        for script in ("arabic",):
            if any(v in self.descriptors for v in _variants(word, script)[1:]):
                return True
        return self.strip_particles(word) in self.descriptors

    def is_known(self, word: str) -> bool:
        if word in self.known or word in self.stop:
            return True
        if word and char_script(word[0]) == "arabic":
            from analysis._matcher import _variants

            return any(v in self.known for v in _variants(word, "arabic")[1:])
        if len(word) > 4 and word.endswith("s"):
            return word[:-1] in self.known or (word.endswith("es") and word[:-2] in self.known)
        return False

    def name_form(self, word: str, script: str) -> str:
        """A name word without the endings and clitics that vary with grammar.

        Saint prefixes become 'saint'; Korean/Armenian case endings and Arabic-script
        clitics (ال، و، ب، ل) are removed ('النور' -> 'نور', 'Պետրոսյանին' -> 'Պետրոսյան').
        """
        if word in self.saints:
            return "saint"
        if script in ("hangul", "armenian") and not self.is_known(word):
            return self.strip_particles(word)
        if script == "arabic":
            for clitic in ("وال", "بال", "فال", "لل", "ال"):
                if word.startswith(clitic) and len(word) - len(clitic) >= 2:
                    return word[len(clitic) :]
        return word

    def name_after(self, lang: str) -> bool:
        """True when names usually follow the head in ``lang`` (Khmer 'វត្ត X')."""
        order = self.name_positions.get(lang, ())
        return bool(order) and order[0] == "after"

    def split_known(self, text: str, lang: str) -> list[str]:
        """Words of a no-space name: known descriptors split off, cut before a known word.

        'ខ្មែរមេត្តាជួយ' -> ['ខ្មែរ', 'មេត្តា'] when 'ខ្មែរ' is a descriptor and 'ជួយ' a
        known word of the language.
        """
        known = self.nospace_words.get(lang, ())
        words: list[str] = []
        rest = text
        while rest:
            head = next((w for w in known if rest.startswith(w)), None)
            if head is not None:
                if head not in self.descriptors:
                    break  # an ordinary word: the name ended before it
                words.append(head)
                rest = rest[len(head) :]
                continue
            cut = min((rest.find(w, 1) for w in known if rest.find(w, 1) > 0), default=-1)
            piece = rest if cut < 0 else rest[:cut]
            words.append(piece)
            rest = "" if cut < 0 else rest[cut:]
        return [w for w in words if w]

    def starts_known(self, word: str) -> bool:
        """True when a no-space word begins with a known word of two letters or more."""
        return any(
            word.startswith(word[:n]) and word[:n] in self.known
            for n in range(len(word) - 1, 1, -1)
        )

    def strip_particles(self, word: str) -> str:
        for particle in self.particles:
            if word.endswith(particle) and len(word) - len(particle) >= 2:
                return word[: -len(particle)]
        return word


@lru_cache(maxsize=4)
def _vocabulary(lexicon: Lexicon):
    """Lexicon words (folded) with their languages, and words also written without accents."""
    from analysis.taxonomy import default_taxonomies

    sources: list[tuple[str, str]] = []
    for tax in default_taxonomies().values():
        for lang, labels in tax.terms.items():
            for terms in labels.values():
                sources.extend((term.replace("*", ""), lang) for term in terms)
    for lang, entry in lexicon.nonanswers.items():
        for key in ("phrases", "negators", "distrust"):
            sources.extend((p, lang) for p in entry.get(key, []))
    for program in lexicon.statewide:
        sources.extend((str(a), "*") for a in program.get("aliases") or [])
    for lang, cues in lexicon.cues.items():
        words = cues.generic + cues.descriptors + list(cues.honorifics_before)
        words += [t for t, _k, _c in cues.heads]
        sources.extend((w, lang) for w in words)
    langs: dict[str, set[str]] = {}
    plain = set()
    for source, lang in sources:
        for part in source.split():
            norm = normalize(part)
            for word in norm.split():
                langs.setdefault(word, set()).add(lang)
            if part.casefold() == norm:
                plain.add(norm)
    return frozenset(langs), frozenset(plain), {w: frozenset(v) for w, v in langs.items()}


@lru_cache(maxsize=4)
def cue_set(lexicon: Lexicon | None = None) -> CueSet:
    """The compiled cues for ``lexicon`` (default: bundled), cached."""
    lexicon = lexicon or load_lexicon()
    words, plain, langs = _vocabulary(lexicon)
    cues = CueSet(lexicon, words, plain)
    cues.word_langs = langs
    by_lang: dict[str, set[str]] = {}
    for word, word_langs in langs.items():
        if len(word) >= 2 and any(char_script(ch) in NOSPACE_SCRIPTS for ch in word):
            for lang in word_langs:
                by_lang.setdefault(lang, set()).add(word)
    cues.nospace_words = {
        lang: sorted(ws, key=lambda w: (-len(w), w)) for lang, ws in by_lang.items()
    }
    _add_role_titles(cues, lexicon)
    return cues


#: Trusted-messenger labels whose words name a person's role ("the promotora X").
_ROLE_LABELS = ("clinician", "chw_promotora", "faith", "school")


def _add_role_titles(cues: CueSet, lexicon: Lexicon) -> None:
    """Role words of the taxonomy act as titles too ('la trabajadora de salud X')."""
    from analysis.taxonomy import default_taxonomies

    tax = default_taxonomies().get("trusted_messenger")
    if tax is None:
        return
    entries = []
    for term, role, lang, restricted in cues.title_entries:
        entries.append((term, role, lang, restricted))
    heads = {normalize(t) for t, _k, _c in (h for c in lexicon.cues.values() for h in c.heads)}
    single = {h for h in heads if " " not in h}
    for lang, labels in tax.terms.items():
        for label in _ROLE_LABELS:
            for term in labels.get(label, []):
                norm = normalize(term.replace("*", ""))
                if "*" in term or not norm or norm in heads or norm in cues.stop:
                    continue
                if any(char_script(ch) in NOSPACE_SCRIPTS for ch in norm):
                    continue
                words = norm.split()
                if words[0] in single or words[-1] in single:
                    continue  # 'the clinic', 'centro de salud': places, not people
                entries.append((term, label, lang, " " not in norm))
    cues.titles_before = TermIndex(entries)
    cues.combined = TermIndex(
        [(t, f"W|{p}", lang, r) for t, p, lang, r in cues.statewide_entries]
        + [(t, f"H|{p}", lang, r) for t, p, lang, r in cues.head_entries]
        + [(t, f"T|{p}", lang, r) for t, p, lang, r in entries]
        + [(t, f"A|{p}", lang, r) for t, p, lang, r in cues.after_entries]
    )
    cues.title_words.update(w for t, _r, _l, _x in entries for w in normalize(t).split())
