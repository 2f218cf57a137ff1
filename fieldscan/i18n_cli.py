"""``fieldscan i18n extract|update|compile|check``: the gettext catalog workflow.

Two domains: ``messages`` (interface and SMS system text, from Python code and templates)
and ``surveys`` (instrument content, from ``surveys/*.yaml`` by our own extractor).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from fieldscan import __version__
from fieldscan.locales import LANGUAGES, SOURCE_LANGUAGE, TRANSLATIONS_DIR

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent

HEADER = """\
# {language} translations for fieldscan ({domain}).
# Plain-language translations for patients and families.
# Review by a qualified medical interpreter is recommended before use with patients.
#"""

#: Functions whose arguments are messages: name -> 1-based positions of the messages.
_UI_KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "N_": None,
    "translate": (2,),
    "translate_plural": (2, 3),
}
#: The survey engine calls :func:`fieldscan.locales.gettext` with the language first.
_ENGINE_KEYWORDS = {**_UI_KEYWORDS, "gettext": (2,), "ngettext": (2, 3)}

_PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}|%\([a-zA-Z_]+\)[sd]")


class CatalogProblem(click.ClickException):
    """A catalog is missing, incomplete or inconsistent."""


def _template_path(domain: str) -> Path:
    return TRANSLATIONS_DIR / f"{domain}.pot"


def _po_path(language: str, domain: str) -> Path:
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def _new_catalog(language: str | None, domain: str) -> Catalog:
    catalog = Catalog(
        locale=language,
        domain=domain,
        project="fieldscan",
        version=__version__,
        header_comment=HEADER.format(language=language or "Template", domain=domain),
        copyright_holder="fieldscan contributors",
        charset="utf-8",
        fuzzy=False,
    )
    if language == "hmn":  # Babel has no CLDR data for Hmong, which has no plural inflection
        catalog._num_plurals, catalog._plural_expr = 1, "0"
    return catalog


def extract_messages() -> Catalog:
    """Collect the UI and SMS strings from the code and templates."""
    catalog = _new_catalog(None, "messages")
    engine_dir = PACKAGE_DIR / "survey"
    sources: list[tuple[Path, list, dict]] = [
        (
            PACKAGE_DIR,
            [
                ("survey/**.py", "ignore"),
                ("**.py", "python"),
                ("**/templates/**.html", "jinja2"),
                ("**/templates/**.txt", "jinja2"),
            ],
            _UI_KEYWORDS,
        ),
        (engine_dir, [("**.py", "python")], _ENGINE_KEYWORDS),
    ]
    for directory, method_map, keywords in sources:
        if not directory.exists():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            str(directory),
            method_map,
            keywords=keywords,
            comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            location = (str((directory / filename).relative_to(PROJECT_DIR)), lineno)
            catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def extract_surveys(surveys_dir: Path) -> Catalog:
    """Collect the translatable text of every survey definition."""
    from fieldscan.survey.babel_extract import extract_surveys as extractor

    catalog = _new_catalog(None, "surveys")
    for path in sorted(surveys_dir.glob("*.y*ml")):
        with path.open("rb") as handle:
            for lineno, _func, message, comments in extractor(handle, (), (), {}):
                location = (
                    str(path.relative_to(PROJECT_DIR))
                    if path.is_relative_to(PROJECT_DIR)
                    else path.name,
                    lineno,
                )
                catalog.add(message, None, [location], auto_comments=comments)
    return catalog


def _write(catalog: Catalog, path: Path, **options) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, **options)
    tmp.replace(path)  # never a half-written catalog


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language, abort_invalid=True)


def update_catalogs(languages: Iterable[str] = LANGUAGES) -> list[str]:
    """Merge the templates into every language's catalogs; return what changed.

    New languages get a new catalog; English, the source language, is filled from the
    source text so that it is always complete.
    """
    changed = []
    for domain in ("messages", "surveys"):
        for language in languages:
            # A fresh template each time: Catalog.update shares message objects, and the
            # English fill below must not leak into the other languages.
            template = _read(_template_path(domain))
            path = _po_path(language, domain)
            if path.exists():
                catalog = _read(path, language)
                # No fuzzy matching: a guessed translation of a similar message is worse
                # than an empty one, which `check` reports.
                catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
                catalog.obsolete.clear()
            else:
                catalog = _new_catalog(language, domain)
                for message in template:
                    if message.id:  # copies: the template's messages must stay untouched
                        catalog.add(
                            message.id,
                            None,
                            list(message.locations),
                            flags=set(message.flags) - {"fuzzy"},
                            auto_comments=list(message.auto_comments),
                            context=message.context,
                        )
            if language == SOURCE_LANGUAGE:  # English is the source: always its own text
                for message in catalog:
                    if message.id:
                        message.string = message.id
                        message.flags.discard("fuzzy")
            _write(catalog, path, ignore_obsolete=True, include_previous=False)
            changed.append(str(path.relative_to(PROJECT_DIR)))
    return changed


def compile_catalogs() -> list[str]:
    """Compile every ``.po`` into a ``.mo`` next to it (fuzzy entries left out)."""
    written = []
    for po in sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po")):
        language = po.parent.parent.name
        catalog = _read(po, language)
        mo = po.with_suffix(".mo")
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        tmp.replace(mo)
        written.append(str(mo.relative_to(PROJECT_DIR)))
    return written


def check_catalogs(languages: Iterable[str] = LANGUAGES) -> list[str]:
    """Problems that make the catalogs unfit to ship: missing, empty, fuzzy, bad placeholders."""
    problems = []
    for domain in ("messages", "surveys"):
        template_path = _template_path(domain)
        if not template_path.exists():
            problems.append(
                f"{template_path.relative_to(PROJECT_DIR)}: missing; run 'fieldscan i18n extract'"
            )
            continue
        template = _read(template_path)
        wanted = {m.id if isinstance(m.id, str) else m.id[0]: m for m in template if m.id}
        for language in languages:
            path = _po_path(language, domain)
            where = str(path.relative_to(PROJECT_DIR))
            if not path.exists():
                problems.append(f"{where}: missing")
                continue
            catalog = _read(path, language)
            if "medical interpreter" not in (catalog.header_comment or ""):
                problems.append(f"{where}: header must recommend review by a medical interpreter")
            for key, source in wanted.items():
                message = catalog.get(source.id, context=source.context)
                label = f"{where}: msgid {_short(key)!r}"
                if message is None:
                    problems.append(f"{label}: missing")
                    continue
                problems.extend(f"{label}: {issue}" for issue in _message_issues(message))
                if language != SOURCE_LANGUAGE and _left_in_english(message):
                    problems.append(f"{label}: left in English")
    return problems


def _message_issues(message) -> list[str]:
    issues = []
    if message.fuzzy:
        issues.append("fuzzy")
    sources = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    if not all(s and s.strip() for s in strings):
        issues.append("not translated")
        return issues
    expected = set(_PLACEHOLDER.findall(sources[-1]))
    for text in strings:
        found = set(_PLACEHOLDER.findall(text))
        if found != expected:
            issues.append(
                f"placeholders {sorted(found)} differ from the source's {sorted(expected)}"
            )
            break
    return issues


_ENGLISH_WORD = re.compile(r"\b[A-Za-z][a-z]+\b")


def _left_in_english(message) -> bool:
    """Whether a translation is the English source itself (names and acronyms may be)."""
    if isinstance(message.id, (list, tuple)):
        return any(s == i for s, i in zip(message.string, message.id, strict=False))
    return message.string == message.id and len(_ENGLISH_WORD.findall(message.id)) >= 2


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


@click.group("i18n", help="Extract, update, compile and check the translation catalogs.")
def i18n_cli() -> None:
    """Translation commands."""


@i18n_cli.command("extract")
def extract_command() -> None:
    """Write translations/messages.pot and translations/surveys.pot from the sources."""
    from flask import current_app

    surveys_dir = Path(current_app.config["SURVEYS_DIR"])
    for domain, catalog in (
        ("messages", extract_messages()),
        ("surveys", extract_surveys(surveys_dir)),
    ):
        catalog.creation_date = datetime(2000, 1, 1, tzinfo=UTC)  # stable files, clean diffs
        _write(catalog, _template_path(domain))
        click.echo(f"{_template_path(domain).relative_to(PROJECT_DIR)}: {len(catalog)} messages")


@i18n_cli.command("update")
@click.option("--language", "languages", multiple=True, help="Only these languages.")
def update_command(languages: tuple[str, ...]) -> None:
    """Merge the templates into each language's catalogs (creating missing ones)."""
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        raise click.ClickException(
            f"unknown language {unknown[0]!r}; known: {', '.join(LANGUAGES)}"
        )
    for path in update_catalogs(languages or LANGUAGES):
        click.echo(f"updated {path}")


@i18n_cli.command("compile")
def compile_command() -> None:
    """Compile the catalogs to .mo files."""
    written = compile_catalogs()
    click.echo(f"compiled {len(written)} catalogs")


@i18n_cli.command("check")
def check_command() -> None:
    """Fail on any missing or fuzzy translation or a placeholder that differs from the source."""
    problems = check_catalogs()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise CatalogProblem(f"{len(problems)} problems in the catalogs")
    click.echo(f"all catalogs complete for {len(LANGUAGES)} languages")
