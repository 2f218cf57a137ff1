"""Named local entities: organisations, places and people the answers name."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sklearn.base import BaseEstimator

from analysis._cues import ARTICLES, CueSet, cue_set, initials
from analysis._doc import Doc
from analysis._mentions import Mention, extract_mentions
from analysis._resolve import Group, Resolver
from analysis._spelling import apply_corrections, learn_corrections
from analysis._text import normalize

__all__ = ["Entity", "EntityExtractor"]

#: Entity kinds reported (an unresolved "unknown" capitalised name is never reported).
KINDS = ("church", "school", "food", "clinic", "media", "person", "org", "public", "online")


@dataclass
class Entity:
    """One merged entity: display name, kind, and where it is mentioned."""

    name: str
    kind: str
    docs: list[int]
    aliases: list[str]
    role: str = ""
    concept: str = ""
    anchors: set[tuple[str, ...]] = field(default_factory=set)
    spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    names: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


def trim_names(mentions: list[Mention], cues: CueSet) -> list[Mention]:
    """Drop unsupported words at the edges of long names.

    A name word is supported when it is capitalised, a number, or used in a name in
    another answer too; lower-case words that only this answer puts next to the name are
    usually the rest of the sentence ("the Arab center helped us with ...").
    """
    support: Counter = Counter()
    for _doc, word in {(m.doc, w) for m in mentions for w in m.anchor}:
        support[word] += 1
    out = []
    for m in mentions:
        if len(m.anchor) < 2 or len(m.origs) != len(m.anchor):
            out.append(m)
            continue
        keep = [
            (support[w] >= 2 or w[:1].isdigit() or (o[:1].isupper() and o.isalpha()))
            and w != "saint"
            and w not in cues.stop
            for w, o in zip(m.anchor, m.origs, strict=True)
        ]
        if any(keep) and not all(keep):
            first = keep.index(True)
            last = len(keep) - keep[::-1].index(True)
            anchor = m.anchor[first:last]
            m = m._replace(
                anchor=anchor,
                origs=m.origs[first:last],
                proper=tuple(w for w in m.proper if w in anchor),
            )
        out.append(m)
    return out


def learn_initialisms(mentions: list[Mention], docs: list[Doc], cues: CueSet) -> dict[str, str]:
    """Short forms used in the corpus for multi-word names found in it ('ab' -> 'alta bahia').

    An initialism is linked to a name when it is not an ordinary word and the name is the
    only (or clearly the most frequent) multi-word name with those initials.
    """
    expansions: dict[str, Counter] = defaultdict(Counter)
    for m in mentions:
        if m.kind == "person" or not m.proper and m.strength != "strong":
            continue
        runs = [w for w in m.anchor if w.isalpha() and w.isascii() and w != "saint"]
        if len(runs) >= 2:
            expansions[initials(runs)][" ".join(runs)] += 1
        words = [
            w
            for w in normalize(m.surface).split()
            if w.isalpha() and w.isascii() and w not in cues.links and w not in ARTICLES
        ]
        if len(words) >= 3:  # name and head together: 'abc' = 'alta bahia center'
            expansions[initials(words)][" ".join(words)] += 1
    shorts: set[str] = set()
    heads = cues.head_words - cues.stop
    for doc in docs:
        toks = doc.tokens
        for i, tok in enumerate(toks):
            if 2 <= len(tok.norm) <= 4 and tok.norm.isalpha() and tok.script == "latin":
                if tok.norm not in expansions:
                    continue
                before_head = i + 1 < len(toks) and toks[i + 1].norm in heads
                if not cues.is_known(tok.norm) or before_head or tok.orig.isupper():
                    shorts.add(tok.norm)
    found = {}
    for short in sorted(shorts):
        ranked = expansions[short].most_common(2)
        if len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]:
            found[short] = ranked[0][0]
    return found


def expand_initialisms(doc: Doc, initialisms: dict[str, str], cues: CueSet) -> Doc:
    """The answer with corpus initialisms spelled out ('ab clinic' -> 'alta bahia clinic').

    An initialism that is also an ordinary word ('ma') is only expanded right before an
    organisation head or when written in capitals.
    """
    toks = doc.tokens
    heads = cues.head_words - cues.stop
    out, changed = [], False
    for i, tok in enumerate(toks):
        full = initialisms.get(tok.norm) if tok.script == "latin" else None
        if full and cues.is_known(tok.norm):
            before_head = i + 1 < len(toks) and toks[i + 1].norm in heads
            full = full if before_head or tok.orig.isupper() else None
        if full:  # spelled out as a proper name, so it reads as one
            out.extend(tok._replace(norm=w, orig=w.title()) for w in full.split())
            changed = True
        else:
            out.append(tok)
    if not changed:
        return doc
    from dataclasses import replace

    from analysis._doc import _rejoin

    joined, offsets = _rejoin(out)
    return replace(doc, tokens=out, joined=joined, offsets=offsets)


class EntityExtractor(BaseEstimator):
    """Find the local entities a set of answers names and merge their mentions.

    Mentions come from general cues only (organisation heads, titles, saint prefixes,
    radio frequencies, capitalised names); short forms are learned from the corpus
    itself (initialisms, names first seen in full); statewide programs are excluded.

    Parameters
    ----------
    min_answers : int, default=1
        Entities named in fewer answers are dropped.

    Examples
    --------
    >>> from analysis._doc import prepare
    >>> texts = ["Pastor Ines Varga at Grace Hill Church", "pastor ines", "gh church food"]
    >>> docs = [prepare(str(i), t, "en") for i, t in enumerate(texts)]
    >>> ex = EntityExtractor().fit(docs)
    >>> sorted((e.kind, len(e.docs)) for e in ex.entities_)
    [('church', 2), ('person', 2)]
    """

    def __init__(self, min_answers=1):
        self.min_answers = min_answers

    def fit(self, docs: list[Doc], y=None, counts=None):
        """Extract, learn short forms, merge; sets ``entities_`` and ``docs_``.

        ``counts`` gives how many answers each (distinct) doc stands for.
        """
        cues = cue_set()
        self.counts_ = list(counts) if counts is not None else [1] * len(docs)
        self.corrections_ = learn_corrections(docs, cues)
        docs = [apply_corrections(doc, self.corrections_) for doc in docs]
        mentions = [extract_mentions(doc, i, cues) for i, doc in enumerate(docs)]
        self.initialisms_ = learn_initialisms([m for ms in mentions for m in ms], docs, cues)
        if self.initialisms_:
            for i, doc in enumerate(docs):
                expanded = expand_initialisms(doc, self.initialisms_, cues)
                if expanded is not doc:
                    docs[i] = expanded
                    mentions[i] = extract_mentions(docs[i], i, cues)
        resolver = Resolver(cues, self.counts_)
        groups = resolver.build(trim_names([m for ms in mentions for m in ms], cues))
        self._gazetteer(groups, docs, cues)
        self.docs_ = docs
        self.entities_ = self._entities(groups, cues)
        self.cues_ = cues
        by_anchor = {}
        for e_idx, entity in enumerate(self.entities_):
            for anchor in entity.anchors:
                by_anchor.setdefault(tuple(anchor), e_idx)
        #: Names that point to one entity only: used to link new answers.
        self.gazetteer_ = {seq: by_anchor[seq] for seq in self._gazetteer_gids if seq in by_anchor}
        return self

    def __getstate__(self):
        state = super().__getstate__()
        return {k: v for k, v in state.items() if k not in ("cues_", "docs_")}

    def __setstate__(self, state):
        super().__setstate__(state)
        if "entities_" in state:
            self.cues_ = cue_set()

    # ------------------------------------------------------------------ gazetteer
    def _gazetteer(self, groups: list[Group], docs: list[Doc], cues: CueSet) -> None:
        owners: dict[tuple[str, ...], set[int]] = defaultdict(set)
        lows: dict[int, set[str]] = defaultdict(set)
        by_gid = {g.gid: g for g in groups}
        for g in groups:
            if not any(m.strength == "strong" for m in g.mentions):
                continue
            seqs = {tuple(m.anchor) for m in g.mentions if m.kind != "person"}
            if g.is_person:
                seqs = {(w,) for m in g.mentions for w in m.anchor}
            for seq in seqs:
                if any(len(w) >= 3 and not w.isdigit() and not cues.is_known(w) for w in seq):
                    owners[seq].add(g.gid)
            for m in g.mentions:
                lows[g.gid].update(o.casefold() for o in m.origs)
        unique = {seq: gids.pop() for seq, gids in owners.items() if len(gids) == 1}
        self._gazetteer_gids = unique
        by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for seq in unique:
            by_first[seq[0]].append(seq)
        covered: dict[int, set[int]] = defaultdict(set)
        for g in groups:
            for m in g.mentions:
                covered[m.doc].update(range(m.start, m.end))
        skippable = cues.connectors | ARTICLES
        for d, doc in enumerate(docs):
            toks = doc.tokens
            for i, tok in enumerate(toks):
                if i in covered[d] or tok.norm not in by_first:
                    continue
                for seq in sorted(by_first[tok.norm], key=len, reverse=True):
                    end = self._match(toks, i, seq, skippable)
                    if end is None or covered[d] & set(range(i, end)):
                        continue
                    gid = unique[seq]
                    low = tok.orig.casefold()
                    if low != tok.norm and low not in lows[gid]:
                        continue
                    g = by_gid[gid]
                    surface = doc.raw[toks[i].start : toks[end - 1].start + len(toks[end - 1].orig)]
                    g.mentions.append(
                        Mention(
                            d,
                            i,
                            end,
                            (i, end),
                            seq,
                            seq,
                            g.kind,
                            g.concept,
                            "",
                            "gazetteer",
                            surface,
                            tok.script,
                            (low,),
                        )
                    )
                    covered[d].update(range(i, end))
                    break

    @staticmethod
    def _match(toks, i, seq, skippable) -> int | None:
        j, k = i, 0
        while k < len(seq):
            if j >= len(toks):
                return None
            if toks[j].norm == seq[k]:
                j, k = j + 1, k + 1
            elif k and toks[j].norm in skippable:
                j += 1
            else:
                return None
        return j

    # ------------------------------------------------------------------ output
    def _entities(self, groups: list[Group], cues: CueSet) -> list[Entity]:
        out = []
        for g in groups:
            kinds = Counter(m.kind for m in g.mentions if m.kind in KINDS)
            if not kinds or not any(m.surface.strip() for m in g.mentions):
                continue
            docs = sorted({m.doc for m in g.mentions})
            strong = any(m.strength == "strong" for m in g.mentions)
            answers = sum(self.counts_[d] for d in docs)
            if answers < self.min_answers or (not strong and answers < 2):
                continue
            kind = "person" if g.is_person else kinds.most_common(1)[0][0]
            spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
            names: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for m in g.mentions:
                spans[m.doc].append((m.start, m.end))
                if m.name_span[1] > m.name_span[0] and kind != "person":
                    names[m.doc].append(m.name_span)
            aliases = sorted({m.surface for m in g.mentions if m.surface})
            role = g.roles.most_common(1)[0][0] if g.roles else ""
            out.append(
                Entity(
                    self._display(g, cues),
                    kind,
                    docs,
                    aliases,
                    role,
                    g.concept,
                    {m.anchor for m in g.mentions},
                    dict(spans),
                    dict(names),
                )
            )
        out.sort(key=lambda e: (-len(e.docs), e.name))
        return out

    @staticmethod
    def _display(g: Group, cues: CueSet) -> str:
        def score(m: Mention):
            words = normalize(m.surface).split()
            covered = sum(w in words for w in g.anchor)
            extra = sum(w not in g.anchor and w not in cues.head_words for w in words)
            letters = [w for w in m.surface.split() if w[:1].isalpha()]
            titled = sum(
                0.5 if w.isupper() and len(w) > 3 else w[:1].isupper() for w in letters
            ) / max(1, len(letters))
            return (
                m.strength == "strong",
                m.concept == g.concept,
                covered,
                -extra,
                titled,
                seen[normalize(m.surface)],
                m.surface.isascii(),
                len(m.surface),
            )

        seen = Counter(normalize(m.surface) for m in g.mentions)

        best = max(g.mentions, key=score)
        surface = best.surface
        if g.is_person and "," in surface:
            parts = [p.strip() for p in surface.split(",")]
            surface = max(parts, key=lambda p: sum(w in normalize(p).split() for w in g.anchor))
        surface = re.sub(r"['’]s$", "", " ".join(surface.split()))
        if g.is_person:
            words = surface.split()
            while len(words) > 1 and normalize(words[0]) in cues.generic:
                words = words[1:]
            surface = " ".join(words)
        return surface

    # ------------------------------------------------------------------ new answers
    def link(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Entities of the fitted corpus mentioned in a new answer: (entity, start, end)."""
        doc = apply_corrections(doc, self.corrections_)
        doc = expand_initialisms(doc, self.initialisms_, self.cues_)
        found = []
        index: dict[tuple[str, ...], int] = {}
        for e_idx, entity in enumerate(self.entities_):
            for anchor in entity.anchors:
                index.setdefault(tuple(anchor), e_idx)
        covered: set[int] = set()
        for m in extract_mentions(doc, 0, self.cues_):
            e_idx = index.get(tuple(m.anchor))
            if e_idx is not None:
                found.append((e_idx, m.start, m.end))
                covered.update(range(m.start, m.end))
        skippable = self.cues_.connectors | ARTICLES
        for i, tok in enumerate(doc.tokens):
            if i in covered:
                continue
            for seq, e_idx in self.gazetteer_.items():
                if seq[0] == tok.norm:
                    end = self._match(doc.tokens, i, seq, skippable)
                    if end is not None:
                        found.append((e_idx, i, end))
                        covered.update(range(i, end))
                        break
        return found
