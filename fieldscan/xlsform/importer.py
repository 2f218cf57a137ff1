"""XLSForm import: a file's bytes -> a validated fieldscan survey definition and a report.

Pure (no Flask, no database): :func:`import_xlsform` takes the bytes, the file name and the
SMS keywords already in use, and returns an :class:`ImportResult`. Storing is the caller's
business (:mod:`fieldscan.xlsform.services`). The steps:

1. safety checks before any parser runs (:mod:`fieldscan.xlsform.safety`);
2. pyxform reads and judges the form (:mod:`fieldscan.xlsform.reading`);
3. its JSON is mapped onto the survey format (:mod:`fieldscan.xlsform.mapping`);
4. the survey id and SMS keywords are chosen;
5. the definition is validated by the survey loader exactly like a ``surveys/*.yaml`` file
   (it is written as YAML to a temporary folder and loaded with
   :func:`fieldscan.survey.load_file`), and must survive a ``to_content``/``from_content``
   round trip.

A form that fails any step gives ``definition=None`` and the reasons in ``errors``.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import yaml

from fieldscan.locales import fold
from fieldscan.survey import Survey, SurveyDefinitionError, keyword_key, load_file
from fieldscan.survey.schema import RESERVED_KEYWORDS, SURVEY_ID
from fieldscan.xlsform.mapping import FormMapper, normalize_id
from fieldscan.xlsform.reading import PyxformRefusedError, read_form
from fieldscan.xlsform.safety import DEFAULT_MAX_BYTES, UnsafeFileError, check_file

#: Longest keyword derived from a form id or ``sms_keyword``.
MAX_KEYWORD = 20


@dataclass(frozen=True)
class ImportResult:
    """The outcome of importing one XLSForm.

    ``definition`` is the validated survey, or None when the form is refused; ``errors``
    then says why, one problem per line (naming the sheet and row where known).
    ``unsupported`` lists XLSForm features fieldscan does not have and what was done
    instead; ``warnings`` everything else worth knowing (including pyxform's own warnings).
    """

    definition: Survey | None
    warnings: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the form can be stored."""
        return self.definition is not None and not self.errors


def import_xlsform(
    data: bytes,
    filename: str,
    *,
    survey_id: str | None = None,
    taken_keywords: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportResult:
    """Turn an XLSForm (``.xlsx``, ``.xls`` or ``.csv``) into a survey definition.

    :param data: the file's bytes.
    :param filename: its name; the extension gives the format, the stem the fallback id.
    :param survey_id: the survey id to use instead of the form's ``form_id``.
    :param taken_keywords: SMS keywords in use, as ``{keyword_key(word): survey_id}``; the
        derived keyword avoids them (a survey's own keywords are not in the way).
    :param max_bytes: the largest file accepted.
    """
    name = PurePath(filename).name or "form"
    if survey_id is not None and not SURVEY_ID.match(survey_id):
        return ImportResult(
            None,
            errors=[
                f"--id {survey_id!r}: a survey id is a lower-case letter, then 1-63 "
                "lower-case letters, digits or _"
            ],
        )
    try:
        checked = check_file(data, name, max_bytes)
    except UnsafeFileError as exc:
        return ImportResult(None, errors=[f"{name}: {m}" for m in exc.messages])
    try:
        form = read_form(checked.data, checked.kind, name)
    except PyxformRefusedError as exc:
        return ImportResult(None, errors=[f"{name}: {m}" for m in exc.messages])
    mapped = FormMapper(form).build()
    warnings = mapped.warnings + form.warnings
    if mapped.errors:
        errors = [f"{name}: {e}" for e in mapped.errors]
        return ImportResult(None, warnings, mapped.unsupported, errors)
    chosen_id = survey_id or _survey_id(form.json, name)
    keyword, keyword_note = choose_keyword(
        _setting(form.settings, "sms_keyword"), chosen_id, taken_keywords or {}
    )
    warnings.insert(0, keyword_note)
    if not survey_id and chosen_id != str(form.json.get("id_string", "")):
        form_id = form.json.get("id_string")
        warnings.insert(0, f"survey id {chosen_id!r} (from the form id {form_id!r})")
    raw: dict[str, Any] = {
        "id": chosen_id,
        "title": mapped.definition["title"],
        "languages": mapped.languages,
        "keywords": {lang: [keyword] for lang in mapped.languages},
        "questions": mapped.definition["questions"],
    }
    definition, errors = validate_definition(raw, name)
    if errors:
        return ImportResult(None, warnings, mapped.unsupported, errors)
    return ImportResult(definition, warnings, mapped.unsupported, [])


def validate_definition(raw: dict[str, Any], name: str) -> tuple[Survey | None, list[str]]:
    """Load ``raw`` with the survey loader, as if it were ``surveys/<id>.yaml``."""
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1_000_000)
    with tempfile.TemporaryDirectory(prefix="fieldscan-xlsform-") as folder:
        path = Path(folder) / f"{raw['id']}.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            survey = load_file(path)
        except SurveyDefinitionError as exc:
            where = f"{name} (as {path.name})"
            return None, [str(issue).replace(str(path), where) for issue in exc.errors]
    try:
        again = Survey.from_content(survey.to_content())
    except (KeyError, TypeError, ValueError) as exc:
        return None, [f"{name}: the survey does not survive storage ({exc})"]
    if again != survey or again.content_hash() != survey.content_hash():
        return None, [f"{name}: the survey changes when stored and read back"]
    return survey, []


def _survey_id(pyxform_json: Mapping[str, Any], name: str) -> str:
    source = str(pyxform_json.get("id_string") or PurePath(name).stem or "form")
    survey_id = normalize_id(source, prefix="form")
    return survey_id if len(survey_id) >= 2 else f"{survey_id}_form"


def _setting(settings: Mapping[str, Any], key: str) -> str | None:
    for name, value in settings.items():
        if str(name).strip().lower() == key and value not in (None, ""):
            return str(value).strip()
    return None


def choose_keyword(
    sms_keyword: str | None, survey_id: str, taken: Mapping[str, str]
) -> tuple[str, str]:
    """The SMS keyword for an imported survey and a line for the report.

    From the form's ``sms_keyword`` setting, else the survey id: accents and everything but
    letters and digits removed, upper-case, at most :data:`MAX_KEYWORD` characters. A
    keyword reserved for opt-out and help, or used by another survey, gets 2, 3, ... added.
    """
    origin = "the form's sms_keyword setting" if sms_keyword else "the survey id"
    base = re.sub(r"[^a-z0-9]", "", fold(sms_keyword or survey_id)).upper()[:MAX_KEYWORD]
    base = base or "SURVEY"
    candidate, number = base, 2
    while True:
        key = keyword_key(candidate)
        owner = taken.get(key)
        if key not in RESERVED_KEYWORDS and owner in (None, survey_id):
            break
        suffix = str(number)
        candidate = base[: MAX_KEYWORD - len(suffix)] + suffix
        number += 1
    note = f"SMS keyword {candidate} in every language (from {origin})"
    if candidate != base:
        clash = taken.get(keyword_key(base))
        why = f"used by survey {clash!r}" if clash else "reserved for opt-out and help"
        note += f"; {base} is {why}"
    return candidate, note
