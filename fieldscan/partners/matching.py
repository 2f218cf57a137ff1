"""Matching the organisations patients name to the partner registry; the stakeholder map.

Pure functions (no Flask, no database): lists in, plain results out, so reports, jobs and
tests call them alike. Entities are the analysis output's ``{"name", "kind", "count",
"answer_ids"}`` dicts; partners are anything with ``id``, ``name``, ``aliases``, ``kind``
and ``relationship`` attributes or keys (a :class:`~fieldscan.models.Partner` or a dict);
confirmations anything with ``entity_key``, ``partner_id`` and ``status``.

How two names are compared (:func:`name_similarity`):

1. **Normalize** (:func:`name_tokens`): transliterate to ASCII (unidecode: accents go,
   "Río" = "Rio"), case-fold, drop possessives ("Mary's" = "Mary"), expand abbreviations
   ("St." = "Saint", but "Street" after a word; "Assoc" = "Association"), translate common
   Spanish, Vietnamese and Tagalog words of organisation names into English ("Banco de
   Comida" = "Food Bank", "Iglesia" = "Church", "Chùa" = "Temple"), strip plurals, and drop
   stop words ("the", "de", "la", ...) and generic heads ("center", "centro", "inc", ...).
2. **Expand initials**: a short token that spells the initials of consecutive words of the
   other name stands for them ("vv" = "Valle Verde", "frc" = "Family Resource Center").
3. **Align tokens**: equal, near-equal for typos (rapidfuzz ``ratio`` >= 85 for words of 4
   letters or more, >= 80 from 6), cut off ("presb" = "presbyterian", 4 letters or more), or
   split differently ("lienhoa" = "lien hoa").
4. **Score**: rapidfuzz ``token_set_ratio`` of the aligned names (100 when one name's words
   are all in the other: "St Mary" and "Saint Mary's Catholic Church"), less
   :data:`SUBSET_STEP` per word only one of them has, so the closest of several names that
   hold the entity's words ranks first. When *both* names keep words the other lacks, they
   name different things that share some words (a town: "Oak Hollow Food Bank" and "Oak
   Hollow Elementary School"): the score is the share of common words (Jaccard, 0-100), at
   most :data:`CONFLICT_CAP`, which stays below the threshold even with a kind boost.

A partner's score is the best over its name and aliases; an alias (or name) equal to the
entity's name after :func:`entity_key` normalization is an exact hit (100, final). Kinds
then adjust it: agreeing kinds add :data:`KIND_BOOST`, conflicting kinds take
:data:`KIND_PENALTY` (see :func:`kind_agreement`). A partner is suggested when its score is
at least :data:`SUGGEST_THRESHOLD`, unless another partner with a different name scores
within :data:`AMBIGUITY_MARGIN` of it (a bare "Oak Hollow" fits "Oak Hollow Food Bank" and
"Oak Hollow Elementary School" about equally): then nothing is suggested and staff decide.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from unidecode import unidecode

#: A partner whose score reaches this is suggested for an entity. 80 lets through
#: subsets, translations, typos and initials, and keeps out names that share only a town
#: or a generic word (see :data:`CONFLICT_CAP`).
SUGGEST_THRESHOLD = 80.0
#: Most a pair of names can score when each keeps words the other lacks: below the
#: threshold even after :data:`KIND_BOOST`.
CONFLICT_CAP = 70.0
#: Added when the entity's kind and the partner's kind agree (a church and a faith
#: community).
KIND_BOOST = 5.0
#: Taken when both kinds are known and conflict (a school and a food bank): a name that
#: only holds the entity's words ("St. Mary's" and "St. Mary's School", 98) drops below the
#: threshold; a name with exactly the entity's words (100) stays suggested at 80, since the
#: analysis may guess a kind wrong.
KIND_PENALTY = 20.0
#: Taken from a name score per word that only one of the two names has, when the other
#: name's words are all in it.
SUBSET_STEP = 2.0
#: When the best partner's name only holds the entity's words, a partner with another name
#: scoring within this of it makes the entity ambiguous: no suggestion. A name with exactly
#: the entity's words, or an alias hit, is never ambiguous with a lesser one.
AMBIGUITY_MARGIN = 10.0
#: Partners whose names score below this on a quick comparison of normalized words
#: (rapidfuzz ``token_set_ratio``) are not compared in detail: a pre-filter that keeps
#: large registries (a county's 211 directory) fast.
PREFILTER = 50.0
#: Entities named by at least this many respondents are prospective partners on the map.
#: The privacy rule of the reports: names of groups only for groups of 11 or more (one more
#: than the small cell, 1..10, that is never shown), so a rare person's name never appears.
PROSPECT_MIN_MENTIONS = 11

#: Match statuses.
SUGGESTED, CONFIRMED, REJECTED = "suggested", "confirmed", "rejected"

# --- normalization -----------------------------------------------------------------------

#: Abbreviations, as written after case-folding and without their dot.
ABBREVIATIONS = {
    "st": "saint",  # "street" after another word: see _all_tokens
    "ave": "avenue",
    "rd": "road",
    "blvd": "boulevard",
    "ste": "saint",
    "sta": "saint",
    "sto": "saint",
    "mt": "mount",
    "ft": "fort",
    "ctr": "center",
    "cntr": "center",
    "centre": "center",
    "assoc": "association",
    "assn": "association",
    "svc": "service",
    "svcs": "service",
    "dept": "department",
    "elem": "elementary",
    "intl": "international",
    "natl": "national",
    "hosp": "hospital",
    "hlth": "health",
    "comm": "community",
    "cmty": "community",
    "fd": "fire department",
    "pd": "police department",
    "bros": "brothers",
    "fb": "facebook",
    "dr": "doctor",
    "dra": "doctor",
}

#: Words of organisation names in Spanish, Vietnamese and Tagalog (unaccented), in English.
TRANSLATIONS = {
    # Spanish
    "iglesia": "church",
    "parroquia": "parish",
    "capilla": "chapel",
    "templo": "temple",
    "centro": "center",
    "san": "saint",
    "santa": "saint",
    "santo": "saint",
    "maria": "mary",
    "jose": "joseph",
    "juan": "john",
    "pedro": "peter",
    "pablo": "paul",
    "miguel": "michael",
    "francisco": "francis",
    "antonio": "anthony",
    "catolica": "catholic",
    "catolico": "catholic",
    "cristiana": "christian",
    "cristiano": "christian",
    "bautista": "baptist",
    "evangelica": "evangelical",
    "evangelico": "evangelical",
    "escuela": "school",
    "primaria": "elementary",
    "biblioteca": "library",
    "clinica": "clinic",
    "hospital": "hospital",
    "salud": "health",
    "comunitario": "community",
    "comunitaria": "community",
    "comunidad": "community",
    "familia": "family",
    "familiar": "family",
    "familiares": "family",
    "recurso": "resource",
    "recursos": "resource",
    "banco": "bank",
    "comida": "food",
    "alimento": "food",
    "alimentos": "food",
    "despensa": "pantry",
    "bienestar": "wellness",
    "servicio": "service",
    "servicios": "service",
    "legales": "legal",
    "inmigrante": "immigrant",
    "inmigrantes": "immigrant",
    "estacion": "station",
    "bomberos": "fire",
    "policia": "police",
    "mama": "mom",
    "mamas": "mom",
    "madre": "mother",
    "madres": "mother",
    "nino": "child",
    "ninos": "child",
    "infantil": "child",
    "desarrollo": "development",
    "vivienda": "housing",
    "viviendas": "housing",
    "asociacion": "association",
    "fundacion": "foundation",
    "programa": "program",
    "consejo": "council",
    "departamento": "department",
    "publica": "public",
    "publico": "public",
    "mental": "mental",
    "jovenes": "youth",
    "juventud": "youth",
    "grupo": "group",
    "padre": "father",
    "doctora": "doctor",
    "enfermera": "nurse",
    "enfermero": "nurse",
    # Vietnamese (after unidecode)
    "chua": "temple",
    "truong": "school",
    # Tagalog
    "simbahan": "church",
    "paaralan": "school",
    "aklatan": "library",
    "samahan": "association",
    # English near-synonyms
    "pagoda": "temple",
}

#: Multi-word phrases translated before splitting into words.
PHRASES = {
    "nha tho": "church",
    "phong kham": "clinic",
    "bac si": "doctor",
    "trung tam": "center",
    "cong dong": "community",
    "ngan hang thuc pham": "food bank",
    "thu vien": "library",
}

#: Words that carry no identity: articles and prepositions in the shipped languages.
STOPWORDS = frozenset(
    ["the", "a", "an", "of", "and", "for", "at", "in", "on", "to", "by", "with"]  # English
    + ["de", "del", "la", "las", "el", "los", "y", "e", "en", "para", "por", "al", "con"]
    + ["ng", "sa", "mga"]  # Tagalog
    + ["o", "cua", "va"]  # Vietnamese (unaccented)
    # Courtesy titles: "Ms. Owens" is Patricia Owens.
    + ["mr", "mrs", "ms", "miss", "senor", "senora", "sr", "sra", "srta", "don", "dona"]
)

#: Generic heads dropped from names ("Valle Verde Wellness Center" = "Valle Verde Wellness").
GENERIC_WORDS = frozenset(
    ["center", "inc", "incorporated", "llc", "ltd", "corp", "corporation", "co", "org"]
    + ["organization", "nonprofit", "group", "chat"]
)

_POSSESSIVE = re.compile(r"'s\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """ASCII, case-folded, punctuation as spaces (the first step of every comparison)."""
    text = unidecode(text or "").casefold().replace("&", " and ").replace("+", " and ")
    text = _POSSESSIVE.sub("", text.replace("\u2019", "'"))
    return " ".join(_NON_WORD.split(text)).strip()


def entity_key(name: str, kind: str | None = None) -> str:
    """The stable key of an entity: its folded name and its kind (``"oak hollow food bank|food"``).

    Only transliteration, case and punctuation are folded (no translation tables), so a key
    stored with a confirmation stays the same when the tables here grow.
    """
    return f"{fold(name)}|{(kind or '').strip().casefold()}"


def _word(token: str) -> list[str]:
    if token in ABBREVIATIONS:
        return ABBREVIATIONS[token].split()
    if token in TRANSLATIONS:
        return TRANSLATIONS[token].split()
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        singular = token[:-1]
        return TRANSLATIONS.get(singular, singular).split()
    return [token]


@lru_cache(maxsize=8192)
def _all_tokens(text: str) -> tuple[str, ...]:
    folded = f" {fold(text)} "
    for phrase, english in PHRASES.items():
        folded = folded.replace(f" {phrase} ", f" {english} ")
    tokens = folded.split()
    words: list[str] = []
    for i, word in enumerate(tokens):
        if word == "st" and i > 0 and tokens[i - 1] not in STOPWORDS:
            words.append("street")  # "Pine St Clinic"; "St Mary", "Church of St Mary" are saints
        else:
            words.extend(_word(word))
    return tuple(w for w in words if w not in STOPWORDS)


def name_tokens(text: str) -> list[str]:
    """The words of a name that identify it, normalized (see the module's notes).

    >>> name_tokens("Banco de Comida de Río Claro")
    ['bank', 'food', 'rio', 'claro']
    """
    words = _all_tokens(text)
    kept = [w for w in words if w not in GENERIC_WORDS]
    return _unique(kept or list(words))


def _unique(words: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(words))


def _expand_initials(words: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    """Replace a short word of ``words`` that spells initials of a run of ``other``'s words."""
    other_set = set(other)
    out: list[str] = []
    for word in words:
        expansion = None
        if 2 <= len(word) <= 4 and word.isalpha() and word not in other_set:
            size = len(word)
            for start in range(len(other) - size + 1):
                run = other[start : start + size]
                if "".join(w[0] for w in run) == word:
                    expansion = run
                    break
        out.extend(expansion or (word,))
    return tuple(out)


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    shorter = min(len(a), len(b))
    if shorter < 4 or a.isdigit() or b.isdigit():
        return False
    if a.startswith(b) or b.startswith(a):
        return True  # a cut-off word ("pres" / "presbyterian")
    score = fuzz.ratio(a, b)
    return score >= 85 or (shorter >= 6 and score >= 80)


def _align(a: list[str], b: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Words of ``a`` found in ``b`` (spelled as in ``b``), and each side's leftovers."""
    left_b = list(b)
    shared: list[str] = []
    left_a: list[str] = []
    for word in a:
        if word in left_b:
            left_b.remove(word)
            shared.append(word)
            continue
        partner = next((other for other in left_b if _similar(word, other)), None)
        if partner is not None:
            left_b.remove(partner)
            shared.append(partner)
        else:
            left_a.append(word)
    # The same words written together or apart ("lienhoa" / "lien hoa").
    for words, others in ((left_a, left_b), (left_b, left_a)):
        for word in list(words):
            for size in (2, 3):
                for start in range(len(others) - size + 1):
                    run = others[start : start + size]
                    if fuzz.ratio(word, "".join(run)) >= 90:
                        words.remove(word)
                        del others[start : start + size]
                        shared.extend(run)
                        break
                else:
                    continue
                break
    return shared, left_a, left_b


@lru_cache(maxsize=65536)  # pure; the review page and the map compare the same pairs
def name_similarity(a: str, b: str) -> float:
    """How alike two organisation names are, 0-100 (see the module's notes).

    >>> name_similarity("Banco de Comida de Oak Hollow", "Oak Hollow Food Bank")
    100.0
    >>> name_similarity("Oak Hollow Elementary School", "Oak Hollow Food Bank") < 50
    True
    """
    words_a, words_b = _all_tokens(a), _all_tokens(b)
    words_a, words_b = _expand_initials(words_a, words_b), _expand_initials(words_b, words_a)
    tokens_a = _unique(w for w in words_a if w not in GENERIC_WORDS) or _unique(words_a)
    tokens_b = _unique(w for w in words_b if w not in GENERIC_WORDS) or _unique(words_b)
    if not tokens_a or not tokens_b:
        return 0.0
    shared, left_a, left_b = _align(tokens_a, tokens_b)
    base = float(fuzz.token_set_ratio(" ".join(shared + left_a), " ".join(shared + left_b)))
    if left_a and left_b:
        tail = fuzz.token_sort_ratio(" ".join(left_a), " ".join(left_b))
        if tail < 80:
            jaccard = 100.0 * len(shared) / (len(shared) + len(left_a) + len(left_b))
            return round(min(base, jaccard, CONFLICT_CAP), 1)
    # One name holds the other: the fewer extra words, the closer.
    return round(max(0.0, base - SUBSET_STEP * len(left_a or left_b)), 1)


# --- kinds --------------------------------------------------------------------------------

#: Partner kinds (the partner inventory's ``org_kind`` values) that agree with each kind of
#: entity the analysis reports (church, school, food, clinic, media, person, org, public,
#: online). An inventory kind also agrees with itself.
KIND_AGREEMENT: dict[str, frozenset[str]] = {
    "church": frozenset({"faith"}),
    "school": frozenset({"school", "early_literacy_youth"}),
    "food": frozenset({"food_assistance"}),
    "clinic": frozenset({"clinic_hospital", "behavioral_health", "midwifery", "public_health"}),
    "media": frozenset({"media"}),
    "online": frozenset({"media"}),
    "public": frozenset({"public_health", "fire_police", "child_welfare", "library"}),
    "org": frozenset({"other"}),
    "person": frozenset(),
}
#: Kinds too broad to conflict with anything.
NEUTRAL_KINDS = frozenset({"", "other", "org", "unknown"})


def kind_agreement(entity_kind: str | None, partner_kind: str | None) -> int:
    """+1 when the kinds agree, -1 when both are known and conflict, 0 when unsure."""
    entity_kind = (entity_kind or "").strip().casefold()
    partner_kind = (partner_kind or "").strip().casefold()
    if entity_kind and entity_kind == partner_kind:
        return 1
    if partner_kind in KIND_AGREEMENT.get(entity_kind, ()):
        return 1
    if entity_kind in NEUTRAL_KINDS or partner_kind in NEUTRAL_KINDS:
        return 0
    if entity_kind not in KIND_AGREEMENT and entity_kind != "person":
        return 0  # a kind this table does not know: no opinion
    return -1


# --- matching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """The registry partner an entity most likely is, and whether staff said so.

    ``partner_id`` is None when no partner reaches the threshold (status ``suggested``:
    nothing to suggest). ``rejected`` means staff refused this partner for this entity and
    no other partner came close.
    """

    entity_name: str
    partner_id: int | None
    score: float
    status: str
    entity_key: str = ""
    entity_kind: str | None = None
    count: int = 0
    answer_ids: tuple[str, ...] = field(default=(), repr=False)

    @property
    def matched(self) -> bool:
        """Whether the entity counts as this partner (suggested or confirmed)."""
        return self.partner_id is not None and self.status != REJECTED


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _text(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def _index_confirmations(
    confirmations: Iterable[Any],
) -> tuple[dict[str, int], dict[str, set[int]]]:
    confirmed: dict[str, int] = {}
    rejected: dict[str, set[int]] = defaultdict(set)
    for row in confirmations:
        key, partner_id, status = (
            _get(row, "entity_key"),
            _get(row, "partner_id"),
            _text(_get(row, "status")),
        )
        if status == CONFIRMED:
            confirmed[key] = partner_id
        elif status == REJECTED:
            rejected[key].add(partner_id)
    return confirmed, rejected


@dataclass(frozen=True)
class _Scored:
    raw: float  # may pass 100 with the kind boost; ranks candidates
    exact: bool  # an alias or the name, equal to the entity's name
    full: bool  # a name with exactly the entity's words (name score 100)
    partner_id: Any
    name_key: str

    @property
    def score(self) -> float:
        return round(max(0.0, min(100.0, self.raw)), 1)


@lru_cache(maxsize=65536)  # pure; each registry name is compared with every entity
def _key_name(name: str) -> str:
    return entity_key(name).split("|", 1)[0]


def _score(entity_name: str, entity_kind: str | None, partner: Any) -> _Scored:
    names = [n for n in [_get(partner, "name"), *(_get(partner, "aliases") or [])] if n]
    partner_id, name_key = _get(partner, "id"), _key_name(_get(partner, "name") or "")
    wanted = _key_name(entity_name)
    if any(_key_name(name) == wanted for name in names):
        return _Scored(100.0, True, True, partner_id, name_key)
    best = max((name_similarity(entity_name, name) for name in names), default=0.0)
    full = best >= 100.0
    adjust = kind_agreement(entity_kind, _get(partner, "kind"))
    best += KIND_BOOST if adjust > 0 else -KIND_PENALTY if adjust < 0 else 0.0
    return _Scored(best, False, full, partner_id, name_key)


@dataclass(frozen=True)
class _Names:
    """An entity's or a partner's names, normalized once for the pre-filter."""

    item: Any
    keys: frozenset[str]
    words: tuple[str, ...]
    initials: frozenset[str]
    shorts: frozenset[str]


def _prepare(item: Any) -> _Names:
    names = [n for n in [_get(item, "name"), *(_get(item, "aliases") or [])] if n]
    initials: set[str] = set()
    shorts: set[str] = set()
    for name in names:
        words = _all_tokens(name)
        shorts.update(w for w in words if 2 <= len(w) <= 4 and w.isalpha())
        for size in (2, 3, 4):
            initials.update(
                "".join(w[0] for w in words[i : i + size]) for i in range(len(words) - size + 1)
            )
    return _Names(
        item,
        frozenset(_key_name(n) for n in names),
        tuple(" ".join(name_tokens(n)) for n in names),
        frozenset(initials),
        frozenset(shorts),
    )


def _worth_scoring(entity: _Names, partner: _Names) -> bool:
    """A cheap test that rules out partners that cannot reach any useful score."""
    if entity.keys & partner.keys:
        return True
    if entity.shorts & partner.initials or partner.shorts & entity.initials:
        return True
    return any(
        fuzz.token_set_ratio(a, b, score_cutoff=PREFILTER)
        for a in entity.words
        for b in partner.words
    )


class PreparedPartners:
    """The partners normalized once and indexed for the pre-filter (:func:`_worth_scoring`).

    The same test as :func:`_worth_scoring`, answered for the whole registry at once: the
    equal keys and initials from dicts, the word comparison by rapidfuzz's ``process.extract``
    (a loop in C++, not a Python call per pair) -- so a 1,000-partner registry costs
    milliseconds per entity. Iterating yields the :class:`_Names` in the registry's order.
    """

    def __init__(self, partners: Iterable[Any]) -> None:
        self.names = [_prepare(p) for p in partners]
        self._keys: dict[str, list[int]] = defaultdict(list)
        self._initials: dict[str, list[int]] = defaultdict(list)
        self._shorts: dict[str, list[int]] = defaultdict(list)
        self._words: list[str] = []
        self._owner: list[int] = []
        for i, names in enumerate(self.names):
            for index, values in (
                (self._keys, names.keys),
                (self._initials, names.initials),
                (self._shorts, names.shorts),
            ):
                for value in values:
                    index[value].append(i)
            for words in names.words:
                self._words.append(words)
                self._owner.append(i)

    def __iter__(self):
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def worth_scoring(self, entity: _Names) -> list[_Names]:
        """The partners that pass :func:`_worth_scoring` for ``entity``, in registry order."""
        hits: set[int] = set()
        for key in entity.keys:
            hits.update(self._keys.get(key, ()))
        for short in entity.shorts:
            hits.update(self._initials.get(short, ()))
        for initials in entity.initials:
            hits.update(self._shorts.get(initials, ()))
        for words in entity.words:
            found = process.extract(
                words,
                self._words,
                scorer=fuzz.token_set_ratio,
                score_cutoff=PREFILTER,
                limit=None,
            )
            hits.update(self._owner[index] for _choice, _score, index in found)
        return [self.names[i] for i in sorted(hits)]


def partner_score(entity_name: str, entity_kind: str | None, partner: Any) -> float:
    """How likely ``partner`` is the entity, 0-100: names and aliases, then kinds."""
    return _score(entity_name, entity_kind, partner).score


#: Registries ranked lately, by their matching fields: (prepared partners, {(entity name,
#: kind): partners ranked, None: scores kept}). The ranking depends on nothing else, so a
#: page view after the first re-ranks only entities it has not seen, until a partner's name,
#: aliases or kind change (another key). A few registries: readers of different sites see
#: different ones.
_REGISTRIES: OrderedDict[tuple, tuple[PreparedPartners, dict]] = OrderedDict()
_REGISTRIES_KEPT = 4
_REGISTRIES_LOCK = threading.Lock()
#: Scores kept per registry (a ranking holds the partners that pass the pre-filter): a few
#: tens of MB at most; names past it are ranked on each call.
_SCORES_PER_REGISTRY = 200_000


def _registry(partners: list[Any]) -> tuple[PreparedPartners, dict]:
    """The prepared registry of ``partners`` and its rankings so far (see :data:`_REGISTRIES`).

    Kept as plain snapshots (not the caller's objects, which may be database rows that
    expire): exactly the fields the scores read.
    """
    snapshot = tuple(
        (_get(p, "id"), _get(p, "name"), tuple(_get(p, "aliases") or ()), _get(p, "kind"))
        for p in partners
    )
    with _REGISTRIES_LOCK:  # threaded servers: the LRU order is shared
        entry = _REGISTRIES.get(snapshot)
        if entry is not None:
            _REGISTRIES.move_to_end(snapshot)
            return entry
    plain = [
        {"id": pid, "name": name, "aliases": list(aliases), "kind": kind}
        for pid, name, aliases, kind in snapshot
    ]
    entry = (PreparedPartners(plain), {})
    with _REGISTRIES_LOCK:
        _REGISTRIES[snapshot] = entry
        while len(_REGISTRIES) > _REGISTRIES_KEPT:
            _REGISTRIES.popitem(last=False)
    return entry


def match_entities(
    entities: Iterable[Mapping[str, Any]],
    partners: Iterable[Any],
    confirmations: Iterable[Any] = (),
    *,
    threshold: float = SUGGEST_THRESHOLD,
) -> list[Match]:
    """One :class:`Match` per entity, in order: confirmed, else the best suggestion.

    A confirmation (keyed by :func:`entity_key`) wins whatever the score; a partner
    rejected for an entity is never suggested for it again.

    >>> bank = {"id": 1, "name": "Oak Hollow Food Bank", "kind": "food_assistance"}
    >>> [m.partner_id for m in match_entities([{"name": "Banco de Comida de Oak Hollow"}], [bank])]
    [1]
    """
    partners = list(partners)
    by_id = {_get(p, "id"): p for p in partners}
    prepared, ranked = _registry(partners)
    confirmed, rejected = _index_confirmations(confirmations)
    matches: list[Match] = []
    for entity in entities:
        name = str(entity.get("name") or "")
        kind = entity.get("kind")
        key = entity_key(name, kind)
        common = {
            "entity_key": key,
            "entity_kind": kind,
            "count": int(entity.get("count") or 0),
            "answer_ids": tuple(str(i) for i in entity.get("answer_ids") or ()),
        }
        if confirmed.get(key) in by_id:
            partner_id = confirmed[key]
            score = partner_score(name, kind, by_id[partner_id])
            matches.append(Match(name, partner_id, score, CONFIRMED, **common))
            continue
        scored = ranked.get((name, kind))
        if scored is None:
            wanted = _prepare({"name": name})
            scored = tuple(
                sorted(
                    (_score(name, kind, n.item) for n in prepared.worth_scoring(wanted)),
                    key=lambda s: (not s.exact, -s.raw, str(s.partner_id)),
                )
            )
            if ranked.setdefault(None, 0) + len(scored) <= _SCORES_PER_REGISTRY:
                ranked[None] += len(scored)  # the scores kept so far
                ranked[(name, kind)] = scored
        refused = rejected.get(key, set())
        open_ = [s for s in scored if s.partner_id not in refused]
        best = open_[0] if open_ else None
        if best is not None and best.score >= threshold and not _ambiguous(best, open_[1:]):
            matches.append(Match(name, best.partner_id, best.score, SUGGESTED, **common))
            continue
        top_refused = next((s for s in scored if s.partner_id in refused), None)
        if top_refused is not None and top_refused.score >= threshold:
            matches.append(
                Match(name, top_refused.partner_id, top_refused.score, REJECTED, **common)
            )
            continue
        matches.append(Match(name, None, best.score if best else 0.0, SUGGESTED, **common))
    return matches


def _ambiguous(best: _Scored, others: list[_Scored]) -> bool:
    """Whether a partner with another name fits the entity about as well as ``best``."""
    if best.exact:
        return False
    return any(
        other.raw >= best.raw - AMBIGUITY_MARGIN
        and other.name_key != best.name_key
        and (other.full or not best.full)
        for other in others
    )


# --- candidates for staff review -----------------------------------------------------------

#: Partners scoring below this are not offered to staff as candidates.
CANDIDATE_FLOOR = 50.0


@dataclass(frozen=True)
class Candidate:
    """A partner an entity may be, and why (for staff who confirm matches).

    ``via`` is ``"name"`` or ``"alias"`` (which of the partner's names fit best, shown as
    ``matched_name``); ``exact`` when that name equals the entity's once folded;
    ``translated`` when words of another language were translated to fit ("Banco de
    Comida" and "Food Bank"); ``kinds`` is :func:`kind_agreement` of the two kinds.
    """

    partner_id: Any
    score: float
    via: str
    matched_name: str
    exact: bool
    translated: bool
    kinds: int


def prepare_partners(partners: Iterable[Any]) -> PreparedPartners:
    """The partners normalized and indexed once, for repeated :func:`candidates` calls."""
    return PreparedPartners(partners)


def _translated(a: str, b: str) -> bool:
    """Whether a word or phrase of ``a`` fits ``b`` only once translated (either way)."""
    for one, other in ((a, b), (b, a)):
        folded, other_words = f" {fold(one)} ", set(fold(other).split())
        english = set(_all_tokens(other))
        for phrase, meaning in PHRASES.items():
            if f" {phrase} " in folded and set(meaning.split()) <= english:
                return True
        for word in folded.split():
            meaning = TRANSLATIONS.get(word) or TRANSLATIONS.get(word.rstrip("s"))
            if (
                meaning
                and meaning != word
                and word not in other_words
                and set(meaning.split()) <= english
            ):
                return True
    return False


def candidates(
    entity_name: str,
    entity_kind: str | None,
    partners: Iterable[Any],
    *,
    limit: int = 3,
    floor: float = CANDIDATE_FLOOR,
    prepared: PreparedPartners | None = None,
) -> list[Candidate]:
    """The partners the entity most likely is, best first, scoring ``floor`` or more.

    Scores are :func:`partner_score`'s; the same pre-filter as :func:`match_entities` keeps
    a large registry fast. ``prepared`` (:func:`prepare_partners` of ``partners``) saves
    normalizing the registry again for each entity.

    >>> bank = {"id": 1, "name": "Oak Hollow Food Bank", "kind": "food_assistance"}
    >>> [(c.partner_id, c.via, c.translated) for c in candidates("Banco de Comida", "food", [bank])]
    [(1, 'name', True)]
    """
    wanted = _prepare({"name": entity_name})
    key = _key_name(entity_name)
    registry = prepared if prepared is not None else prepare_partners(partners)
    found: list[tuple[_Scored, Any]] = []
    for names_of in registry.worth_scoring(wanted):
        scored = _score(entity_name, entity_kind, names_of.item)
        if scored.score >= floor:
            found.append((scored, names_of.item))
    found.sort(key=lambda pair: (not pair[0].exact, -pair[0].raw, str(pair[0].partner_id)))
    out = []
    for scored, partner in found[:limit]:  # explained for the ones shown only
        names = [("name", _get(partner, "name") or "")]
        names += [("alias", alias) for alias in _get(partner, "aliases") or [] if alias]
        exact = next(((via, n) for via, n in names if _key_name(n) == key), None)
        via, name = exact or max(names, key=lambda pair: name_similarity(entity_name, pair[1]))
        out.append(
            Candidate(
                partner_id=scored.partner_id,
                score=scored.score,
                via=via,
                matched_name=name,
                exact=exact is not None,
                translated=exact is None and _translated(entity_name, name),
                kinds=kind_agreement(entity_kind, _get(partner, "kind")),
            )
        )
    return out


# --- the stakeholder map ------------------------------------------------------------------


def stakeholder_map(
    entities: Iterable[Mapping[str, Any]],
    partners: Iterable[Any],
    confirmations: Iterable[Any] = (),
    *,
    min_mentions: int = PROSPECT_MIN_MENTIONS,
    threshold: float = SUGGEST_THRESHOLD,
    weights: Mapping[str, int] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Sort what patients name against the registry (PHMI Key Activity 15, step 2).

    :return: plain, JSON-ready lists, most mentioned first:

        - ``current_trusted``: current partners the patients also name
          (``partner_id``, ``name``, ``kind``, ``mentions``, ``confirmed``, ``entities``,
          ``answer_ids``);
        - ``prospective``: organisations named at least ``min_mentions`` times that are
          not current partners, whether or not the registry lists them as prospective
          (``name``, ``kind``, ``mentions``, ``partner_id`` or None, ``confirmed``,
          ``entities``, ``answer_ids``);
        - ``unmentioned_partners``: registry partners nobody names (``partner_id``,
          ``name``, ``kind``, ``relationship``).

    ``confirmed`` is False while any entity counted there is only a suggestion.

    ``weights`` (answer id -> respondents) lets an id stand for a group of respondents who
    name the same entities (the reports' rollups): a partner's mentions are the sum of the
    weights of the distinct ids of its entities (1 for an id not in ``weights``), so a
    respondent naming two spellings still counts once, without one id per respondent.
    An entity's ``count`` is then its weighted count.
    """
    partners = list(partners)
    entities = list(entities)
    matches = match_entities(entities, partners, confirmations, threshold=threshold)
    by_id = {_get(p, "id"): p for p in partners}
    groups: dict[Any, list[Match]] = defaultdict(list)
    unmatched: list[Match] = []
    for match in matches:
        if match.matched:
            groups[match.partner_id].append(match)
        else:
            unmatched.append(match)

    current, prospective = [], []
    for partner_id, found in groups.items():
        partner = by_id[partner_id]
        item = _group_item(partner_id, partner, found, weights)
        if _text(_get(partner, "relationship")) == "current":
            current.append(item)
        elif item["mentions"] >= min_mentions:
            prospective.append(item)
    for match in unmatched:
        if match.count >= min_mentions:
            item = _entity_item(match)
            prospective.append({**item, "partner_id": None, "confirmed": False})
    unmentioned = [
        {
            "partner_id": _get(p, "id"),
            "name": _get(p, "name"),
            "kind": _get(p, "kind"),
            "relationship": _text(_get(p, "relationship")),
        }
        for p in partners
        if _get(p, "id") not in groups
    ]

    def order(item: dict[str, Any]) -> tuple:
        return (-item["mentions"], str(item["name"]).casefold())

    return {
        "current_trusted": sorted(current, key=order),
        "prospective": sorted(prospective, key=order),
        "unmentioned_partners": sorted(unmentioned, key=lambda i: str(i["name"]).casefold()),
    }


def _entity_item(match: Match) -> dict[str, Any]:
    return {
        "name": match.entity_name,
        "kind": match.entity_kind,
        "mentions": match.count,
        "entities": [
            {
                "name": match.entity_name,
                "kind": match.entity_kind,
                "count": match.count,
                "score": match.score,
                "status": match.status,
            }
        ],
        "answer_ids": list(match.answer_ids),
    }


def _group_item(
    partner_id: Any, partner: Any, found: list[Match], weights: Mapping[str, int] | None
) -> dict[str, Any]:
    answer_ids = _unique(answer for match in found for answer in match.answer_ids)
    # Answers naming two spellings of one partner count once, when the ids are known.
    if all(match.answer_ids for match in found):
        if weights is None:
            mentions = len(answer_ids)
        else:
            mentions = sum(weights.get(answer, 1) for answer in answer_ids)
    else:
        mentions = sum(match.count for match in found)
    return {
        "partner_id": partner_id,
        "name": _get(partner, "name"),
        "kind": _get(partner, "kind"),
        "mentions": mentions,
        "confirmed": all(match.status == CONFIRMED for match in found),
        "entities": [entry for match in found for entry in _entity_item(match)["entities"]],
        "answer_ids": answer_ids,
    }
