"""Label taxonomies: versioned YAML data that staff can edit (see taxonomies/README.md)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from analysis._resources import TAXONOMY_DIR, as_list, canonical_language, load_yaml

__all__ = ["Taxonomy", "TaxonomyError", "default_taxonomies", "load_taxonomies", "load_taxonomy"]


_LABEL_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class TaxonomyError(ValueError):
    """A taxonomy directory is malformed (the message names the file and the problem)."""


@dataclass(frozen=True, eq=False)
class Taxonomy:
    """One question's labels and the words that signal them, per language.

    Parameters
    ----------
    id : str
        The taxonomy id (by default, the question id it serves).
    version : int or str
        Bumped when labels or their meaning change (an int in the files;
        ``"<n>+<tag>"`` once :meth:`extended` added labels or terms).
    labels : list of str
        Label ids in report order; ``none`` is always present.
    terms : dict
        ``{language: {label: [term, ...]}}``.

    Examples
    --------
    >>> tax = default_taxonomies()["resources"]
    >>> tax.labels[0], tax.labels[-1], "es" in tax.terms
    ('food', 'none', True)
    """

    id: str
    version: int | str
    labels: list[str]
    descriptions: dict[str, str] = field(default_factory=dict)
    question: dict[str, str] = field(default_factory=dict)
    terms: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    entity_kinds: dict[str, str] = field(default_factory=dict)
    absorb: dict[str, list[str]] = field(default_factory=dict)
    path: str = ""

    def __hash__(self) -> int:
        return hash((self.id, self.version, self.path))

    def labels_of(self, term: str) -> set[str]:
        """The labels that already list ``term`` (compared normalised, in any language).

        >>> sorted(default_taxonomies()["resources"].labels_of("Pañales"))
        ['food']
        """
        from analysis._text import normalize

        wanted = normalize(term.replace("*", ""))
        return {
            label
            for per_label in self.terms.values()
            for label, values in per_label.items()
            if any(normalize(v.replace("*", "")) == wanted for v in values)
        }

    def extended(
        self,
        labels: Mapping[str, str] | None = None,
        terms: Mapping[str, Iterable[str]] | None = None,
        tag: str = "",
    ) -> Taxonomy:
        """A copy with extra labels and extra terms (a staff overlay); ``self`` is unchanged.

        Parameters
        ----------
        labels : mapping, optional
            ``{new label id: description}``, added in this order just before ``none``.
        terms : mapping, optional
            ``{label id: [term, ...]}`` for existing or new labels. They match answers in
            every language (stored under the language ``"*"``), with the file syntax
            (``*`` wildcards, phrases).
        tag : str
            Names the overlay in :attr:`version` (``"1+staff.2"`` for tag ``staff.2``).

        Raises
        ------
        TaxonomyError
            A new label id is malformed or exists, or terms name an unknown label or ``none``.

        Examples
        --------
        >>> base = default_taxonomies()["resources"]
        >>> tax = base.extended({"diapers": "Diapers"}, {"diapers": ["diaper*"]}, "staff.1")
        >>> tax.version, tax.labels[-2:], base.labels[-2:]
        ('1+staff.1', ['diapers', 'none'], ['health_coverage', 'none'])
        """
        labels = dict(labels or {})
        known = set(self.labels)
        for label in labels:
            if not _LABEL_ID.match(label) or label in known:
                raise TaxonomyError(f"{self.id}: new label {label!r} is malformed or exists")
        known |= set(labels)
        extra: dict[str, list[str]] = {}
        for label, values in (terms or {}).items():
            if label not in known or label == "none":
                raise TaxonomyError(f"{self.id}: terms for unknown label {label!r}")
            cleaned = [str(t).strip() for t in values if str(t).strip()]
            if cleaned:
                extra.setdefault(label, []).extend(cleaned)
        if not labels and not extra:
            return self
        order = [x for x in self.labels if x != "none"] + list(labels) + ["none"]
        merged = {lang: dict(per_label) for lang, per_label in self.terms.items()}
        everywhere = merged.setdefault("*", {})
        for label, values in extra.items():
            everywhere[label] = [*everywhere.get(label, []), *values]
        # The term index and the fallback model are cached by (path, version): the path
        # carries a digest of the overlay so that two different overlays never share them.
        digest = hashlib.sha256(
            json.dumps([labels, extra], sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()[:16]
        return replace(
            self,
            version=f"{self.version}+{tag}" if tag else self.version,
            labels=order,
            descriptions={**self.descriptions, **labels},
            terms=merged,
            path=f"{self.path}#{tag or 'extended'}-{digest}",
        )


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Load a taxonomy from its directory (or its ``taxonomy.yaml``).

    Raises
    ------
    TaxonomyError
        When the file is missing, a label is unknown, or ``none`` is missing.
    """
    path = Path(path)
    folder = path.parent if path.is_file() else path
    meta_path = folder / "taxonomy.yaml"
    meta = load_yaml(meta_path)
    if not isinstance(meta, dict):
        raise TaxonomyError(f"{meta_path}: missing or not a mapping")
    labels, descriptions = [], {}
    for entry in meta.get("labels") or []:
        if isinstance(entry, dict):
            label = str(entry.get("id", "")).strip()
            descriptions[label] = str(entry.get("description", "") or "")
        else:
            label = str(entry).strip()
        if not label:
            raise TaxonomyError(f"{meta_path}: a label has no id")
        labels.append(label)
    if "none" not in labels:
        raise TaxonomyError(f"{meta_path}: the label 'none' is required")
    known = set(labels)
    terms: dict[str, dict[str, list[str]]] = {}
    for term_path in sorted((folder / "terms").glob("*.yaml")):
        data = load_yaml(term_path) or {}
        lang = canonical_language(data.get("language") or term_path.stem) or term_path.stem
        per_label = {}
        for label, values in (data.get("labels") or {}).items():
            if label not in known:
                raise TaxonomyError(f"{term_path}: unknown label {label!r}")
            per_label[str(label)] = as_list(values)
        terms[lang] = per_label
    for kind, label in (meta.get("entity_kinds") or {}).items():
        if label not in known:
            raise TaxonomyError(f"{meta_path}: entity_kinds.{kind}: unknown label {label!r}")
    absorb = {str(k): as_list(v) for k, v in (meta.get("absorb") or {}).items()}
    for label, targets in absorb.items():
        for name in [label, *targets]:
            if name not in known:
                raise TaxonomyError(f"{meta_path}: absorb: unknown label {name!r}")
    return Taxonomy(
        id=str(meta.get("id") or folder.name),
        version=int(meta.get("version") or 1),
        labels=labels,
        descriptions=descriptions,
        question={str(k): str(v) for k, v in (meta.get("question") or {}).items()},
        terms=terms,
        entity_kinds={str(k): str(v) for k, v in (meta.get("entity_kinds") or {}).items()},
        absorb=absorb,
        path=str(folder),
    )


def load_taxonomies(directory: str | Path) -> dict[str, Taxonomy]:
    """Load every taxonomy under ``directory`` (one sub-directory each), keyed by id."""
    directory = Path(directory)
    if (directory / "taxonomy.yaml").is_file():
        tax = load_taxonomy(directory)
        return {tax.id: tax}
    found = {}
    for sub in sorted(p for p in directory.iterdir() if (p / "taxonomy.yaml").is_file()):
        tax = load_taxonomy(sub)
        found[tax.id] = tax
    return found


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Taxonomy]:
    return load_taxonomies(TAXONOMY_DIR)


def default_taxonomies() -> dict[str, Taxonomy]:
    """The bundled taxonomies, keyed by question id (``trusted_messenger``, ``resources``)."""
    return dict(_defaults())
