"""Finding entity mentions in one prepared answer (private).

A mention is a name next to a cue: an organisation head ("X Food Bank", "Banco de Comida
de X", "X教會"), a title ("padre X", "X 목사님"), a saint prefix ("St. X"), a radio
frequency, or a capitalised run of words. Nothing here knows any local name.
"""

from __future__ import annotations

from typing import NamedTuple

from analysis._cues import ARTICLES, DESCRIPTOR_NAME_KINDS, CueSet
from analysis._doc import Doc
from analysis._matcher import longest_first
from analysis._names import _FREQUENCY, NamePasses
from analysis._text import NOSPACE_SCRIPTS

_HAN_STOP = set("的在去和跟到有是了還也都從給幫裡們我你他她問找看聽說與及或、")
_CASED = frozenset({"latin", "cyrillic", "armenian"})

STOP, NUMBER, DESC, PROPER, HEAD, TITLE, PROGRAM, PUNCT = "SNDPHTWX"


class Mention(NamedTuple):
    """One mention of a (possible) entity in one answer."""

    doc: int
    start: int
    end: int
    name_span: tuple[int, int]
    anchor: tuple[str, ...]
    proper: tuple[str, ...]
    kind: str  # church, school, food, clinic, media, online, org, public, person, unknown
    concept: str
    role: str
    strength: str  # "strong", "weak" (joins only), "bare" (anchorless head)
    surface: str
    script: str
    origs: tuple[str, ...]  # the name words as written (case and accents kept)


def token_classes(doc: Doc, cues: CueSet, spans: dict[str, list], shouting=False) -> list[str]:
    """One class letter per token (see module constants)."""
    classes = []
    stop = cues.stop_for(doc.lang)
    for tok in doc.tokens:
        norm = tok.norm
        if tok.script in ("punct", "emoji", "other"):
            classes.append(PUNCT)
        elif tok.script == "digit":
            classes.append(NUMBER)
        elif tok.script in NOSPACE_SCRIPTS:
            known = cues.is_known(norm)
            if tok.script == "hangul" and not known:
                norm = cues.strip_particles(norm)
                known = cues.is_known(norm) or cues.starts_known(norm)
            classes.append(STOP if norm in stop else DESC if known else PROPER)
        elif _is_capital(tok, shouting) and (
            (norm not in cues.plain and tok.orig.casefold() == norm)
            or (cues.foreign_only(norm, doc.lang) and norm not in stop)
        ):
            classes.append(PROPER)  # 'Lam' is a name even though 'làm' is a word
        elif norm in stop:
            classes.append(STOP)
        elif cues.is_known(norm):
            capital = _is_capital(tok, shouting) and not tok.orig.isupper()
            classes.append(DESC if not capital or norm in cues.title_words else DESC + "^")
        else:
            classes.append(PROPER)
    for name, letter in (("program", PROGRAM), ("head", HEAD), ("title", TITLE)):
        for hit in spans.get(name, ()):
            for i in range(hit.start, hit.end):
                if doc.tokens[i].script not in NOSPACE_SCRIPTS or name == "head":
                    classes[i] = letter
    return classes


def _script_change(a, b) -> bool:
    """Two words of different scripts (numbers and punctuation go with anything)."""
    neutral = ("digit", "punct", "emoji", "other")
    return a.script not in neutral and b.script not in neutral and a.script != b.script


def _is_capital(tok, shouting: bool = False) -> bool:
    return tok.script in _CASED and tok.orig[:1].isupper() and not shouting


def is_shouting(doc: Doc) -> bool:
    """True when the answer is written in capitals only (then case says nothing)."""
    letters = [ch for ch in doc.raw if ch.isalpha() and ch.lower() != ch.upper()]
    return len(letters) > 3 and not any(ch.islower() for ch in letters)


class _Extractor(NamePasses):
    def __init__(self, doc: Doc, index: int, cues: CueSet):
        self.doc, self.index, self.cues = doc, index, cues
        self.toks = doc.tokens
        self.shouting = is_shouting(doc)

        def lang_ok(term_lang: str) -> bool:
            return term_lang == doc.lang or doc.lang == "und"

        # One pass over the words for all four cue lists, then the longest of each kind.
        found: dict[str, list] = {"W": [], "H": [], "T": [], "A": []}
        for hit in cues.combined.find_all(doc, lang_ok):
            kind, payload = hit.payload.split("|", 1)
            found[kind].append(hit._replace(payload=payload))
        self.spans = {
            "program": longest_first(found["W"]),
            "head": longest_first(found["H"]),
            "title": longest_first(found["T"]),
            "after": longest_first(found["A"]),
        }
        self.cls = token_classes(doc, cues, self.spans, self.shouting)
        self.used: set[int] = set()
        self.out: list[Mention] = []

    # -------------------------------------------------------------- helpers
    def _foreign(self, j: int) -> bool:
        """A word of another language's lexicon, here used as a name ('dr lee')."""
        tok = self.toks[j]
        return self.cls[j][0] == DESC and self.cues.foreign_only(tok.norm, self.doc.lang)

    def _cap(self, tok) -> bool:
        return _is_capital(tok, self.shouting)

    def _name_ok(self, idx: list[int], kind: str, attached: bool = False) -> bool:
        if any(self.cls[i] in (PROPER, NUMBER) for i in idx):
            return True
        if kind in DESCRIPTOR_NAME_KINDS and idx:
            if all(self.toks[i].script not in _CASED for i in idx):  # 'المركز العربي'
                return all(self.cues.is_descriptor(self.toks[i].norm) for i in idx)
            return attached or all(self.cls[i] == DESC + "^" for i in idx)
        return attached and kind in DESCRIPTOR_NAME_KINDS

    def _emit(self, start, end, name_idx, kind, concept, role, strength, extra=(), cut=None):
        toks = self.toks
        anchor, proper, origs = [], [], []
        for i in name_idx:
            norm = self.cues.name_form(toks[i].norm, toks[i].script)
            anchor.append(norm)
            origs.append(toks[i].orig)
            if self.cls[i] in (PROPER, NUMBER):
                proper.append(norm)
        anchor.extend(extra)
        origs.extend(extra)
        proper.extend(e for e in extra if e not in self.cues.known)
        if not anchor and strength != "bare":
            return
        start = min([start, *name_idx]) if name_idx else start
        end = max([end, *(i + 1 for i in name_idx)]) if name_idx else end
        first, last = toks[start].start, toks[end - 1].start + len(toks[end - 1].orig)
        if cut is not None:
            first = min(toks[name_idx[0]].start, cut[0]) if name_idx else cut[0]
            last = cut[1]
        if end - start > 1 and toks[end - 1].start == toks[start].start:  # pieces of a URL
            surface = " ".join(t.orig for t in toks[start:end])
        else:
            surface = self.doc.raw[first:last] if last <= len(self.doc.raw) else toks[start].orig
        span = (min(name_idx), max(name_idx) + 1) if name_idx else (start, start)
        script = toks[name_idx[0]].script if name_idx else toks[start].script
        self.out.append(
            Mention(
                self.index,
                start,
                end,
                span,
                tuple(anchor),
                tuple(proper),
                kind,
                concept,
                role,
                strength,
                surface.strip(" ,.;:"),
                script,
                tuple(origs),
            )
        )
        self.used.update(range(start, end))

    def _collect_after(self, j: int, limit: int = 5) -> tuple[list[int], bool]:
        toks, cls, cues = self.toks, self.cls, self.cues
        start = j
        weak = False
        self.linked = j < len(toks) and toks[j].norm in cues.connectors
        while j < len(toks) and (
            toks[j].norm in cues.connectors
            or toks[j].norm in ARTICLES
            or toks[j].norm in cues.locatives
        ):
            weak = weak or (toks[j].norm in cues.locatives and toks[j].norm not in cues.connectors)
            j += 1
        if (
            j < len(toks)
            and toks[j].norm in cues.number_words
            and j + 1 < len(toks)
            and cls[j + 1] == NUMBER
        ):
            j += 1
        name: list[int] = []
        head_script = toks[start - 1].script if start > 0 else ""
        while j < len(toks) and len(name) < limit:
            c = cls[j]
            if toks[j].script not in ("latin", "digit") and head_script == "latin":
                break  # '...Center-ի սոցիալական': the words after belong to the sentence
            if c == NUMBER and name and not _FREQUENCY.match(toks[j].norm):
                break  # 'X 58': a number after a name is not part of it
            if (
                c[0] in (PROPER, DESC, NUMBER)
                and toks[j].script not in NOSPACE_SCRIPTS
                or toks[j].norm in cues.saints
                and j + 1 < len(toks)
                and cls[j + 1] == PROPER
            ):
                name.append(j)
            elif (
                (
                    name
                    and toks[j].norm in cues.connectors
                    and j + 1 < len(toks)
                    and cls[j + 1] == PROPER
                )
                or toks[j].norm == "."
                and name
                and toks[name[-1]].norm in cues.saints
            ):
                pass
            else:
                break
            j += 1
        while name and cls[name[-1]][0] == DESC and self._name_ok(name[:-1], "unknown"):
            name.pop()
        return name, weak

    def _collect_before(self, j: int, limit: int = 5) -> list[int]:
        toks, cls, cues = self.toks, self.cls, self.cues
        name: list[int] = []
        script = toks[j + 1].script if j + 1 < len(toks) else ""
        while j >= 0 and len(name) < limit:
            c = cls[j]
            if toks[j].script in NOSPACE_SCRIPTS and toks[j].script != "hangul":
                break
            if name and _script_change(toks[name[0]], toks[j]):
                break
            if not name and script in _CASED and _script_change(toks[j + 1], toks[j]):
                break
            if c[0] in (PROPER, DESC, NUMBER) or toks[j].norm in cues.saints and name:
                name.insert(0, j)
            elif toks[j].norm == "." and name and j > 0 and toks[j - 1].norm in cues.saints:
                pass
            else:
                break
            j -= 1
        while name and cls[name[0]][0] == DESC and toks[name[0]].norm not in cues.saints:
            if self._name_ok(name, "unknown"):
                name.pop(0)
            else:
                break
        return name

    # -------------------------------------------------------------- passes
    def heads(self):
        for hit in self.spans["head"]:
            kind, concept = hit.payload.split("|")
            tok = self.toks[hit.start]
            if tok.script in NOSPACE_SCRIPTS:
                self._nospace_head(hit, kind, concept)
                continue
            before = self._collect_before(hit.start - 1)
            after, weak = self._collect_after(hit.end)
            name_b = before if self._name_ok(before, kind) else []
            name_a = after if self._name_ok(after, kind) else []
            if (
                not name_a
                and after
                and self.linked
                and all(self.cls[i] == DESC + "^" for i in after)
            ):
                name_a = after  # 'Clínica del Pueblo': a capitalised name after 'de'
            if name_b and name_a and not self.linked:
                name_a = []
            if name_b and len(name_b) == 1 and self.toks[name_b[0]].norm in self.cues.saints:
                name_b = []
            if name_b or name_a:
                strength = "weak" if weak and not name_b else "strong"
                saint = any(self.toks[i].norm in self.cues.saints for i in name_b + name_a)
                if saint and kind not in ("school", "clinic", "church"):
                    kind, concept = "church", "church"
                self._emit(hit.start, hit.end, name_b + name_a, kind, concept, "", strength)
            elif self._bare_head(hit):
                self._emit(hit.start, hit.end, [], kind, concept, "", "bare")

    def _bare_head(self, hit) -> bool:
        toks = self.toks[hit.start : hit.end]
        if len(toks) == 1 and toks[0].norm in self.cues.initialism_heads:
            return True
        content = [t for t in toks if t.norm not in self.cues.connectors]
        return len(content) >= 2 and all(self._cap(t) for t in content)

    def _nospace_head(self, hit, kind, concept):
        tok = self.toks[hit.start]
        offset = hit.cstart - self.doc.offsets[hit.start]
        if self.cues.name_after(hit.lang):
            suffix = tok.norm[hit.cend - self.doc.offsets[hit.start] :]
            if not suffix:  # 'សាលា Cedar Park': the name is in the next words
                after, weak = self._collect_after(hit.end)
                if self._name_ok(after, kind):
                    self._emit(
                        hit.start, hit.end, after, kind, concept, "", "weak" if weak else "strong"
                    )
                return
            words = self.cues.split_known(suffix, hit.lang)
            if words and any(not self.cues.is_known(w) for w in words):
                head_start = tok.start + offset
                name_end = head_start + (hit.cend - hit.cstart) + sum(map(len, words))
                self._emit(
                    hit.start,
                    hit.end,
                    [],
                    kind,
                    concept,
                    "",
                    "strong",
                    extra=words,
                    cut=(head_start, name_end),
                )
            return
        prefix = tok.norm[:offset]
        if tok.script == "han":
            cut = max((prefix.rfind(ch) for ch in _HAN_STOP), default=-1)
            prefix = prefix[cut + 1 :][-4:]
        extra = [prefix] if prefix and prefix not in self.cues.stop else []
        descriptor_prefix = bool(extra) and prefix in self.cues.descriptors
        before = []
        if not prefix or tok.script == "hangul":
            before = self._collect_before(hit.start - 1, limit=4)
        prefix_proper = bool(extra) and not self.cues.is_known(prefix)
        if len(hit.term) == 1 and len(prefix) < 2:
            return  # 廟, 寺, 群: a one-character head needs a real name before it
        if not (self._name_ok(before, kind, descriptor_prefix) or prefix_proper):
            return
        idx = list(before)
        head_end = tok.start + (hit.cend - self.doc.offsets[hit.start])
        head_start = tok.start + offset - len(prefix)
        self._emit(
            hit.start,
            hit.end,
            idx,
            kind,
            concept,
            "",
            "strong",
            extra=extra,
            cut=(head_start, head_end),
        )

    def run(self) -> list[Mention]:
        self.heads()
        self.titles()
        self.titles_after()
        self.saints()
        self.capitals()
        self.lowercase_frequency()
        return self.out


def extract_mentions(doc: Doc, index: int, cues: CueSet) -> list[Mention]:
    """All mentions in one answer, in the order the passes find them."""
    return _Extractor(doc, index, cues).run()
