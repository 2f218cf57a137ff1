"""The fallback for answers no term matched: spelling correction, then a model (private).

The model is a character n-gram TF-IDF + logistic regression (SGD) trained on the taxonomy
terms themselves, never on answers, so it carries over to other sites. Its label is only
kept when the model is confident and the answer is close to one of that label's terms.
"""

from __future__ import annotations

from analysis._doc import Doc, _rejoin
from analysis._text import normalize

# Trained models depend only on the data files: share them in-process.
_MODEL_CACHE: dict[tuple, object] = {}


class FallbackMixin:
    """Spelling correction and the term-trained model, for :class:`ThemeTagger`."""

    def _train_fallback(self):
        key = (self.taxonomy_.path, self.taxonomy_.version, id(self.lexicon_), self.random_state)
        if key not in _MODEL_CACHE:
            _MODEL_CACHE[key] = self._train_model()
        return _MODEL_CACHE[key]

    def _train_model(self):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import SGDClassifier
        from sklearn.pipeline import make_pipeline

        texts, labels = [], []
        for per_label in self.taxonomy_.terms.values():
            for label, terms in per_label.items():
                for term in terms:
                    texts.append(normalize(term.replace("*", "")))
                    labels.append(label)
        for program in self.lexicon_.statewide:
            label = (program.get("labels") or {}).get(self.taxonomy_.id)
            if label:
                texts.extend(normalize(a) for a in program.get("aliases") or [])
                labels.extend([label] * len(program.get("aliases") or []))
        if len(set(labels)) < 2:
            return None
        model = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
            SGDClassifier(
                loss="log_loss", alpha=1e-5, max_iter=50, tol=1e-4, random_state=self.random_state
            ),
        )
        model.fit(texts, labels)
        return model, model[0].transform(texts), labels

    def _model_label(self, doc: Doc) -> str:
        """The model's label when it is confident AND the answer looks like a known term."""
        model, matrix, labels = self.model_
        text = " ".join(t.norm for t in doc.tokens if t.norm not in self.stopwords_)
        if not text:
            return ""
        vec = model[0].transform([text])
        proba = model[1].predict_proba(vec)[0]
        best = int(proba.argmax())
        label = str(model[1].classes_[best])
        if proba[best] < self.fallback_threshold:
            return ""
        sims = (matrix @ vec.T).toarray().ravel()
        near = max((s for s, lab in zip(sims, labels, strict=True) if lab == label), default=0)
        return label if near >= self.min_similarity else ""

    def _fuzzy_doc(self, doc: Doc) -> Doc | None:
        from rapidfuzz import fuzz, process

        changed = False
        tokens = []
        for tok in doc.tokens:
            new = None
            if tok.script == "latin" and len(tok.norm) >= 5 and tok.norm not in self.stopwords_:
                if tok.norm not in self._fuzzy_cache:
                    match = process.extractOne(
                        tok.norm, self.vocabulary_, scorer=fuzz.ratio, score_cutoff=82
                    )
                    self._fuzzy_cache[tok.norm] = match[0] if match else None
                new = self._fuzzy_cache[tok.norm]
            if new and new != tok.norm:
                tokens.append(tok._replace(norm=new))
                changed = True
            else:
                tokens.append(tok)
        if not changed:
            return None
        fixed = Doc(doc.id, doc.text, doc.lang, tokens, flags=set(doc.flags))
        fixed.joined, fixed.offsets = _rejoin(tokens)
        return fixed
