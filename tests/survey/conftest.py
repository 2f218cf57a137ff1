"""Fixtures for the survey engine tests: YAML files in tmp_path and compiled catalogs."""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from fieldscan.survey import Survey, load_file

#: A survey in English source strings, translated into es and vi by ``catalogs`` below.
KIDS_YAML = """\
id: kids
title: Our children's health
description: A short survey about your family.
languages: [en, es, vi]
keywords:
  en: [KIDS]
  es: [NINOS, NIÑOS]
  vi: [TRE EM]
messages:
  intro: Thank you for helping our clinic.
  completion: Thank you!
questions:
  - id: welcome
    type: note
    label: Welcome to the survey.
  - id: consent
    type: yes_no
    label: May we ask you some questions?
    required: true
  - id: no_consent_note
    type: note
    label: No problem. Thank you.
    relevant: "${consent} = 'no'"
  - id: children
    type: group
    label: Your children
    relevant: "${consent} = 'yes'"
    questions:
      - id: child_count
        type: integer
        label: How many children live with you?
        min: 0
        max: 15
        required: true
      - id: ages_note
        type: note
        label: Now some questions about their ages.
        relevant: "${child_count} > 0"
      - id: youngest_age
        type: integer
        label: How old is the youngest?
        min: 0
        max: 17
        relevant: "${child_count} > 0"
        constraint: ". <= 17"
        constraint_message: Please give an age under 18.
  - id: services
    type: select_multiple
    label: Which of these did your family use?
    relevant: "${consent} = 'yes'"
    choices:
      - {value: school, label: School programs}
      - {value: library, label: The library}
      - {value: wic, label: WIC}
  - id: main_service
    type: select_one
    label: Which one helped most?
    relevant: "count-selected(${services}) > 1"
    choices:
      - {value: school, label: School programs}
      - {value: library, label: The library}
      - {value: wic, label: WIC}
  - id: birthday
    type: date
    label: When was the youngest born?
    relevant: "${consent} = 'yes'"
    channels: [web, tablet]
    constraint: ". <= today()"
  - id: phone
    type: phone
    label: What number should we use?
    relevant: "${consent} = 'yes'"
  - id: trusted
    type: text
    label: Who do you trust most for advice?
    relevant: "${consent} = 'yes'"
    taxonomy: trusted_messenger
    max_length: 20
"""

#: Translations of every KIDS_YAML string (the "WIC" translations equal the English).
KIDS_TRANSLATIONS: dict[str, dict[str, str]] = {
    "es": {
        "Our children's health": "La salud de nuestros niños",
        "A short survey about your family.": "Una encuesta corta sobre su familia.",
        "Thank you for helping our clinic.": "Gracias por ayudar a nuestra clínica.",
        "Thank you!": "¡Gracias!",
        "Welcome to the survey.": "Bienvenido a la encuesta.",
        "May we ask you some questions?": "¿Podemos hacerle algunas preguntas?",
        "No problem. Thank you.": "No hay problema. Gracias.",
        "Your children": "Sus hijos",
        "How many children live with you?": "¿Cuántos niños viven con usted?",
        "Now some questions about their ages.": "Ahora unas preguntas sobre sus edades.",
        "How old is the youngest?": "¿Qué edad tiene el menor?",
        "Please give an age under 18.": "Por favor, dé una edad menor de 18.",
        "Which of these did your family use?": "¿Cuáles de estos usó su familia?",
        "School programs": "Programas escolares",
        "The library": "La biblioteca",
        "WIC": "WIC",
        "Which one helped most?": "¿Cuál ayudó más?",
        "When was the youngest born?": "¿Cuándo nació el menor?",
        "What number should we use?": "¿Qué número debemos usar?",
        "Who do you trust most for advice?": "¿En quién confía más para pedir consejo?",
    },
    "vi": {
        "Our children's health": "Sức khỏe con em chúng ta",
        "A short survey about your family.": "Một khảo sát ngắn về gia đình bạn.",
        "Thank you for helping our clinic.": "Cảm ơn bạn đã giúp phòng khám.",
        "Thank you!": "Cảm ơn!",
        "Welcome to the survey.": "Chào mừng đến với khảo sát.",
        "May we ask you some questions?": "Chúng tôi có thể hỏi vài câu không?",
        "No problem. Thank you.": "Không sao. Cảm ơn.",
        "Your children": "Con của bạn",
        "How many children live with you?": "Có bao nhiêu trẻ sống với bạn?",
        "Now some questions about their ages.": "Bây giờ là câu hỏi về tuổi.",
        "How old is the youngest?": "Bé nhỏ nhất bao nhiêu tuổi?",
        "Please give an age under 18.": "Vui lòng cho tuổi dưới 18.",
        "Which of these did your family use?": "Gia đình bạn đã dùng dịch vụ nào?",
        "School programs": "Chương trình trường học",
        "The library": "Thư viện",
        "WIC": "WIC",
        "Which one helped most?": "Cái nào giúp nhiều nhất?",
        "When was the youngest born?": "Bé nhỏ nhất sinh ngày nào?",
        "What number should we use?": "Chúng tôi nên dùng số nào?",
        "Who do you trust most for advice?": "Bạn tin ai nhất để xin lời khuyên?",
    },
}


def compile_catalogs(directory: Path, translations: dict[str, dict[str, str]]) -> Path:
    """Write ``<lang>/LC_MESSAGES/surveys.mo`` for each language; returns ``directory``."""
    for lang, messages in translations.items():
        catalog = Catalog(locale=lang if lang != "hmn" else None, domain="surveys")
        for msgid, msgstr in messages.items():
            catalog.add(msgid, msgstr)
        target = directory / lang / "LC_MESSAGES"
        target.mkdir(parents=True, exist_ok=True)
        with open(target / "surveys.mo", "wb") as out:
            write_mo(out, catalog)
    return directory


@pytest.fixture
def kids_data() -> SimpleNamespace:
    """KIDS_YAML, a fresh copy of KIDS_TRANSLATIONS, and ``compile(dir, translations)``.

    Handed out as a fixture so test modules never import this conftest (which breaks
    under some pytest import modes).
    """
    return SimpleNamespace(
        yaml=KIDS_YAML, translations=copy.deepcopy(KIDS_TRANSLATIONS), compile=compile_catalogs
    )


@pytest.fixture
def catalogs(tmp_path: Path) -> Path:
    """A translations dir with es and vi catalogs for KIDS_YAML."""
    return compile_catalogs(tmp_path / "translations", KIDS_TRANSLATIONS)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write(text, name='kids.yaml', directory=None)`` writes dedented YAML and returns it."""

    def _write(text: str, name: str = "kids.yaml", directory: Path | None = None) -> Path:
        folder = directory or tmp_path / "surveys"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def kids(write: Callable[..., Path], catalogs: Path) -> Survey:
    """KIDS_YAML loaded through the whole pipeline."""
    return load_file(write(KIDS_YAML), translations_dir=catalogs)
