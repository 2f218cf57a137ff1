"""Mention passes for people and names without an organisation head (private).

Titles before a name ("padre X", "dra. X", "the promotora X", "X, the promotora"), titles
after a name (Korean/Chinese "X 목사님", "X老師"), saint prefixes ("St. X"), capitalised runs
("X Y"), and radio frequencies ("X 101.5"). Mixed into the extractor of ``_mentions``.
"""

from __future__ import annotations

import re

from analysis._cues import ARTICLES
from analysis._text import NOSPACE_SCRIPTS

_FREQUENCY = re.compile(r"^\d{2,3}\.\d$|^\d{3,4}$")
_HAN_STOP = set("的在去和跟到有是了還也都從給幫裡們我你他她問找看聽說與及或、")
_CASED = frozenset({"latin", "cyrillic", "armenian"})
STOP, NUMBER, DESC, PROPER = "SNDP"


class NamePasses:
    """Passes that find people and bare names; they use the extractor's state."""

    def titles(self):
        for hit in self.spans["title"]:
            if any(i in self.used for i in range(hit.start, hit.end)):
                continue
            last = self.toks[hit.end - 1]
            inside = hit.cend != self.doc.offsets[hit.end - 1] + len(last.norm)
            if last.script in NOSPACE_SCRIPTS and inside:
                continue  # a title inside a longer no-space word
            j = hit.end
            if j < len(self.toks) and self.toks[j].norm == ".":
                j += 1
            name = []
            while (
                j < len(self.toks)
                and len(name) < 3
                and self.toks[j].script not in NOSPACE_SCRIPTS
                and (self.cls[j] == PROPER or self._foreign(j))
            ):
                name.append(j)
                j += 1
            if name:
                strong = any(
                    self._cap(self.toks[i]) or self.toks[i].script not in _CASED for i in name
                )
                self._emit(
                    hit.start,
                    hit.end,
                    name,
                    "person",
                    "person",
                    hit.payload,
                    "strong" if strong else "weak",
                )
                continue
            if hit.payload == "person":
                continue
            k = hit.start - 1
            while k >= 0 and (self.toks[k].orig.casefold() in ARTICLES or self.toks[k].norm == ","):
                k -= 1
            if k == hit.start - 1:
                continue
            back = []
            while (
                k >= 0
                and len(back) < 3
                and self.cls[k] == PROPER
                and self.toks[k].script not in NOSPACE_SCRIPTS
                and k not in self.used
            ):
                back.insert(0, k)
                k -= 1
            if back:
                first, last = self.toks[back[0]], self.toks[back[-1]]
                self._emit(
                    hit.start,
                    hit.end,
                    back,
                    "person",
                    "person",
                    hit.payload,
                    "strong",
                    cut=(first.start, last.start + len(last.orig)),
                )

    def titles_after(self):
        cues = self.cues
        for hit in self.spans["after"]:
            tok = self.toks[hit.start]
            offset = hit.cstart - self.doc.offsets[hit.start]
            prefix = tok.norm[:offset]
            names: list[str] = []
            idx: list[int] = []
            if tok.script == "han":
                cut = max((prefix.rfind(ch) for ch in _HAN_STOP), default=-1)
                prefix = prefix[cut + 1 :]
                for size in (3, 2, 1):
                    cand = prefix[-size:]
                    if len(cand) == size and cand[0] in cues.surnames:
                        names = [cand[0], cand[1:]] if size > 1 else [cand]
                        break
            elif prefix:
                if cues.is_known(cues.strip_particles(tok.norm)):
                    continue
                names = self._korean_name(prefix)
            elif hit.start > 0 and self.cls[hit.start - 1] == PROPER:
                prev = self.toks[hit.start - 1]
                if prev.script == "hangul":
                    names = self._korean_name(cues.strip_particles(prev.norm))
                    idx = [hit.start - 1]
                elif prev.script in _CASED:
                    idx = [hit.start - 1]
            names = [n for n in names if n]
            if names or idx:
                title_end = tok.start + (hit.cend - self.doc.offsets[hit.start])
                if names and tok.script in NOSPACE_SCRIPTS and prefix:
                    name_len = len("".join(names))
                    title_start = tok.start + offset
                    cut = (title_start - name_len, title_end)
                else:
                    cut = (self.toks[hit.start - 1].start if hit.start else tok.start, title_end)
                self._emit(
                    hit.start,
                    hit.end,
                    [] if names else idx,
                    "person",
                    "person",
                    hit.payload,
                    "strong",
                    extra=names,
                    cut=cut,
                )

    def _korean_name(self, word: str) -> list[str]:
        if self.cues.is_known(word) or not 1 <= len(word) <= 5:
            return []
        if len(word) >= 3 and word[0] in self.cues.surnames:
            return [word[0], word[1:]]
        return [word]

    def saints(self):
        toks, cues = self.toks, self.cues
        for i, tok in enumerate(toks):
            if i in self.used or tok.norm not in cues.saints:
                continue
            j = i + 1
            if j < len(toks) and toks[j].norm == ".":
                j += 1
            name = []
            while j < len(toks) and len(name) < 3 and self.cls[j] == PROPER:
                name.append(j)
                j += 1
            if not name:
                continue
            prev = toks[i - 1].norm if i > 0 else ""
            linked = prev in cues.locatives or prev in cues.connectors
            strong = self._cap(toks[name[0]]) and not linked
            self._emit(i, i + 1, [i, *name], "church", "church", "", "strong" if strong else "weak")

    def capitals(self):
        toks, cls = self.toks, self.cls
        i = 0
        while i < len(toks):
            if i in self.used or not self._cap(toks[i]) or cls[i] not in (PROPER, DESC + "^"):
                i += 1
                continue
            run = [i]
            j = i + 1
            while j < len(toks) and j not in self.used:
                if self._cap(toks[j]) and cls[j] in (PROPER, DESC + "^"):
                    run.append(j)
                elif (
                    toks[j].norm in self.cues.connectors
                    and j + 1 < len(toks)
                    and self._cap(toks[j + 1])
                    and cls[j + 1] == PROPER
                ):
                    pass
                else:
                    break
                j += 1
            k = j
            if k < len(toks) and toks[k].norm in self.cues.locatives | {"on"}:
                k += 1
            freq = k < len(toks) and bool(_FREQUENCY.match(toks[k].norm))
            if any(cls[r] == PROPER for r in run):
                if freq:
                    self._emit(i, k + 1, run, "media", "radio", "", "strong", extra=[toks[k].norm])
                else:
                    self._emit(i, j, run, "unknown", "unknown", "", "weak")
            i = max(j, i + 1)

    def lowercase_frequency(self):
        toks = self.toks
        for i, tok in enumerate(toks):
            if i in self.used or self.cls[i] != NUMBER or "." not in tok.norm:
                continue
            if not _FREQUENCY.match(tok.norm):
                continue
            name = self._collect_before(i - 1, limit=4)
            if toks[i - 1].norm in ("on", "en") and not name:
                name = self._collect_before(i - 2, limit=4)
            if self._name_ok(name, "media"):
                self._emit(i, i + 1, name, "media", "radio", "", "weak", extra=[tok.norm])
