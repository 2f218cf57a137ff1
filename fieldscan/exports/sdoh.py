"""Which questions and answers relate to a Social Determinants of Health (SDOH) category.

The categories are the Gravity Project SDOH domains of the HL7 SDOH Clinical Care
implementation guide (CodeSystem ``SDOHCC-CodeSystemTemporaryCodes``); only codes that have
been in that CodeSystem since its STU 2 releases are used. The reasons for each entry are in
docs/fhir-export.md; keep the two in step.

Three levels, all keyed by question id (the shipped instruments share ids and meanings):

- :data:`QUESTION_CATEGORIES`: the question itself is about the domain, whatever the answer;
- :data:`CHOICE_CATEGORIES`: picking that choice relates the response to the domain;
- :data:`THEME_CATEGORIES`: an analysis theme of an open answer (the ``resources`` taxonomy
  of ``../shared/devdata/taxonomy.md``) relates the response to the domain; the open
  question itself lists every category its themes can give.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fieldscan.survey import Question

SYSTEM = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"

#: The codes used here and their displays (as the CodeSystem gives them).
DISPLAYS: dict[str, str] = {
    "food-insecurity": "Food Insecurity",
    "housing-instability": "Housing Instability",
    "homelessness": "Homelessness",
    "inadequate-housing": "Inadequate Housing",
    "transportation-insecurity": "Transportation Insecurity",
    "financial-insecurity": "Financial Insecurity",
    "social-connection": "Social Connection",
    "health-insurance-coverage-status": "Health Insurance Coverage Status",
}

#: Question id -> categories the question is about (tagged whenever it has an answer).
QUESTION_CATEGORIES: dict[str, tuple[str, ...]] = {
    # Who patients turn to for health advice: functional social support.
    "trusted_messenger": ("social-connection",),
    # Medi-Cal non-emergency medical transportation.
    "knows_rides": ("transportation-insecurity",),
    "wants_ride_info": ("transportation-insecurity",),
}

#: (question id, choice value) -> categories (tagged when that choice is picked).
CHOICE_CATEGORIES: dict[tuple[str, str], tuple[str, ...]] = {
    # children_scan: services the family used.
    ("used_services", "food_assistance"): ("food-insecurity",),
    # partner_inventory: what kind of organization, and its services (the Medi-Cal
    # Community Supports that address a Gravity domain).
    ("org_kind", "food_assistance"): ("food-insecurity",),
    ("services", "transportation"): ("transportation-insecurity",),
    ("services", "housing_navigation"): ("housing-instability",),
    ("services", "housing_deposits"): ("housing-instability",),
    ("services", "housing_tenancy"): ("housing-instability",),
    ("services", "post_hospital_housing"): ("homelessness",),
    ("services", "recuperative_care"): ("homelessness",),
    ("services", "asthma_remediation"): ("inadequate-housing",),
    ("services", "medically_tailored_meals"): ("food-insecurity",),
    ("services", "food_assistance"): ("food-insecurity",),
}

#: Analysis theme of a ``resources`` answer -> categories.
THEME_CATEGORIES: dict[str, tuple[str, ...]] = {
    "food": ("food-insecurity",),
    "housing": ("housing-instability",),
    "transportation": ("transportation-insecurity",),
    "income_jobs": ("financial-insecurity",),
    "health_coverage": ("health-insurance-coverage-status",),
}

#: The taxonomy whose themes :data:`THEME_CATEGORIES` maps.
THEMED_TAXONOMY = "resources"


def coding(code: str) -> dict[str, str]:
    """The FHIR Coding of a category."""
    return {"system": SYSTEM, "code": code, "display": DISPLAYS[code]}


def _ordered(codes: Iterable[str]) -> list[str]:
    """Unique codes in the order of :data:`DISPLAYS` (stable output)."""
    found = set(codes)
    return [code for code in DISPLAYS if code in found]


def question_categories(question: Question) -> list[str]:
    """Every category an answer to ``question`` can relate to (for Questionnaire.item.code)."""
    codes = list(QUESTION_CATEGORIES.get(question.id, ()))
    for choice in question.choices:
        codes.extend(CHOICE_CATEGORIES.get((question.id, choice.value), ()))
    if question.taxonomy == THEMED_TAXONOMY:
        for themed in THEME_CATEGORIES.values():
            codes.extend(themed)
    return _ordered(codes)


def answer_categories(question: Question, value: object, themes: Iterable[str] = ()) -> list[str]:
    """The categories one given answer relates its response to (for meta.tag).

    ``value`` is the stored normalized value (None = skipped: no categories); ``themes``
    are the analysis labels of an open answer, when the analysis has run.
    """
    if value is None:
        return []
    codes = list(QUESTION_CATEGORIES.get(question.id, ()))
    picked = value if isinstance(value, list) else [value]
    for choice in picked:
        codes.extend(CHOICE_CATEGORIES.get((question.id, str(choice)), ()))
    if question.taxonomy == THEMED_TAXONOMY:
        for theme in themes:
            codes.extend(THEME_CATEGORIES.get(theme, ()))
    return _ordered(codes)


def response_categories(
    questions: Mapping[str, Question],
    answers: Mapping[str, object],
    themes: Mapping[str, Iterable[str]] | None = None,
) -> list[str]:
    """The categories of a whole response: the union over its given answers."""
    codes: list[str] = []
    for qid, value in answers.items():
        question = questions.get(qid)
        if question is not None:
            codes.extend(answer_categories(question, value, (themes or {}).get(qid, ())))
    return _ordered(codes)
