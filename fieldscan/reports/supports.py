"""The 14 Medi-Cal Community Supports (CalAIM, DHCS Community Supports Policy Guide) and the
resource themes of the ``resources`` taxonomy whose needs each can meet.

A static, reviewed mapping (no inference): a theme maps to a support when a patient naming
that kind of resource describes a need the support pays for. Themes with no support here
(school and youth, library, legal and immigration help, income and jobs, transportation,
which Medi-Cal covers as a benefit, not a Community Support) are listed as "no Community
Support" on the resources page, so unmet needs stay visible. Edit with the clinic's CalAIM
lead; the keys are taxonomy label ids, the names are shown through ``fieldscan.i18n._``.
"""

from __future__ import annotations

from fieldscan.i18n import lazy_gettext

#: (support id, name), in the DHCS guide's order.
SUPPORTS = [
    ("housing_navigation", lazy_gettext("Housing Transition Navigation Services")),
    ("housing_deposits", lazy_gettext("Housing Deposits")),
    ("housing_tenancy", lazy_gettext("Housing Tenancy and Sustaining Services")),
    ("post_hospital_housing", lazy_gettext("Short-Term Post-Hospitalization Housing")),
    ("recuperative_care", lazy_gettext("Recuperative Care (Medical Respite)")),
    ("respite", lazy_gettext("Respite Services")),
    ("day_habilitation", lazy_gettext("Day Habilitation Programs")),
    (
        "assisted_living",
        lazy_gettext("Nursing Facility Transition/Diversion to Assisted Living Facilities"),
    ),
    (
        "community_transition",
        lazy_gettext("Community Transition Services/Nursing Facility Transition to a Home"),
    ),  # noqa: E501
    ("personal_care", lazy_gettext("Personal Care and Homemaker Services")),
    (
        "home_modifications",
        lazy_gettext("Environmental Accessibility Adaptations (Home Modifications)"),
    ),
    ("meals", lazy_gettext("Medically Tailored Meals/Medically-Supportive Food")),
    ("sobering_centers", lazy_gettext("Sobering Centers")),
    ("asthma_remediation", lazy_gettext("Asthma Remediation")),
]

#: Support id -> the resource themes whose needs it meets.
THEMES_BY_SUPPORT = {
    "housing_navigation": ["housing"],
    "housing_deposits": ["housing"],
    "housing_tenancy": ["housing"],
    "post_hospital_housing": ["housing"],
    "recuperative_care": ["housing"],
    "respite": ["caregiving_home"],
    "day_habilitation": ["caregiving_home", "behavioral_health"],
    "assisted_living": ["caregiving_home"],
    "community_transition": ["caregiving_home", "housing"],
    "personal_care": ["caregiving_home"],
    "home_modifications": ["caregiving_home"],
    "meals": ["food", "prenatal_parenting"],
    "sobering_centers": ["behavioral_health"],
    "asthma_remediation": ["housing", "child_safety"],
}


def unsupported(themes: list[str]) -> list[str]:
    """The themes no Community Support meets (``none`` left out)."""
    covered = {t for themes_ in THEMES_BY_SUPPORT.values() for t in themes_}
    return [t for t in themes if t not in covered and t != "none"]
