"""Loading of the bundled YAML data: lexicon files and language codes (private)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
TAXONOMY_DIR = PACKAGE_DIR / "taxonomies"
LEXICON_DIR = PACKAGE_DIR / "lexicon"

#: The twelve survey languages, as used in data file names.
LANGUAGES = ("en", "es", "vi", "zh_Hant", "tl", "ko", "ar", "hy", "km", "fa", "ru", "hmn")

_ALIASES = {
    "zh": "zh_Hant",
    "zh_hant": "zh_Hant",
    "zh_tw": "zh_Hant",
    "zh_hk": "zh_Hant",
    "zh_hans": "zh_Hant",
    "zh_cn": "zh_Hant",
    "yue": "zh_Hant",
    "fil": "tl",
    "tgl": "tl",
    "kor": "ko",
    "vie": "vi",
    "spa": "es",
    "eng": "en",
    "per": "fa",
    "fas": "fa",
    "prs": "fa",
    "ara": "ar",
    "arm": "hy",
    "hye": "hy",
    "khm": "km",
    "rus": "ru",
    "mww": "hmn",
    "hnj": "hmn",
}


def canonical_language(code: object) -> str | None:
    """Map a language code ('zh-Hant', 'ES', 'fil') to a file code, or None if unknown.

    >>> canonical_language("zh-Hant"), canonical_language("es-MX"), canonical_language("")
    ('zh_Hant', 'es', None)
    """
    if not code or not isinstance(code, str):
        return None
    key = code.strip().replace("-", "_").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    for lang in LANGUAGES:
        if key == lang.lower():
            return lang
    base = key.split("_")[0]
    if base in _ALIASES:
        return _ALIASES[base]
    return base if base in LANGUAGES else None


@lru_cache(maxsize=1)
def _loader():
    """A safe YAML loader where only true/false are booleans ('no', 'on', 'si' stay words)."""
    import re

    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class WordsLoader(base):  # type: ignore[misc, valid-type]
        pass

    resolvers = {}
    for first, entries in base.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in entries if tag != "tag:yaml.org,2002:bool"]
        resolvers[first] = kept
    WordsLoader.yaml_implicit_resolvers = resolvers
    WordsLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    return WordsLoader


@lru_cache(maxsize=256)
def _load_yaml_cached(path: str, mtime: float) -> Any:
    import yaml

    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_loader())  # noqa: S506 - a safe loader


def load_yaml(path: Path) -> Any:
    """Read a YAML file (cached until the file changes); a missing file gives None."""
    if not path.is_file():
        return None
    return _load_yaml_cached(str(path), path.stat().st_mtime)


def as_list(value: Any) -> list[str]:
    """A YAML value that should be a list of strings (None -> [], scalar -> [scalar])."""
    if value is None:
        return []
    if isinstance(value, str | int | float):
        return [str(value)]
    return [str(v) for v in value if v is not None]


@dataclass
class LanguageCues:
    """Entity cues of one language (see taxonomies/README.md, section 4)."""

    language: str
    heads: list[tuple[str, str, str]] = field(default_factory=list)  # (term, kind, concept)
    name_position: tuple[str, ...] = ("after", "before")
    connectors: list[str] = field(default_factory=list)
    locatives: list[str] = field(default_factory=list)
    honorifics_before: dict[str, str] = field(default_factory=dict)
    honorifics_after: dict[str, str] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)
    generic: list[str] = field(default_factory=list)
    descriptors: list[str] = field(default_factory=list)
    particles: list[str] = field(default_factory=list)
    saint_prefixes: list[str] = field(default_factory=list)
    number_words: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)
    diminutives: list[tuple[str, str]] = field(default_factory=list)


def _parse_heads(raw: Any) -> list[tuple[str, str, str]]:
    heads = []
    for kind, value in (raw or {}).items():
        if isinstance(value, dict):
            for concept, terms in value.items():
                heads.extend((t, str(kind), str(concept)) for t in as_list(terms))
        else:
            heads.extend((t, str(kind), str(kind)) for t in as_list(value))
    return heads


def _parse_cues(lang: str, data: dict) -> LanguageCues:
    hon = data.get("honorifics") or {}
    return LanguageCues(
        language=lang,
        heads=_parse_heads(data.get("heads")),
        name_position=tuple(as_list(data.get("name_position")) or ["after", "before"]),
        connectors=as_list(data.get("connectors")),
        locatives=as_list(data.get("locatives")),
        honorifics_before={str(k): str(v) for k, v in (hon.get("before") or {}).items()},
        honorifics_after={str(k): str(v) for k, v in (hon.get("after") or {}).items()},
        abbreviations={str(k): str(v) for k, v in (data.get("abbreviations") or {}).items()},
        generic=as_list(data.get("generic")),
        descriptors=as_list(data.get("descriptors")),
        particles=as_list(data.get("particles")),
        saint_prefixes=as_list(data.get("saint_prefixes")),
        number_words=as_list(data.get("number_words")),
        surnames=as_list(data.get("surnames")),
        diminutives=[(str(k), str(v)) for k, v in (data.get("diminutive_suffixes") or {}).items()],
    )


@dataclass(eq=False)
class Lexicon:
    """All lexicon data: non-answers, entity cues, statewide programs and nicknames."""

    nonanswers: dict[str, dict[str, list[str]]]
    cues: dict[str, LanguageCues]
    statewide: list[dict[str, Any]]
    nicknames: dict[str, list[str]]


def _language_files(folder: Path) -> dict[str, dict]:
    found = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.yaml")):
            data = load_yaml(path) or {}
            lang = canonical_language(path.stem) or path.stem
            found[lang] = data
    return found


@lru_cache(maxsize=8)
def load_lexicon(directory: str | None = None) -> Lexicon:
    """Load the lexicon from ``directory`` (default: the bundled ``analysis/lexicon``)."""
    root = Path(directory) if directory else LEXICON_DIR
    nonanswers = {}
    for lang, data in _language_files(root / "nonanswers").items():
        nonanswers[lang] = {
            key: as_list(data.get(key)) for key in ("phrases", "negators", "distrust")
        }
    cues = {
        lang: _parse_cues(lang, data)
        for lang, data in _language_files(root / "entity_cues").items()
    }
    statewide = load_yaml(root / "statewide.yaml") or []
    nick_raw = load_yaml(root / "nicknames.yaml") or {}
    nicknames = {
        str(k).lower(): [str(v).lower() for v in as_list(vs)] for k, vs in nick_raw.items()
    }
    return Lexicon(nonanswers=nonanswers, cues=cues, statewide=statewide, nicknames=nicknames)
