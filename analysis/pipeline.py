"""Analysis of one open question (:class:`ScanAnalyzer`) and of a whole file (:func:`analyze`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from sklearn.base import BaseEstimator

from analysis._doc import Doc, language_of, prepare
from analysis._matcher import Hit
from analysis.clusters import ThemeClusterer
from analysis.entities import EntityExtractor
from analysis.taxonomy import Taxonomy, default_taxonomies
from analysis.themes import ThemeTagger, _resolve_taxonomy

__all__ = ["ScanAnalyzer", "analyze"]

Progress = Callable[[str, int, int], None]
_ENTITY_TERM = "<entity>"  # the entity is this kind of messenger: counts where it is named
_ENTITY_GUESS = "<entity?>"  # label seen with the entity elsewhere: only when nothing else


def _record_fields(record) -> tuple[str, str, object, str]:
    if isinstance(record, str):
        return "", record, None, ""
    get = record.get if isinstance(record, Mapping) else lambda k, d=None: getattr(record, k, d)
    return (
        str(get("id", "") or ""),
        str(get("text", "") or ""),
        get("language", None),
        str(get("question", "") or ""),
    )


class ScanAnalyzer(BaseEstimator):
    """Themes, clusters and named entities of the answers to one open question.

    Parameters
    ----------
    taxonomy : Taxonomy, str, path or None, default=None
        The question's taxonomy; ``None`` picks the bundled taxonomy named like the
        records' question.
    subcluster_size : int, default=400
        Theme groups larger than twice this are split into sub-clusters.
    max_subclusters : int, default=8
        Upper bound of sub-clusters per theme.
    random_state : int, default=0
        Seed for every random step (deterministic output).
    progress : callable or None
        Called as ``progress(step, done, total)``.

    Examples
    --------
    >>> records = [{"id": "1", "text": "mi mamá"}, {"id": "2", "text": "the WIC office"},
    ...            {"id": "3", "text": "idk"}]
    >>> result = ScanAnalyzer("trusted_messenger").fit(records).to_dict()
    >>> result["themes"]
    {'1': ['family'], '2': ['community_org'], '3': ['none']}
    """

    def __init__(
        self,
        taxonomy=None,
        *,
        subcluster_size=400,
        max_subclusters=8,
        random_state=0,
        progress=None,
    ):
        self.taxonomy = taxonomy
        self.subcluster_size = subcluster_size
        self.max_subclusters = max_subclusters
        self.random_state = random_state
        self.progress = progress

    def _tick(self, step: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(step, done, total)

    def _docs(self, records: Iterable) -> tuple[list[str], list[Doc], list[int]]:
        """Answer ids, the distinct (text, language) answers prepared once, and the map."""
        ids: list[str] = []
        docs: list[Doc] = []
        inverse: list[int] = []
        seen: dict[tuple[str, str], int] = {}
        self._question = ""
        for n, record in enumerate(records):
            answer_id, text, lang, question = _record_fields(record)
            self._question = self._question or question
            ids.append(answer_id or str(n))
            lang = language_of(lang, text)
            u = seen.get((text, lang))
            if u is None:
                u = seen[(text, lang)] = len(docs)
                docs.append(prepare(ids[-1], text, lang))
            inverse.append(u)
        return ids, docs, inverse

    def fit(self, records: Iterable, y=None):
        """Analyse ``records`` (mappings with ``id``, ``text``, optional ``language``)."""
        self.ids_, docs, self.inverse_ = self._docs(records)
        self.counts_ = [0] * len(docs)
        for u in self.inverse_:
            self.counts_[u] += 1
        taxonomy = self.taxonomy
        if taxonomy is None and self._question in default_taxonomies():
            taxonomy = self._question
        self.taxonomy_: Taxonomy = _resolve_taxonomy(taxonomy)
        total = len(self.ids_)  # progress counts answers; distinct ones are done once
        self._tick("entities", 0, total)
        self.tagger_ = ThemeTagger(self.taxonomy_, random_state=self.random_state).fit()
        self.extractor_ = EntityExtractor().fit(docs, counts=self.counts_)
        docs = self.extractor_.docs_
        self._tick("entities", total, total)
        raw = [self.tagger_.find(doc) for doc in docs]
        first = [self.tagger_.tag_doc(doc, hits=h) for doc, h in zip(docs, raw, strict=True)]
        self.entity_labels_ = self._entity_labels(docs, first)
        mentions = self._mentions_by_doc()
        names = self._names_by_doc()
        results = []
        done = 0
        for i, (doc, res) in enumerate(zip(docs, first, strict=True)):
            if i in mentions:
                entity_hits = self._entity_hits(doc, mentions[i])
                res = self.tagger_.tag_doc(doc, entity_hits, names.get(i, ()), hits=raw[i])
            results.append(res)
            done += self.counts_[i]
            if i % 5000 == 4999:
                self._tick("themes", done, total)
        self._tick("themes", total, total)
        self.docs_ = docs
        self.themes_ = [results[u].labels for u in self.inverse_]
        self.reasons_ = [results[u].reason for u in self.inverse_]
        self.clusterer_ = ThemeClusterer(
            subcluster_size=self.subcluster_size,
            max_subclusters=self.max_subclusters,
            random_state=self.random_state,
        ).fit(
            [docs[u] for u in self.inverse_],
            self.themes_,
            self.reasons_,
            self.taxonomy_.labels,
            self.tagger_.stopwords_,
        )
        self._tick("clusters", total, total)
        return self

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("progress", None)
        return {k: v for k, v in state.items() if k != "docs_"}

    def __setstate__(self, state):
        state.setdefault("progress", None)
        super().__setstate__(state)

    # ------------------------------------------------------------ entities -> themes
    def _mentions_by_doc(self) -> dict[int, list[tuple[int, int, int]]]:
        out: dict[int, list[tuple[int, int, int]]] = {}
        for e_idx, entity in enumerate(self.extractor_.entities_):
            for d, spans in entity.spans.items():
                for start, end in spans:
                    out.setdefault(d, []).append((e_idx, start, end))
        return out

    def _names_by_doc(self) -> dict[int, list[tuple[int, int]]]:
        out: dict[int, list[tuple[int, int]]] = {}
        for entity in self.extractor_.entities_:
            for d, spans in entity.names.items():
                out.setdefault(d, []).extend(spans)
        return out

    def _entity_labels(self, docs: list[Doc], first) -> list[str]:
        """The label an answer gets from naming an entity with no other word for it."""
        labels = set(self.taxonomy_.labels)
        out = []
        for entity in self.extractor_.entities_:
            votes: Counter = Counter()
            if entity.kind == "person":
                for d, spans in entity.spans.items():
                    for start, end in spans:
                        for hit in first[d].hits:
                            gap = min(abs(hit.start - end), abs(start - hit.end))
                            if gap <= 2 and hit.payload in labels:
                                votes[hit.payload] += 1
                if entity.role in labels:
                    votes[entity.role] += 2 * len(entity.docs)
            else:
                for d in entity.docs:
                    if first[d].reason == "matched":
                        votes[first[d].labels[0]] += self.counts_[d]
            label = self.taxonomy_.entity_kinds.get(entity.kind, "")
            sure = bool(label) or (entity.kind == "person" and entity.role in labels)
            if votes and not label:
                best, count = votes.most_common(1)[0]
                needed = 1 if entity.kind == "person" else 2
                if count >= needed and count * 2 > sum(votes.values()):
                    label = best
            out.append((label, sure))
        return out

    def _entity_hits(self, doc: Doc, mentions) -> list[Hit]:
        hits = []
        for e_idx, start, end in mentions:
            label, sure = self.entity_labels_[e_idx]
            if label:
                cs, ce = doc.span_chars(start, end)
                term = _ENTITY_TERM if sure else _ENTITY_GUESS
                hits.append(Hit(label, start, end, cs, ce, "*", term))
        return hits

    # ------------------------------------------------------------ output
    def to_dict(self) -> dict:
        """This question's part of the contract: clusters, assignments, themes, entities."""
        ids = self.ids_
        members: dict[int, list[int]] = {}
        for i, u in enumerate(self.inverse_):
            members.setdefault(u, []).append(i)
        entities = []
        for entity in self.extractor_.entities_:
            answer_ids = [ids[i] for i in sorted(i for d in entity.docs for i in members[d])]
            entities.append(
                {  # noqa: PERF401
                    "name": entity.name,
                    "kind": entity.kind,
                    "count": len(answer_ids),
                    "answer_ids": answer_ids,
                    "aliases": entity.aliases,
                }
            )
        return {
            "clusters": self.clusterer_.clusters_,
            "assignments": {i: int(c) for i, c in zip(ids, self.clusterer_.labels_, strict=True)},
            "themes": dict(zip(ids, self.themes_, strict=True)),
            "entities": entities,
        }

    def transform(self, records: Iterable) -> dict:
        """Tag NEW answers against the fitted model: themes, nearest cluster, entities.

        Returns ``{"themes": {id: [...]}, "assignments": {id: cluster}, "entities":
        {id: [entity name, ...]}}``; the fitted clusters and entities do not change.
        """
        ids, docs, inverse = self._docs(records)
        docs = [docs[u]._replace_id(ids[i]) for i, u in enumerate(inverse)]
        out: dict[str, dict] = {"themes": {}, "assignments": {}, "entities": {}}
        stop = self.tagger_.stopwords_
        for doc in docs:
            links = self.extractor_.link(doc)
            hits = self._entity_hits(doc, links)
            labels = self.tagger_.tag_doc(doc, hits).labels
            out["themes"][doc.id] = labels
            out["assignments"][doc.id] = self.clusterer_.predict_one(doc, labels[0], stop)
            names = []
            for e_idx, _s, _e in links:
                name = self.extractor_.entities_[e_idx].name
                if name not in names:
                    names.append(name)
            out["entities"][doc.id] = names
        return out


def _open_taxonomy(question: str) -> Taxonomy:
    """A question with no taxonomy: no labels, so answers are clustered on their words."""
    return Taxonomy(id=question or "question", version=0, labels=["none"], path=f"<{question}>")


def analyze(
    records: Iterable,
    taxonomies: Mapping | None = None,
    random_state: int = 0,
    progress: Progress | None = None,
) -> dict:
    """Analyse answers to every open question in ``records``.

    Parameters
    ----------
    records : iterable of mappings
        Each with ``id``, ``question`` and ``text`` (optional ``language``, ``site``,
        ``channel``).
    taxonomies : mapping, optional
        ``{question id: Taxonomy or taxonomy directory}``; the bundled ones by default. A
        question with no taxonomy gets only ``none`` themes, and its clusters group the
        answers by their words.
    random_state : int, default=0
    progress : callable, optional
        ``progress(step, done, total)``.

    Returns
    -------
    dict
        ``{"questions": {question: {"clusters", "assignments", "themes", "entities"}}}``.

    Examples
    --------
    >>> out = analyze([{"id": "a", "question": "resources", "text": "food bank"}])
    >>> out["questions"]["resources"]["themes"]
    {'a': ['food']}
    """
    by_question: dict[str, list] = {}
    for record in records:
        _id, _text, _lang, question = _record_fields(record)
        by_question.setdefault(question, []).append(record)
    chosen = dict(default_taxonomies())
    chosen.update(taxonomies or {})
    result: dict[str, dict] = {"questions": {}}
    for question in sorted(by_question):
        taxonomy = chosen.get(question) or _open_taxonomy(question)
        step = None
        if progress is not None:

            def step(name, done, total, _q=question):
                progress(f"{_q}: {name}", done, total)

        model = ScanAnalyzer(taxonomy, random_state=random_state, progress=step)
        result["questions"][question] = model.fit(by_question[question]).to_dict()
    return result
