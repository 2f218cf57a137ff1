"""Label taxonomies: versioned YAML data that staff can edit (see taxonomies/README.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analysis._resources import TAXONOMY_DIR, as_list, canonical_language, load_yaml

__all__ = ["Taxonomy", "TaxonomyError", "default_taxonomies", "load_taxonomies", "load_taxonomy"]


class TaxonomyError(ValueError):
    """A taxonomy directory is malformed (the message names the file and the problem)."""


@dataclass(frozen=True, eq=False)
class Taxonomy:
    """One question's labels and the words that signal them, per language.

    Parameters
    ----------
    id : str
        The taxonomy id (by default, the question id it serves).
    version : int
        Bumped when labels or their meaning change.
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
    version: int
    labels: list[str]
    descriptions: dict[str, str] = field(default_factory=dict)
    question: dict[str, str] = field(default_factory=dict)
    terms: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    entity_kinds: dict[str, str] = field(default_factory=dict)
    absorb: dict[str, list[str]] = field(default_factory=dict)
    path: str = ""

    def __hash__(self) -> int:
        return hash((self.id, self.version, self.path))


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
