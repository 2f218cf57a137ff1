"""The partner inventory instrument as the registry's vocabulary.

The registry's ``kind``, ``services``, ``dxf`` and ``relationship`` take the values of the
staff instrument ``surveys/partner_inventory.yaml`` (questions ``org_kind``, ``services``,
``dxf``, ``relationship``), with its labels in every shipped language, so a partner entered
on the registry page and one recorded with the inventory survey speak the same words.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app, has_app_context

from fieldscan.config import PROJECT_ROOT
from fieldscan.survey.definition import Survey
from fieldscan.survey.loader import load_file

INVENTORY_ID = "partner_inventory"
#: The inventory's questions whose choices the registry uses.
KIND_QUESTION, SERVICES_QUESTION, DXF_QUESTION = "org_kind", "services", "dxf"
RELATIONSHIP_QUESTION = "relationship"


def _path() -> Path:
    if has_app_context():
        candidate = Path(current_app.config["SURVEYS_DIR"]) / f"{INVENTORY_ID}.yaml"
        if candidate.is_file():
            return candidate
    return PROJECT_ROOT / "surveys" / f"{INVENTORY_ID}.yaml"


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> Survey:
    return load_file(path)


def inventory() -> Survey:
    """The resolved partner inventory (the configured surveys folder's, else the shipped one)."""
    path = _path()
    return _load(str(path), path.stat().st_mtime_ns)


def choices(question_id: str, language: str | None = None) -> list[tuple[str, str]]:
    """``(value, label)`` of a question's choices, labels in ``language`` (else English)."""
    question = inventory().question(question_id)
    return [(choice.value, choice.text(language)) for choice in question.choices]


def values(question_id: str) -> list[str]:
    """The values of a question's choices, in the instrument's order."""
    return [choice.value for choice in inventory().question(question_id).choices]


def label(question_id: str, value: str | None, language: str | None = None) -> str:
    """The label of one value in ``language``; the value itself when it is not a choice."""
    if not value:
        return ""
    return dict(choices(question_id, language)).get(value, value)
