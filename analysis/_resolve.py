"""Merging mentions into entities across spellings, short forms, languages and scripts.

Keys are (kind, concept, name words) for organisations and the set of name words for people.
Merges, in order: same name with a compatible concept ("X clinic" = "X Community Health
Center" when only one clinic carries the name X); the same name written in another script
(consonant skeletons); a name that is a subset of exactly one longer name ("Father X" = "X
Y"); then weak mentions (after a locative, lower-case, bare heads) join what exists.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from analysis._cues import ARTICLES, CueSet, is_base_concept
from analysis._mentions import Mention
from analysis._text import normalize, skeleton

_LATIN = frozenset({"latin", "digit"})


class Group:
    """A merged entity under construction."""

    __slots__ = ("gid", "kind", "concept", "anchor", "anchors", "mentions", "scripts")

    def __init__(self, gid: int, mention: Mention, anchor: tuple[str, ...]):
        self.gid = gid
        self.kind = mention.kind
        self.concept = mention.concept
        self.anchor = anchor
        self.anchors = {anchor}
        self.mentions: list[Mention] = [mention]
        self.scripts = {mention.script}

    @property
    def is_person(self) -> bool:
        return self.kind == "person"

    @property
    def roles(self) -> Counter:
        return Counter(m.role for m in self.mentions if m.role and m.role != "person")

    def docs(self) -> set[int]:
        return {m.doc for m in self.mentions}


def _concepts_ok(a: Group | Mention, b: Group | Mention) -> bool:
    if a.kind != b.kind:
        return False
    return (
        a.concept == b.concept
        or is_base_concept(a.kind, a.concept)
        or is_base_concept(b.kind, b.concept)
    )


def _roles_ok(a: Group, b: Group) -> bool:
    ra, rb = set(a.roles), set(b.roles)
    return not ra or not rb or bool(ra & rb)


class Resolver:
    """Union-find over mention groups; see the module docstring for the rules."""

    def __init__(self, cues: CueSet, counts=None):
        self.cues = cues
        self.counts = counts
        self.groups: dict[int, Group] = {}
        self.parent: dict[int, int] = {}

    # ----------------------------------------------------------- anchors
    def canonical(self, mention: Mention, person_words: set[str]) -> tuple[str, ...]:
        words = [w for w in mention.anchor if w and w not in self.cues.links and w not in ARTICLES]
        if mention.kind != "person":
            return tuple(words)
        out = []
        for w in words:
            full = self.cues.nicknames.get(w)
            if full and full in person_words:
                w = full
            else:
                for suffix, repl in self.cues.diminutives:
                    if w.endswith(suffix) and len(w) > len(suffix) + 2:
                        base = w[: -len(suffix)] + repl
                        if base in person_words:
                            w = base
                            break
            out.append(w)
        return tuple(sorted(set(out)))

    def find(self, gid: int) -> int:
        while self.parent[gid] != gid:
            self.parent[gid] = self.parent[self.parent[gid]]
            gid = self.parent[gid]
        return gid

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        ga, gb = self.groups[ra], self.groups[rb]
        if len(gb.mentions) > len(ga.mentions):
            ra, rb, ga, gb = rb, ra, gb, ga
        self.parent[rb] = ra
        ga.mentions.extend(gb.mentions)
        ga.scripts |= gb.scripts
        ga.anchors |= gb.anchors
        if is_base_concept(ga.kind, ga.concept) and not is_base_concept(gb.kind, gb.concept):
            ga.concept = gb.concept
        if len(gb.anchor) > len(ga.anchor):
            ga.anchor = gb.anchor

    def roots(self) -> list[Group]:
        return [g for gid, g in self.groups.items() if self.find(gid) == gid]

    # ----------------------------------------------------------- building
    def build(self, mentions: list[Mention]) -> list[Group]:
        person_words = {w for m in mentions if m.kind == "person" for w in m.anchor}
        by_key: dict[tuple, int] = {}
        pending: list[tuple[Mention, tuple[str, ...]]] = []
        for m in mentions:
            anchor = self.canonical(m, person_words)
            if m.strength != "strong":
                pending.append((m, anchor))
                continue
            key = (
                (m.kind, m.concept, tuple(sorted(anchor)))
                if m.kind != "person"
                else ("person", anchor)
            )
            if key in by_key:
                self.groups[by_key[key]].mentions.append(m)
                self.groups[by_key[key]].anchors.add(anchor)
                self.groups[by_key[key]].scripts.add(m.script)
                continue
            gid = len(self.groups)
            by_key[key] = gid
            self.groups[gid] = Group(gid, m, anchor)
            self.parent[gid] = gid
        self._merge_same_anchor()
        self._merge_scripts()
        self._merge_translations()
        self._merge_subsets()
        self._merge_same_sound()
        self._merge_subsets(by_sound=True)
        self._merge_fuzzy()
        leftovers = self._attach(pending)
        self._weak_groups(leftovers)
        return self.roots()

    def _merge_same_anchor(self) -> None:
        by_anchor: dict[tuple, list[Group]] = defaultdict(list)
        for g in self.roots():
            if not g.is_person:
                by_anchor[(g.kind, g.anchor)].append(g)
        for groups in by_anchor.values():
            base = [g for g in groups if is_base_concept(g.kind, g.concept)]
            specific = [g for g in groups if not is_base_concept(g.kind, g.concept)]
            for g in base:
                targets = specific
                if len(targets) > 1:
                    words = self._head_words(g)
                    targets = [t for t in specific if words & self._head_words(t)]
                if len(targets) == 1:
                    self.union(targets[0].gid, g.gid)

    def _head_words(self, group: Group) -> set[str]:
        words = set()
        for m in group.mentions:
            words.update(
                w
                for w in normalize(m.surface).split()
                if w in self.cues.head_words and w not in self.cues.stop
            )
        return words

    def _proper_skeleton(self, group: Group) -> str:
        proper = sorted({w for m in group.mentions for w in m.proper}, key=len, reverse=True)
        return skeleton("".join(w for w in group.anchor if w in proper)) if proper else ""

    def _merge_scripts(self) -> None:
        buckets: dict[tuple, list[Group]] = defaultdict(list)
        for g in self.roots():
            if g.is_person:
                for w in g.anchor:
                    buckets[("person", skeleton(w))].append(g)
            else:
                key = self._proper_skeleton(g)
                if len(key) >= 2:
                    buckets[(g.kind, key)].append(g)
        for groups in buckets.values():
            for i, a in enumerate(groups):
                for b in groups[i + 1 :]:
                    if (a.scripts <= _LATIN) == (b.scripts <= _LATIN):
                        continue
                    if self.find(a.gid) == self.find(b.gid):
                        continue
                    if a.is_person:
                        if self._skeleton_subset(a.anchor, b.anchor) and _roles_ok(a, b):
                            self.union(a.gid, b.gid)
                    elif _concepts_ok(a, b):
                        short = len(self._proper_skeleton(a)) < 3
                        if not short or a.concept == b.concept:
                            self.union(a.gid, b.gid)

    @staticmethod
    def _skeleton_subset(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
        small, large = (a, b) if len(a) <= len(b) else (b, a)
        keys = {skeleton(w) for w in large}
        return all(len(skeleton(w)) >= 2 and skeleton(w) in keys for w in small)

    def _index(self) -> dict[str, set[int]]:
        index: dict[str, set[int]] = defaultdict(set)
        for g in self.roots():
            for anchor in g.anchors:
                for w in anchor:
                    index[w].add(g.gid)
        return index

    def _merge_translations(self) -> None:
        """Same proper words, descriptors that are spellings of each other (immigrant ~
        inmigrantes): the same organisation written in two languages."""
        from rapidfuzz import fuzz

        buckets: dict[tuple, list[Group]] = defaultdict(list)
        for g in self.roots():
            if g.is_person:
                continue
            proper = frozenset(w for m in g.mentions for w in m.proper) & set(g.anchor)
            if proper:
                buckets[(g.kind, proper)].append(g)
        for groups in buckets.values():
            for i, a in enumerate(groups):
                for b in groups[i + 1 :]:
                    if self.find(a.gid) == self.find(b.gid) or not _concepts_ok(a, b):
                        continue
                    da = [w for w in a.anchor if w not in b.anchor]
                    db = [w for w in b.anchor if w not in a.anchor]
                    if not da or len(da) != len(db):
                        continue
                    if all(max(fuzz.ratio(x, y) for y in db) >= 75 for x in da):
                        self.union(a.gid, b.gid)

    def _merge_fuzzy(self, cutoff: int = 90) -> None:
        """Names one typo apart ('Harbor Comunity Center'): rapidfuzz ratio >= ``cutoff``."""
        from rapidfuzz import fuzz, process

        by_kind: dict[str, list[Group]] = defaultdict(list)
        for g in self.roots():
            if len("".join(g.anchor)) >= 6:
                by_kind[g.kind].append(g)
        for groups in by_kind.values():
            names = [" ".join(sorted(g.anchor)) for g in groups]
            for i, name in enumerate(names):
                matches = process.extract(
                    name, names, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
                )
                for _other, _score, j in matches:
                    a, b = groups[i], groups[j]
                    if j <= i or self.find(a.gid) == self.find(b.gid):
                        continue
                    if self._compatible(a, b) and self._digits(a) == self._digits(b):
                        self.union(a.gid, b.gid)

    @staticmethod
    def _digits(group: Group) -> set[str]:
        return {w for w in group.anchor if w[:1].isdigit()}

    def _merge_same_sound(self) -> None:
        """Organisations whose name words sound the same in any spelling or script."""
        buckets: dict[tuple, list[Group]] = defaultdict(list)
        for g in self.roots():
            if not g.is_person:
                sounds = self._sounds(g.anchor)
                if sounds and sum(map(len, sounds)) >= 2:
                    buckets[(g.kind, sounds)].append(g)
        for groups in buckets.values():
            for a in groups[1:]:
                if _concepts_ok(groups[0], a):
                    self.union(groups[0].gid, a.gid)

    @staticmethod
    def _sounds(anchor: tuple[str, ...]) -> frozenset[str]:
        return frozenset(k for k in (skeleton(w) for w in anchor) if k)

    def _merge_subsets(self, by_sound: bool = False) -> None:
        """A name that is part of exactly one longer name is that entity ('Father X' =
        'Father X Y'). ``by_sound`` compares words by consonant skeleton, so spellings
        and scripts of the same word agree ('árabe' = 'arab' = 'عربي')."""
        key = self._sounds if by_sound else frozenset
        index: dict[str, set[int]] = defaultdict(set)
        for g in self.roots():
            for anchor in g.anchors:
                for w in key(anchor):
                    index[w].add(g.gid)
        for g in sorted(self.roots(), key=lambda g: len(g.anchor)):
            if self.find(g.gid) != g.gid or not g.anchor:
                continue
            mine = key(g.anchor)
            if not mine or (by_sound and g.is_person):
                continue
            rarest = min(mine, key=lambda w: len(index.get(w, ())))
            supers = {
                self.find(oid)
                for oid in index.get(rarest, ())
                if oid != g.gid
                and any(mine < key(a) for a in self.groups[oid].anchors)
                and self._compatible(g, self.groups[oid])
            }
            supers.discard(self.find(g.gid))
            if len(supers) == 1:
                self.union(supers.pop(), g.gid)

    def _compatible(self, a: Group, b: Group) -> bool:
        if a.is_person or b.is_person:
            return a.is_person and b.is_person and _roles_ok(a, b)
        return _concepts_ok(a, b)

    # ----------------------------------------------------------- weak mentions
    def _candidates(self, m: Mention, anchor, index, by_concept) -> set[int]:
        if m.strength == "bare":
            return set(by_concept.get((m.kind, m.concept), ()))
        mine = set(anchor)
        if not mine:
            return set()

        def kind_ok(g: Group) -> bool:
            if m.kind == "unknown":
                return True
            if m.kind == "person" or g.is_person:
                return m.kind == g.kind
            return _concepts_ok(m, g)

        pool = set().union(*(index.get(w, set()) for w in mine))
        groups = [self.groups[gid] for gid in pool]
        exact = {g.gid for g in groups if kind_ok(g) and any(set(a) == mine for a in g.anchors)}
        if exact:
            return exact
        supers = {g.gid for g in groups if kind_ok(g) and any(mine < set(a) for a in g.anchors)}
        if supers:
            return supers
        return {g.gid for g in groups if kind_ok(g) and any(a and set(a) < mine for a in g.anchors)}

    def _attach(self, pending) -> list[tuple[Mention, tuple[str, ...]]]:
        index = self._index()
        by_concept: dict[tuple, set[int]] = defaultdict(set)
        for g in self.roots():
            by_concept[(g.kind, g.concept)].add(g.gid)
        leftovers = []
        for m, anchor in pending:
            found = {self.find(gid) for gid in self._candidates(m, anchor, index, by_concept)}
            if len(found) == 1:
                g = self.groups[found.pop()]
                g.mentions.append(m)
                g.scripts.add(m.script)
            else:
                leftovers.append((m, anchor))
        return leftovers

    def _weak_groups(self, leftovers) -> None:
        """Weak mentions that agree among themselves become an entity when seen twice."""
        by_key: dict[tuple, list[Mention]] = defaultdict(list)
        for m, anchor in leftovers:
            if m.kind == "unknown" or (m.kind != "person" and m.strength != "bare"):
                continue
            key = (m.kind, m.concept, anchor)
            by_key[key].append(m)
        for (_kind, _concept, anchor), ms in by_key.items():
            docs = {m.doc for m in ms}
            if sum(self.counts[d] if self.counts else 1 for d in docs) < 2:
                continue
            gid = len(self.groups)
            group = Group(gid, ms[0], anchor)
            group.mentions = list(ms)
            self.groups[gid] = group
            self.parent[gid] = gid
