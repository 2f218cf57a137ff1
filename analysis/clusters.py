"""Clusters: primary-theme groups, split into sub-clusters when large."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
from sklearn.base import BaseEstimator

from analysis._doc import Doc
from analysis._text import NOSPACE_SCRIPTS, char_script, tokenize

__all__ = ["ThemeClusterer", "cluster_terms", "contains_phrase", "describe_answers"]

_NONE_LABEL = "none"


def cluster_terms(doc: Doc, stopwords: frozenset[str] | set[str]) -> list[str]:
    """Words used as clustering features and top terms (Chinese segmented with jieba)."""
    out = []
    for tok in doc.tokens:
        if tok.script in ("punct", "emoji", "other", "digit"):
            continue
        if tok.script == "han" and len(tok.norm) > 2:
            out.extend(w for w in _jieba_words(tok.norm) if w not in stopwords)
        elif tok.norm not in stopwords and (len(tok.norm) > 1 or tok.script in NOSPACE_SCRIPTS):
            out.append(tok.norm)
    return out


_JIEBA_CACHE: dict[str, list[str]] = {}


def _identity(terms: list[str]) -> list[str]:
    return terms


def _jieba_words(text: str) -> list[str]:
    if text not in _JIEBA_CACHE:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        words = [w for w in jieba.lcut(text) if len(w) > 1]
        if len(_JIEBA_CACHE) < 200_000:
            _JIEBA_CACHE[text] = words
        return words
    return _JIEBA_CACHE[text]


class ThemeClusterer(BaseEstimator):
    """Group answers by primary theme, then split large groups with TF-IDF + k-means.

    Answers with the ``none`` label are split into non-answers ("idk", emoji) and answers
    the taxonomy does not name; the latter are clustered on their words so staff can see
    what the taxonomy misses. Tiny leftover groups get ``-1``.

    Parameters
    ----------
    subcluster_size : int, default=400
        A theme group is split into about ``size / subcluster_size`` sub-clusters.
    max_subclusters : int, default=8
        Upper bound of sub-clusters per theme.
    max_features : int, default=5000
        Vocabulary size of the TF-IDF used to split themes.
    min_cluster_size : int, default=3
        Unmatched answers in smaller groups are assigned ``-1``.
    random_state : int, default=0
        Seed of k-means.

    Examples
    --------
    >>> from analysis._doc import prepare
    >>> docs = [prepare(str(i), t, "en") for i, t in enumerate(["wic", "food bank", "idk"])]
    >>> themes, reasons = [["food"], ["food"], ["none"]], ["matched", "matched", "nonanswer"]
    >>> c = ThemeClusterer().fit(docs, themes, reasons)
    >>> c.labels_.tolist(), [k["theme"] for k in c.clusters_]
    ([0, 0, 1], ['food', 'none'])
    """

    def __init__(
        self,
        subcluster_size=400,
        max_subclusters=8,
        min_cluster_size=3,
        max_features=5000,
        random_state=0,
    ):
        self.subcluster_size = subcluster_size
        self.max_features = max_features
        self.max_subclusters = max_subclusters
        self.min_cluster_size = min_cluster_size
        self.random_state = random_state

    def fit(
        self,
        docs: list[Doc],
        themes: list[list[str]],
        reasons: list[str],
        label_order=(),
        stopwords=frozenset(),
    ):
        """Cluster ``docs`` given their theme labels; sets ``labels_`` and ``clusters_``."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        n = len(docs)
        cache: dict[int, list[str]] = {}
        terms = []
        for d in docs:
            key = id(d)
            if key not in cache:
                cache[key] = cluster_terms(d, stopwords)
            terms.append(cache[key])
        self.vectorizer_ = TfidfVectorizer(
            analyzer=_identity,
            min_df=1,
            max_features=self.max_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        if any(terms):
            matrix = self.vectorizer_.fit_transform(terms)
            vocab = self.vectorizer_.get_feature_names_out()
        else:  # nothing but non-answers: no vocabulary at all
            from scipy.sparse import csr_matrix

            self.vectorizer_ = None
            matrix, vocab = csr_matrix((n, 1), dtype=np.float32), np.array([""])
        groups: dict[tuple[str, str], list[int]] = {}
        for i, labels in enumerate(themes):
            primary = labels[0]
            part = reasons[i] if primary == _NONE_LABEL else ""
            part = "unmatched" if part == "unmatched" else ""
            groups.setdefault((primary, part), []).append(i)
        order = {label: k for k, label in enumerate(label_order)}
        keys = sorted(groups, key=lambda k: (order.get(k[0], len(order)), k[1], -len(groups[k])))
        labels = np.full(n, -1, dtype=int)
        self.clusters_: list[dict] = []
        self.centroids_: list[np.ndarray] = []
        for key in keys:
            members = np.array(groups[key])
            if key[1] == "unmatched":
                members = self._shared(members, terms)
                if not len(members):
                    continue
            for part in self._split(members, matrix, key):
                if len(part) < self.min_cluster_size and key[1] == "unmatched":
                    continue
                cid = len(self.clusters_)
                labels[part] = cid
                self.clusters_.append(self._describe(cid, key[0], part, docs, terms, matrix, vocab))
        self.labels_ = labels
        self.themes_of_clusters_ = [c["theme"] for c in self.clusters_]
        return self

    @staticmethod
    def _shared(members: np.ndarray, terms: list[list[str]]) -> np.ndarray:
        """Unmatched answers sharing a word with another unmatched answer (others: -1)."""
        df = Counter(w for i in members for w in set(terms[i]))
        return np.array([i for i in members if any(df[w] > 1 for w in terms[i])], dtype=int)

    def _split(self, members: np.ndarray, matrix, key) -> list[np.ndarray]:
        size = len(members)
        unmatched = key[1] == "unmatched"
        target = max(10, self.subcluster_size // 20) if unmatched else self.subcluster_size
        k = min(self.max_subclusters, size // target)
        if k < 2 or matrix is None:
            return [members]
        from sklearn.cluster import MiniBatchKMeans

        sub = matrix[members]
        km = MiniBatchKMeans(
            n_clusters=k,
            random_state=self.random_state,
            n_init=1,
            batch_size=4096,
            max_no_improvement=5,
        ).fit(sub)
        parts = [members[km.labels_ == c] for c in range(k)]
        parts = [p for p in parts if len(p)]
        parts.sort(key=lambda p: (-len(p), int(p[0])))
        return parts

    def _describe(self, cid, theme, part, docs, terms, matrix, vocab) -> dict:
        sub = matrix[part]
        centroid = np.asarray(sub.mean(axis=0)).ravel()
        self.centroids_.append(centroid)
        weights = centroid.copy()
        top_idx = [int(i) for i in np.argsort(-weights, kind="stable")[:8] if weights[i] > 0]
        top_terms = [str(vocab[i]) for i in top_idx]
        by_lang: dict[str, Counter] = {}
        for i in part:
            by_lang.setdefault(docs[i].lang, Counter()).update(set(terms[i]))
        top_by_lang = {
            lang: [w for w, _ in counts.most_common(5)]
            for lang, counts in sorted(by_lang.items())
            if sum(docs[i].lang == lang for i in part) >= 3
        }
        scores = np.asarray(sub @ centroid).ravel()
        examples, seen = [], set()
        for j in np.argsort(-scores, kind="stable"):
            text = docs[int(part[j])].text.strip()
            if text and text.casefold() not in seen:
                seen.add(text.casefold())
                examples.append(text)
            if len(examples) == 3:
                break
        languages = Counter(docs[i].lang for i in part)
        name = theme.replace("_", " ")
        if top_terms:
            name = f"{name}: {', '.join(top_terms[:3])}"
        return {
            "id": cid,
            "label": name,
            "top_terms": top_terms,
            "top_terms_by_language": top_by_lang,
            "size": len(part),
            "examples": examples,
            "languages": dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
            "theme": theme,
        }

    def predict_one(self, doc: Doc, theme: str, stopwords=frozenset()) -> int:
        """Nearest cluster of the same theme for a new answer (``-1`` when none)."""
        candidates = [i for i, t in enumerate(self.themes_of_clusters_) if t == theme]
        if not candidates:
            return -1
        if len(candidates) == 1 or self.vectorizer_ is None:
            return candidates[0]
        row = self.vectorizer_.transform([cluster_terms(doc, stopwords)])
        scores = [float((row @ self.centroids_[c]).sum()) for c in candidates]
        return candidates[int(np.argmax(scores))]


def _words(text: str) -> list[str]:
    return [t.norm for t in tokenize(text) if t.script not in ("punct", "emoji")]


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether ``text`` holds ``phrase``, both normalised like taxonomy terms.

    Accents on Latin letters and Arabic-script variants do not matter. In scripts written
    with spaces the phrase matches whole words in sequence, and a ``*`` at the end of a word
    makes it a prefix; in scripts written without spaces (Chinese, Khmer, Korean) it
    matches as a substring.

    >>> contains_phrase("Necesito PAÑALES para el bebé", "panales")
    True
    >>> contains_phrase("business center", "bus"), contains_phrase("buses", "bus*")
    (False, True)
    >>> contains_phrase("我需要尿布和奶粉", "尿布")
    True
    """
    want: list[str] = []
    prefix: list[bool] = []
    for part in phrase.split():
        words = _words(part.rstrip("*"))
        want += words
        prefix += [False] * (len(words) - 1) + [part.endswith("*")] if words else []
    if not want:
        return False
    have = _words(text)
    if any(char_script(ch) in NOSPACE_SCRIPTS for w in want for ch in w):
        return "".join(want) in "".join(have)
    n = len(want)
    for i in range(len(have) - n + 1):
        if all(
            have[i + j].startswith(w) if prefix[j] else have[i + j] == w for j, w in enumerate(want)
        ):
            return True
    return False


def describe_answers(answers: Iterable[tuple[str, str]], n_terms: int = 8) -> dict:
    """Top terms, languages and size of a group of answers (``(text, language)`` pairs).

    Used when staff merge or split clusters: the new groups get terms from their own
    answers (the words most answers use, function words left out), in the same shape as
    a fitted cluster's description (``top_terms``, ``top_terms_by_language``, ``size``,
    ``languages``).

    >>> out = describe_answers([("diaper bank", "en"), ("the diaper pantry", "es"), ("bank", "en")])
    >>> out["top_terms"][:2], out["size"], out["languages"]
    (['bank', 'diaper'], 3, {'en': 2, 'es': 1})
    """
    from analysis._doc import prepare
    from analysis._resources import load_lexicon
    from analysis.themes import _function_words

    lexicon = load_lexicon()
    stopwords = set().union(*_function_words(lexicon).values())
    distinct = Counter((str(text), str(lang or "")) for text, lang in answers)
    overall: Counter = Counter()
    by_lang: dict[str, Counter] = {}
    languages: Counter = Counter()
    for (text, lang), count in distinct.items():
        doc = prepare("", text, lang or None, lexicon)
        words = set(cluster_terms(doc, stopwords))
        languages[lang] += count
        for word in words:
            overall[word] += count
            by_lang.setdefault(lang, Counter())[word] += count
    ranked = sorted(overall.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "top_terms": [w for w, _ in ranked[:n_terms]],
        "top_terms_by_language": {
            lang: [w for w, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]
            for lang, c in sorted(by_lang.items())
            if languages[lang] >= 3
        },
        "size": sum(languages.values()),
        "languages": dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
    }
