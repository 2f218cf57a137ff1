"""Export test fixtures: a deterministic data set on a frozen clock.

Responses are stored through the engine-validated sync service (as tablets send them), at
two sites, with fixed uuids and times, so every export of them is the same on SQLite and
PostgreSQL. ``probe_survey`` adds a small survey with every question type (date, phone,
note, group) that the shipped instruments do not use.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from fieldscan import clock
from fieldscan.accounts.services import get_or_create_site
from fieldscan.api.sync import CREATED, sync_responses
from fieldscan.extensions import db
from fieldscan.models import Channel, Response, ResponseStatus
from tests.sample_answers import COMPLETE_CHILDREN_ANSWERS

#: The frozen "now" of the export tests (a Monday, 12:00 in California).
NOW = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
SITE = "valle_verde"
OTHER_SITE = "rio_claro"

#: A phone number that must never appear in an export's FHIR bundle.
SECRET_PHONE = "+14155550199"

_CHILDREN_ANSWERS: dict[str, Any] = copy.deepcopy(COMPLETE_CHILDREN_ANSWERS)

#: The golden data set: (uuid, site, language, started, completed, answer overrides).
CHILDREN_ITEMS: list[tuple[str, str, str, str, str | None, dict[str, Any]]] = [
    (
        "0b7c4c2e-4a43-4d2e-9a52-000000000001",
        SITE,
        "es",
        "2026-03-02T09:15:00-08:00",
        "2026-03-02T09:24:30-08:00",
        {},
    ),
    (
        "0b7c4c2e-4a43-4d2e-9a52-000000000002",
        SITE,
        "en",
        "2026-03-02T09:40:00-08:00",
        "2026-03-02T09:47:00-08:00",
        {
            "trusted_messenger": '=HYPERLINK("http://evil.example","click")',
            "resources": "-2+3 the food bank on Main St, call 415-555-0123",
            "used_services": ["none"],
            "knows_rides": "yes",
            "wants_ride_info": None,
            "child_age": 0,
            "preferred_language": "en",
            "contact_channel": "phone_call",
            "consent_contact": "no",
        },
    ),
    (
        "0b7c4c2e-4a43-4d2e-9a52-000000000003",
        OTHER_SITE,
        "vi",
        "2026-03-02T10:05:00-08:00",
        None,
        {
            "trusted_messenger": "Bác sĩ ở phòng khám",
            "resources": "Chùa",
            "used_services": ["library"],
            "knows_rides": "no",
            "wants_ride_info": "no",
            "child_age": None,
            "preferred_language": "vi",
            "contact_channel": None,
            "consent_contact": None,
        },
    ),
    (
        "0b7c4c2e-4a43-4d2e-9a52-000000000004",
        OTHER_SITE,
        "es",
        "2026-03-02T10:30:00-08:00",
        None,
        {
            "trusted_messenger": "@mamá",
            "resources": None,
            "used_services": None,
            "knows_rides": None,
            "wants_ride_info": None,
            "child_age": None,
            "preferred_language": None,
            "contact_channel": None,
            "consent_contact": None,
        },
    ),
]

#: The response that is marked abandoned after it is stored.
ABANDONED = "0b7c4c2e-4a43-4d2e-9a52-000000000004"

PROBE_YAML = """\
id: export_probe
title: {en: "Export probe", es: "Prueba de exportación"}
languages: [en, es]
keywords: {en: [PROBE], es: [PRUEBA]}
questions:
  - id: welcome
    type: note
    label: {en: "Thank you for helping.", es: "Gracias por ayudar."}
  - id: visit_date
    type: date
    label: {en: "When was your last visit?", es: "¿Cuándo fue su última visita?"}
  - id: household
    type: integer
    label: {en: "How many people live with you?", es: "¿Cuántas personas viven con usted?"}
    min: 1
    max: 20
  - id: has_car
    type: yes_no
    label: {en: "Do you have a car?", es: "¿Tiene carro?"}
  - id: rides
    type: group
    label: {en: "Rides", es: "Transporte"}
    relevant: "${has_car} = 'no' and ${household} > 2"
    questions:
      - id: ride_kind
        type: select_multiple
        label: {en: "Which rides do you use?", es: "¿Qué transporte usa?"}
        choices:
          - {value: bus, label: {en: "Bus", es: "Autobús"}}
          - {value: medi_cal, label: {en: "Medi-Cal rides", es: "Transporte de Medi-Cal"}}
      - id: ride_note
        type: text
        label: {en: "Anything else about rides?", es: "¿Algo más sobre el transporte?"}
        relevant: "selected(${ride_kind}, 'bus')"
  - id: callback
    type: phone
    label: {en: "What number can we call?", es: "¿A qué número le llamamos?"}
  - id: food_help
    type: select_one
    label: {en: "Where do you get food help?", es: "¿Dónde recibe ayuda con comida?"}
    relevant: "string-length(${ride_note}) > 3 or ${household} >= 5"
    choices:
      - {value: pantry, label: {en: "A pantry", es: "Una despensa"}}
      - {value: none, label: {en: "Nowhere", es: "En ningún lugar"}}
"""

PROBE_ANSWERS: dict[str, Any] = {
    "visit_date": "2026-02-14",
    "household": 5,
    "has_car": "no",
    "ride_kind": ["bus", "medi_cal"],
    "ride_note": "The 22 bus; my sister (415) 555-0144 drives me too",
    "callback": SECRET_PHONE,
    "food_help": "pantry",
}
PROBE_UUID = "5f0e7a4b-3c1d-4e2f-8a9b-00000000beef"


def sync_item(
    uuid: str,
    language: str,
    started: str,
    completed: str | None,
    answers: dict[str, Any],
    survey_id: str = "children_scan",
) -> dict[str, Any]:
    """A sync item as a tablet sends it; answers given as None are left out."""
    return {
        "uuid": uuid,
        "survey_id": survey_id,
        "survey_version": 1,
        "language": language,
        "started_at": started,
        "completed_at": completed,
        "answers": {k: v for k, v in answers.items() if v is not None},
    }


def store(items: list[dict[str, Any]], site: str) -> None:
    """Store ``items`` at ``site`` through the sync service; every one must be created."""
    site_id = get_or_create_site(site).id
    db.session.commit()
    results = sync_responses(items, actor=None, channel=Channel.tablet, site_id=site_id)
    assert [r.status for r in results] == [CREATED] * len(items), [r.errors for r in results]


@pytest.fixture
def export_clock():
    """The clock frozen at :data:`NOW` (survey versions are loaded under it too)."""
    with clock.freeze(NOW) as frozen:
        yield frozen


@pytest.fixture
def export_app(app, export_clock, loaded_surveys):
    """The app with the shipped instruments loaded on the frozen clock."""
    return app


@pytest.fixture
def golden_data(export_app):
    """The golden data set: four children_scan responses at two sites (one abandoned)."""
    for uuid, site, language, started, completed, overrides in CHILDREN_ITEMS:
        answers = {**copy.deepcopy(_CHILDREN_ANSWERS), **overrides}
        store([sync_item(uuid, language, started, completed, answers)], site)
    response = db.session.scalars(select(Response).where(Response.uuid == ABANDONED)).one()
    response.status = ResponseStatus.abandoned
    response.finished_at = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
    db.session.commit()
    return export_app


@pytest.fixture
def probe_survey(export_app, tmp_path: Path):
    """The ``export_probe`` survey loaded, with one complete response at :data:`SITE`."""
    from fieldscan.instruments.services import load_surveys

    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "export_probe.yaml").write_text(PROBE_YAML, encoding="utf-8")
    load_surveys(folder)
    store(
        [
            sync_item(
                PROBE_UUID,
                "es",
                "2026-03-02T11:00:00-08:00",
                "2026-03-02T11:06:00-08:00",
                PROBE_ANSWERS,
                survey_id="export_probe",
            )
        ],
        SITE,
    )
    return export_app
