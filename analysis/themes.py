"""Theme tagging: taxonomy labels for each answer, primary label first."""

from __future__ import annotations

from typing import NamedTuple

from sklearn.base import BaseEstimator

from analysis._doc import Doc, language_of, prepare
from analysis._fallback import FallbackMixin
from analysis._matcher import Hit, TermIndex
from analysis._resources import Lexicon, load_lexicon
from analysis._text import normalize
from analysis.taxonomy import Taxonomy, default_taxonomies, load_taxonomy

__all__ = ["ThemeTagger", "ThemeResult"]

_CLAUSE_PUNCT = frozenset(".,;:!?。；！？，、|()[]\n")
_CLAUSE_WORDS = frozenset(
    [
        "but",
        "pero",
        "mais",
        "nhung",
        "但",
        "但是",
        "可是",
        "하지만",
        "그런데",
        "근데",
        "لكن",
        "ولكن",
        "اما",
        "но",
        "однако",
        "բայց",
        "ប៉ុន្តែ",
        "tab",
        "sis",
        "although",
        "aunque",
        "though",
    ]
)
_CONJUNCTIONS = frozenset(
    [
        "and",
        "&",
        "plus",
        "y",
        "e",
        "o",
        "or",
        "va",
        "và",
        "voi",
        "tsaka",
        "saka",
        "和",
        "跟",
        "及",
        "還有",
        "与",
        "與",
        "그리고",
        "و",
        "ou",
        "и",
        "или",
        "և",
        "ու",
        "និង",
        "thiab",
        "los",
        "yog",
        "also",
        "tambien",
        "también",
    ]
)
_CONJUNCTIONS_BY_LANG = {"tl": frozenset({"at"})}
# Compiled indexes depend only on the data files: share them in-process.
_INDEX_CACHE: dict[tuple, TermIndex] = {}


class ThemeResult(NamedTuple):
    """Labels of one answer (primary first), why ``none`` was given, and the label hits."""

    labels: list[str]
    reason: str  # "matched", "entity", "fuzzy", "model", "nonanswer", "unmatched"
    hits: list[Hit]


def _resolve_taxonomy(taxonomy) -> Taxonomy:
    if isinstance(taxonomy, Taxonomy):
        return taxonomy
    if taxonomy is None:
        return default_taxonomies()["trusted_messenger"]
    defaults = default_taxonomies()
    if isinstance(taxonomy, str) and taxonomy in defaults:
        return defaults[taxonomy]
    return load_taxonomy(taxonomy)


def _function_words(lexicon: Lexicon) -> dict[str, set[str]]:
    words: dict[str, set[str]] = {}
    for lang, cues in lexicon.cues.items():
        words[lang] = {normalize(w) for w in cues.generic + cues.connectors + cues.locatives}
    return words


def build_index(taxonomy: Taxonomy, lexicon: Lexicon) -> TermIndex:
    """One index with the taxonomy's terms, statewide programs and non-answer markers."""
    function_words = _function_words(lexicon)
    owner: dict[str, set[tuple[str, str]]] = {}
    for lang, labels in taxonomy.terms.items():
        for label, terms in labels.items():
            for term in terms:
                owner.setdefault(normalize(term), set()).add((lang, label))
    entries = []
    for lang, labels in taxonomy.terms.items():
        for label, terms in labels.items():
            for term in terms:
                norm = normalize(term)
                clash = any(o_lang != lang and o_label != label for o_lang, o_label in owner[norm])
                single = " " not in norm and norm.isascii()
                common = any(norm in ws for o, ws in function_words.items() if o != lang)
                entries.append((term, label, lang, single and (clash or common)))
    for program in lexicon.statewide:
        label = (program.get("labels") or {}).get(taxonomy.id) or "!program"
        entries.extend((alias, label, "*", False) for alias in program.get("aliases") or [])
    for lang, entry in lexicon.nonanswers.items():
        entries.extend((p, "!none", lang, True) for p in entry.get("phrases", []))
        entries.extend((p, "!neg", lang, True) for p in entry.get("negators", []))
        entries.extend((p, "!distrust", lang, False) for p in entry.get("distrust", []))
    return TermIndex(entries)


class ThemeTagger(FallbackMixin, BaseEstimator):
    """Tag answers with taxonomy labels from lexicon terms, with a learned fallback.

    Terms of every language are matched (answers code-switch); the longest term wins;
    negated or distrusted mentions do not count; labels are ordered by first mention.
    Answers with no term get a second chance through fuzzy spelling correction and then a
    character n-gram logistic regression trained on the taxonomy terms themselves.

    Parameters
    ----------
    taxonomy : Taxonomy, str or path, default=None
        A :class:`~analysis.taxonomy.Taxonomy`, a bundled taxonomy id, or a directory.
    fallback : bool, default=True
        Use fuzzy matching and the term-trained model for answers no term matched.
    fallback_threshold : float, default=0.6
        Minimum model probability to accept its label.
    min_similarity : float, default=0.5
        The answer must also be this close (cosine of character n-grams) to one of the
        label's terms, so that unknown words and names are not forced into a label.
    random_state : int, default=0
        Seed of the fallback model.

    Examples
    --------
    >>> tagger = ThemeTagger("trusted_messenger").fit()
    >>> tagger.predict(["mi mamá y la doctora", "idk", "no confío en doctores, mi vecina"])
    [['family', 'clinician'], ['none'], ['friends_neighbors']]
    """

    def __init__(
        self,
        taxonomy=None,
        *,
        fallback=True,
        fallback_threshold=0.6,
        min_similarity=0.5,
        random_state=0,
    ):
        self.taxonomy = taxonomy
        self.fallback = fallback
        self.fallback_threshold = fallback_threshold
        self.min_similarity = min_similarity
        self.random_state = random_state

    def fit(self, X=None, y=None):  # noqa: N803 - scikit-learn's signature
        """Compile the term index and train the fallback model (``X`` is not used)."""
        self.taxonomy_ = _resolve_taxonomy(self.taxonomy)
        self.lexicon_ = load_lexicon()
        key = (self.taxonomy_.path, self.taxonomy_.version, id(self.lexicon_))
        if key not in _INDEX_CACHE:
            _INDEX_CACHE[key] = build_index(self.taxonomy_, self.lexicon_)
        self.index_ = _INDEX_CACHE[key]
        self.stopwords_ = set().union(*_function_words(self.lexicon_).values())
        vocab = set()
        for labels in self.taxonomy_.terms.values():
            for terms in labels.values():
                for term in terms:
                    vocab.update(w for w in normalize(term.strip("*")).split() if len(w) >= 4)
        self.vocabulary_ = sorted(w for w in vocab if w.isascii() and w.isalpha())
        self._fuzzy_cache: dict[str, str | None] = {}
        self.model_ = self._train_fallback() if self.fallback else None
        return self

    # ------------------------------------------------------------------ tagging
    def _clauses(self, doc: Doc) -> list[int]:
        clause, out = 0, []
        for tok in doc.tokens:
            if tok.norm in _CLAUSE_PUNCT or tok.norm in _CLAUSE_WORDS or tok.orig in "，。":
                clause += 1
            out.append(clause)
        return out

    def _suppressed(self, hit: Hit, markers: list[Hit], clauses: list[int]) -> bool:
        for m in markers:
            if clauses[m.start] != clauses[min(hit.start, len(clauses) - 1)]:
                continue
            if m.payload == "!distrust":
                if m.start == hit.start or (m.end <= hit.start and hit.start - m.end <= 6):
                    return True
                if hit.end <= m.start and m.start - hit.end <= 2:
                    return True
            elif m.payload == "!neg" and m.end <= hit.start and hit.start - m.end <= 1:
                return True
        return False

    def _joined(self, a: Hit, b: Hit, doc: Doc, clauses: list[int]) -> bool:
        lo, hi = (a, b) if a.start <= b.start else (b, a)
        if clauses[lo.start] != clauses[min(hi.start, len(clauses) - 1)]:
            return False
        between = doc.tokens[lo.end : hi.start]
        gap = doc.joined[lo.cend : hi.cstart]
        if any(c in gap for c in _CONJUNCTIONS if len(c) > 1 and not c.isascii()):
            return False  # 'X និង Y' inside one no-space run
        extra = _CONJUNCTIONS_BY_LANG.get(doc.lang, frozenset())
        if len(between) > 3 or any(t.norm in _CONJUNCTIONS or t.norm in extra for t in between):
            return False
        return not any(t.script == "punct" for t in between)

    # Pickling (the app keeps fitted models): the term index, the lexicon and caches are
    # rebuilt from the data files instead of being stored.
    _REBUILT = ("index_", "lexicon_", "stopwords_", "_fuzzy_cache", "model_")

    def __getstate__(self):
        state = super().__getstate__()
        return {k: v for k, v in state.items() if k not in self._REBUILT}

    def __setstate__(self, state):
        super().__setstate__(state)
        if "taxonomy_" in state:
            self.lexicon_ = load_lexicon()
            key = (self.taxonomy_.path, self.taxonomy_.version, id(self.lexicon_))
            if key not in _INDEX_CACHE:
                _INDEX_CACHE[key] = build_index(self.taxonomy_, self.lexicon_)
            self.index_ = _INDEX_CACHE[key]
            self.stopwords_ = set().union(*_function_words(self.lexicon_).values())
            self._fuzzy_cache = {}
            self.model_ = self._train_fallback() if self.fallback else None

    def find(self, doc: Doc) -> list[Hit]:
        """Term hits in one answer (before negation, absorption and ordering)."""
        lang = doc.lang
        return self.index_.find(doc, lambda term_lang: term_lang == lang or lang == "und")

    def tag_doc(self, doc: Doc, entity_hits: list[Hit] = (), names=(), hits=None) -> ThemeResult:
        """Tag one prepared answer.

        ``entity_hits`` carry labels of named entities; term hits inside ``names`` (token
        spans of proper names, "X Moms group") do not count.
        """
        lang = doc.lang

        def lang_ok(term_lang: str) -> bool:
            return term_lang == lang or lang == "und"

        if hits is None:
            hits = self.find(doc)
        if names:
            hits = [h for h in hits if not any(s <= h.start and h.end <= e for s, e in names)]
        result = self._labels(doc, hits, entity_hits)
        if result.labels:
            return result
        if not self.fallback:
            return ThemeResult(["none"], result.reason, [])
        if result.reason == "unmatched":
            fixed = self._fuzzy_doc(doc)
            if fixed is not None:
                again = self._labels(fixed, self.index_.find(fixed, lang_ok), ())
                if again.labels:
                    return ThemeResult(again.labels, "fuzzy", again.hits)
            if self.model_ is not None and not doc.flags & {"url", "markup", "phone"}:
                label = self._model_label(doc)
                if label:
                    return ThemeResult([label], "model", [])
        return ThemeResult(["none"], result.reason, [])

    def _labels(self, doc: Doc, hits: list[Hit], entity_hits) -> ThemeResult:
        clauses = self._clauses(doc)
        markers = [h for h in hits if h.payload in ("!neg", "!distrust")]
        found = [h for h in hits if not h.payload.startswith("!")]
        suppressed = False
        kept = []
        for h in found:
            if self._suppressed(h, markers, clauses):
                suppressed = True
            else:
                kept.append(h)
        for eh in entity_hits:
            if eh.term != "<entity>" and kept:
                continue  # a guessed entity label only when the words say nothing
            if not any(h.start < eh.end and eh.start < h.end for h in found):
                kept.append(eh)
        kept = self._drop_program_modifiers(kept)
        kept = self._drop_possessors(doc, kept)
        absorb = self.taxonomy_.absorb
        final = []
        for h in kept:
            targets = absorb.get(h.payload, ())
            if targets and any(
                o.payload in targets and self._joined(h, o, doc, clauses) for o in kept
            ):
                continue
            final.append(h)
        final.sort(key=lambda h: (h.start, h.cstart))
        labels: list[str] = []
        for h in final:
            if h.payload not in labels:
                labels.append(h.payload)
        if labels:
            reason = "entity" if all(h.term == "<entity>" for h in final) else "matched"
            return ThemeResult(labels, reason, final)
        return ThemeResult([], self._none_reason(doc, hits, suppressed), [])

    @staticmethod
    def _drop_program_modifiers(hits: list[Hit]) -> list[Hit]:
        """'Medi-Cal rides': the program pays, the ride is the need."""
        out = []
        for h in hits:
            if h.lang == "*" and h.term not in ("<entity>", "<entity?>"):
                nxt = [o for o in hits if o.start == h.end and o.payload != h.payload]
                if nxt and nxt[0].lang != "*":
                    continue
            out.append(h)
        return out

    @staticmethod
    def _drop_possessors(doc: Doc, hits: list[Hit]) -> list[Hit]:
        """'my son's teacher': the son owns the teacher, the teacher is the answer."""
        out = []
        for h in hits:
            last = doc.tokens[h.end - 1]
            apostrophe = last.orig.casefold().endswith(("'s", "’s"))
            possessive = apostrophe or (
                last.script == "latin"
                and last.norm.endswith("s")
                and not h.term.endswith("s")
                and last.norm != h.term.split()[-1]
            )
            if possessive and h.term != "<entity>":
                gap = 1 if apostrophe else 0
                after = [o for o in hits if h.end <= o.start <= h.end + gap]
                if after and not any(
                    t.script == "punct" or t.norm in _CONJUNCTIONS
                    for t in doc.tokens[h.end : after[0].start]
                ):
                    continue
            out.append(h)
        return out

    def _none_reason(self, doc: Doc, hits: list[Hit], suppressed: bool) -> str:
        if suppressed or doc.flags & {"markup", "phone"} or any(h.payload == "!none" for h in hits):
            return "nonanswer"
        covered = set()
        for h in hits:
            covered.update(range(h.start, h.end))
        for i, tok in enumerate(doc.tokens):
            if i in covered or tok.script in ("punct", "digit", "other"):
                continue
            if not tok.norm[:1].isalnum() or tok.norm in self.stopwords_:
                continue
            return "unmatched"
        return "nonanswer"

    def predict(self, texts, languages=None) -> list[list[str]]:
        """Labels for raw texts (languages detected when not given)."""
        out = []
        for i, text in enumerate(texts):
            lang = language_of(languages[i] if languages else None, text)
            out.append(self.tag_doc(prepare(str(i), text, lang, self.lexicon_)).labels)
        return out
