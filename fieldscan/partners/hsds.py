"""Reading Open Referral HSDS CSV files (the resource directories 211s publish).

The Human Services Data Specification (HSDS) publishes a directory as one CSV per table;
two are read here: ``organizations.csv`` and, optionally, ``services.csv``. Column names
are read tolerantly (case, spaces and hyphens do not matter; HSDS 3.0's ``website`` is
2.0's ``url``; a ``taxonomy``/``taxonomy_terms``/``keywords`` column of services is used
for mapping when present). Required: ``organizations.id``, ``organizations.name``,
``services.id``, ``services.organization_id``, ``services.name``.

Pure: bytes in, :class:`HsdsOrganization` objects out, or :class:`HsdsError` listing every
problem found (all files, all rows), so that nothing is imported from a file with a bad
row. Each service is mapped to the partner inventory's ``services`` values by a small
keyword table (:data:`SERVICE_KEYWORDS`); the organisation's kind is guessed from its
name, then from its services (:func:`guess_kind`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fieldscan.partners.matching import fold

#: Largest file read, in bytes.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Longest organisation name or alternate name kept (the registry's column sizes).
MAX_NAME = 300
#: Longest organisation id kept.
MAX_ID = 200

ORGANIZATION_COLUMNS = ("id", "name")
SERVICE_COLUMNS = ("id", "organization_id", "name")

#: Other spellings of the columns read, as normalized by :func:`column_name`.
ORGANIZATION_SYNONYMS = {
    "website": "url",
    "organization_name": "name",
    "alternative_name": "alternate_name",
    "alternate_names": "alternate_name",
}
SERVICE_SYNONYMS = {
    "organizationid": "organization_id",
    "org_id": "organization_id",
    "service_name": "name",
    "alternative_name": "alternate_name",
    "taxonomy_terms": "taxonomy",
    "taxonomy_term": "taxonomy",
    "taxonomies": "taxonomy",
    "categories": "taxonomy",
    "category": "taxonomy",
    "keyword": "keywords",
}

#: HSDS service statuses that mean the service is not offered.
INACTIVE_STATUSES = frozenset({"inactive", "defunct", "closed"})

#: Partner inventory ``services`` values and the words (folded: ASCII, lower case, no
#: punctuation) that clearly name them in a service's name, alternate name, taxonomy or
#: keywords. A phrase matches whole words only; ``exclude`` phrases veto a value.
SERVICE_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "medically_tailored_meals": {
        "include": ("medically tailored", "medically supportive food", "medical nutrition"),
    },
    "food_assistance": {
        "include": (
            "food pantry",
            "food pantries",
            "food bank",
            "food banks",
            "food distribution",
            "food assistance",
            "emergency food",
            "groceries",
            "grocery",
            "soup kitchen",
            "free meals",
            "congregate meals",
            "home delivered meals",
            "meals on wheels",
            "calfresh",
            "snap",
            "wic",
            "food stamps",
            "despensa",
            "banco de comida",
        ),
    },
    "transportation": {
        "include": (
            "transportation",
            "medical transport",
            "rides",
            "bus pass",
            "bus passes",
            "paratransit",
            "transporte",
            "gas card",
            "gas cards",
            "taxi voucher",
            "taxi vouchers",
        ),
    },
    "ihss": {"include": ("in home supportive", "ihss")},
    "cbas": {
        "include": (
            "community based adult services",
            "cbas",
            "adult day health",
            "adult day care",
            "adult day program",
            "adult day programs",
        ),
    },
    "housing_navigation": {
        "include": (
            "housing navigation",
            "housing navigator",
            "housing search",
            "housing placement",
            "housing transition",
            "homeless services",
            "homelessness services",
            "rapid rehousing",
            "rapid re housing",
        ),
    },
    "housing_deposits": {
        "include": (
            "housing deposit",
            "housing deposits",
            "security deposit",
            "security deposits",
            "move in assistance",
            "move in costs",
        ),
    },
    "housing_tenancy": {
        "include": (
            "tenancy",
            "eviction prevention",
            "rental assistance",
            "rent assistance",
            "tenant rights",
            "tenants rights",
        ),
    },
    "post_hospital_housing": {
        "include": ("post hospitalization housing", "post hospital housing", "interim housing"),
    },
    "recuperative_care": {"include": ("recuperative care", "medical respite")},
    "day_habilitation": {"include": ("day habilitation",)},
    "caregiver_respite": {
        "include": ("respite", "caregiver support"),
        "exclude": ("medical respite",),
    },
    "assisted_living_transition": {
        "include": (
            "assisted living",
            "nursing facility transition",
            "nursing home transition",
            "nursing facility diversion",
        ),
    },
    "community_transition": {"include": ("community transition",)},
    "personal_care": {"include": ("personal care", "homemaker", "chore services")},
    "home_modifications": {
        "include": (
            "home modification",
            "home modifications",
            "accessibility adaptation",
            "accessibility adaptations",
            "wheelchair ramp",
            "wheelchair ramps",
            "home accessibility",
        ),
    },
    "sobering_center": {"include": ("sobering",)},
    "asthma_remediation": {"include": ("asthma",)},
    "early_literacy": {
        "include": (
            "early literacy",
            "family literacy",
            "story time",
            "storytime",
            "reading program",
            "reach out and read",
        ),
    },
    "youth_activities": {
        "include": (
            "youth",
            "after school",
            "afterschool",
            "mentoring",
            "summer camp",
            "summer camps",
            "boys and girls club",
        ),
    },
    "childbirth_parenting": {
        "include": (
            "parenting",
            "childbirth",
            "prenatal class",
            "prenatal classes",
            "birth education",
            "newborn care",
        ),
    },
    "doula": {"include": ("doula", "doulas")},
    "breastfeeding": {
        "include": ("breastfeeding", "breast feeding", "lactation", "chestfeeding"),
    },
    "home_visiting": {
        "include": ("home visiting", "home visitation", "home visits", "nurse family partnership"),
    },
    "car_seat_check": {
        "include": ("car seat", "car seats", "carseat", "child passenger safety"),
    },
}

#: Partner inventory ``org_kind`` values and words of an organisation's name that name
#: them, most specific first ("County Public Health Clinic" is public health).
KIND_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("public_health", ("public health", "health department", "department of health")),
    ("behavioral_health", ("behavioral health", "mental health", "counseling", "recovery")),
    ("child_welfare", ("child welfare", "children and family services", "child protective")),
    ("fire_police", ("fire department", "fire station", "fire protection", "police", "sheriff")),
    ("library", ("library", "libraries", "biblioteca")),
    (
        "food_assistance",
        ("food bank", "food pantry", "banco de comida", "despensa", "meals on wheels"),
    ),
    (
        "faith",
        (
            "church",
            "iglesia",
            "parish",
            "parroquia",
            "temple",
            "mosque",
            "masjid",
            "synagogue",
            "pagoda",
            "chua",
            "ministries",
            "ministry",
            "congregation",
            "cathedral",
            "chapel",
        ),
    ),
    ("school", ("school", "escuela", "elementary", "academy", "preschool", "head start")),
    ("midwifery", ("midwife", "midwives", "midwifery", "birth center")),
    ("doula", ("doula", "doulas")),
    ("breastfeeding", ("breastfeeding", "lactation")),
    ("home_visiting", ("home visiting", "nurse family partnership")),
    ("childbirth_parenting", ("parenting", "childbirth")),
    ("early_literacy_youth", ("youth", "boys and girls club", "literacy")),
    ("clinic_hospital", ("hospital", "clinic", "clinica", "medical center", "health center")),
    ("media", ("radio", "television", "newspaper", "gazette")),
)

#: The kind an organisation gets from its services when its name says nothing.
KIND_OF_SERVICE = {
    "food_assistance": "food_assistance",
    "medically_tailored_meals": "food_assistance",
    "doula": "doula",
    "breastfeeding": "breastfeeding",
    "home_visiting": "home_visiting",
    "childbirth_parenting": "childbirth_parenting",
    "early_literacy": "early_literacy_youth",
    "youth_activities": "early_literacy_youth",
}

#: English text of each problem (``{file}``, ``{row}`` and the problem's own parameters).
MESSAGES = {
    "too_large": "the file is larger than {limit} MB",
    "not_utf8": "is not UTF-8 text (byte {byte}); save it as CSV UTF-8",
    "empty": "the file is empty",
    "no_rows": "the file has no rows",
    "missing_column": "missing required column '{column}'",
    "duplicate_column": "column '{column}' appears twice",
    "bad_csv": "cannot be read as CSV: {detail}",
    "extra_fields": "has more fields than the header",
    "empty_value": "{column} is empty",
    "too_long": "{column} is longer than {max} characters",
    "duplicate_id": "id '{value}' is already used on row {first}",
    "unknown_organization": "organization_id '{value}' does not exist in {organizations}",
}


@dataclass(frozen=True)
class HsdsIssue:
    """One problem in an HSDS file: which file and row (None: the whole file), and what."""

    file: str
    row: int | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}: row {self.row}"
        return f"{where}: {MESSAGES[self.code].format(**self.params)}"


class HsdsError(ValueError):
    """The files cannot be imported; ``issues`` lists every problem found."""

    def __init__(self, issues: list[HsdsIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass(frozen=True)
class HsdsService:
    """One row of ``services.csv``."""

    id: str
    name: str
    active: bool
    #: Partner inventory ``services`` values its name, taxonomy or keywords clearly name.
    values: tuple[str, ...]


@dataclass(frozen=True)
class HsdsOrganization:
    """One row of ``organizations.csv`` with its services."""

    row: int
    id: str
    name: str
    alternate_names: tuple[str, ...] = ()
    url: str = ""
    email: str = ""
    services: tuple[HsdsService, ...] = ()

    @property
    def service_values(self) -> list[str]:
        """The inventory ``services`` values of its active services, in inventory order."""
        found = {value for service in self.services if service.active for value in service.values}
        return [value for value in SERVICE_KEYWORDS if value in found]

    @property
    def unmatched_services(self) -> list[str]:
        """Names of its active services that map to no inventory value."""
        return [s.name for s in self.services if s.active and not s.values]

    @property
    def kind(self) -> str:
        """The inventory ``org_kind`` value guessed for it."""
        return guess_kind(self.name, self.service_values)


def column_name(header: str) -> str:
    """A header as compared: trimmed, case-folded, spaces, dots and hyphens as ``_``."""
    text = header.strip().lstrip("\ufeff").casefold()
    for char in " -./":
        text = text.replace(char, "_")
    return "_".join(part for part in text.split("_") if part)


def _contains(text: str, phrase: str) -> bool:
    return f" {phrase} " in f" {text} "


def map_service(*texts: str) -> tuple[str, ...]:
    """The inventory ``services`` values clearly named in a service's texts.

    >>> map_service("Emergency Food Pantry", "Food Pantries")
    ('food_assistance',)
    >>> map_service("Tax preparation help")
    ()
    """
    text = " ".join(fold(t) for t in texts if t)
    return tuple(
        value
        for value, rule in SERVICE_KEYWORDS.items()
        if any(_contains(text, p) for p in rule["include"])
        and not any(_contains(text, p) for p in rule.get("exclude", ()))
    )


def guess_kind(name: str, service_values: list[str] | tuple[str, ...] = ()) -> str:
    """The inventory ``org_kind`` value an organisation most likely has; ``other`` if unsure."""
    text = fold(name)
    for kind, phrases in KIND_KEYWORDS:
        if any(_contains(text, phrase) for phrase in phrases):
            return kind
    for value in service_values:
        if value in KIND_OF_SERVICE:
            return KIND_OF_SERVICE[value]
    return "other"


# --- reading ------------------------------------------------------------------------------


def _decode(data: bytes, file: str, max_bytes: int) -> tuple[str | None, list[HsdsIssue]]:
    if len(data) > max_bytes:
        limit = f"{max_bytes / (1024 * 1024):g}"
        return None, [HsdsIssue(file, None, "too_large", {"limit": limit})]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [HsdsIssue(file, None, "not_utf8", {"byte": exc.start})]
    if not text.strip():
        return None, [HsdsIssue(file, None, "empty")]
    return text, []


def _rows(
    text: str, file: str, required: tuple[str, ...], synonyms: dict[str, str]
) -> tuple[list[tuple[int, dict[str, str]]], list[HsdsIssue]]:
    """The rows as ``(row number, {column: value})``; header row is row 1."""
    reader = csv.reader(io.StringIO(text, newline=""))
    issues: list[HsdsIssue] = []
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        return [], [HsdsIssue(file, 1, "bad_csv", {"detail": str(exc) or "no header"})]
    names = [column_name(raw) for raw in header]
    columns: list[str | None] = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            issues.append(HsdsIssue(file, None, "duplicate_column", {"column": name}))
        canonical: str | None = synonyms.get(name, name)
        if canonical != name and (canonical in names or canonical in columns):
            canonical = None  # the column's own name, or an earlier synonym, wins
        columns.append(canonical)
        seen.add(name)
    for column in required:
        if column not in columns:
            issues.append(HsdsIssue(file, None, "missing_column", {"column": column}))
    if issues:
        return [], issues
    rows: list[tuple[int, dict[str, str]]] = []
    number = 1
    while True:
        number += 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            issues.append(HsdsIssue(file, number, "bad_csv", {"detail": str(exc)}))
            break
        if not any(v.strip() for v in values):
            continue  # a blank line
        if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
            issues.append(HsdsIssue(file, number, "extra_fields"))
            continue
        row = {
            column: value.strip()
            for column, value in zip(columns, values, strict=False)
            if column is not None
        }
        rows.append((number, row))
    if not rows and not issues:
        issues.append(HsdsIssue(file, None, "no_rows"))
    return rows, issues


def _check_value(
    file: str, number: int, row: dict[str, str], column: str, max_length: int
) -> Iterator[HsdsIssue]:
    value = row.get(column, "")
    if not value:
        yield HsdsIssue(file, number, "empty_value", {"column": column})
    elif len(value) > max_length:
        yield HsdsIssue(file, number, "too_long", {"column": column, "max": max_length})


def _split_names(value: str) -> tuple[str, ...]:
    names = (" ".join(part.split()) for part in value.split(";"))
    return tuple(dict.fromkeys(n for n in names if n))


def read_hsds(
    organizations: bytes,
    services: bytes | None = None,
    *,
    organizations_name: str = "organizations.csv",
    services_name: str = "services.csv",
    max_bytes: int = MAX_FILE_BYTES,
) -> list[HsdsOrganization]:
    """Read and check HSDS ``organizations.csv`` (and ``services.csv``); all or nothing.

    :param organizations: the file's bytes (UTF-8, with or without a byte-order mark).
    :param services: the services file's bytes, or None.
    :param organizations_name: the file name used in messages; likewise ``services_name``.
    :raises HsdsError: listing every problem in every file; nothing is returned then.
    """
    issues: list[HsdsIssue] = []
    org_text, found = _decode(organizations, organizations_name, max_bytes)
    issues += found
    org_rows: list[tuple[int, dict[str, str]]] = []
    if org_text is not None:
        org_rows, found = _rows(
            org_text, organizations_name, ORGANIZATION_COLUMNS, ORGANIZATION_SYNONYMS
        )
        issues += found

    first_row: dict[str, int] = {}
    for number, row in org_rows:
        for column, limit in (("id", MAX_ID), ("name", MAX_NAME)):
            issues += _check_value(organizations_name, number, row, column, limit)
        for alternate in _split_names(row.get("alternate_name", "")):
            if len(alternate) > MAX_NAME:
                params = {"column": "alternate_name", "max": MAX_NAME}
                issues.append(HsdsIssue(organizations_name, number, "too_long", params))
        org_id = row.get("id", "")
        if org_id and org_id in first_row:
            params = {"value": org_id, "first": first_row[org_id]}
            issues.append(HsdsIssue(organizations_name, number, "duplicate_id", params))
        elif org_id:
            first_row[org_id] = number

    services_by_org: dict[str, list[HsdsService]] = {}
    if services is not None:
        svc_text, found = _decode(services, services_name, max_bytes)
        issues += found
        svc_rows: list[tuple[int, dict[str, str]]] = []
        if svc_text is not None:
            svc_rows, found = _rows(svc_text, services_name, SERVICE_COLUMNS, SERVICE_SYNONYMS)
            issues += found
        known_orgs = org_text is not None and bool(org_rows)
        seen_services: dict[str, int] = {}
        for number, row in svc_rows:
            for column in SERVICE_COLUMNS:
                issues += _check_value(services_name, number, row, column, 10_000)
            service_id, org_id = row.get("id", ""), row.get("organization_id", "")
            if service_id and service_id in seen_services:
                params = {"value": service_id, "first": seen_services[service_id]}
                issues.append(HsdsIssue(services_name, number, "duplicate_id", params))
            elif service_id:
                seen_services[service_id] = number
            if org_id and known_orgs and org_id not in first_row:
                params = {"value": org_id, "organizations": organizations_name}
                issues.append(HsdsIssue(services_name, number, "unknown_organization", params))
            status = row.get("status", "").casefold().replace("_", " ")
            service = HsdsService(
                id=service_id,
                name=" ".join(row.get("name", "").split()),
                active=not any(word in status for word in INACTIVE_STATUSES),
                values=map_service(
                    row.get("name", ""),
                    row.get("alternate_name", ""),
                    row.get("taxonomy", ""),
                    row.get("keywords", ""),
                ),
            )
            services_by_org.setdefault(org_id, []).append(service)

    if issues:
        order = {organizations_name: 0, services_name: 1}
        raise HsdsError(sorted(issues, key=lambda i: (order.get(i.file, 2), i.row or 0)))
    return [
        HsdsOrganization(
            row=number,
            id=row["id"],
            name=" ".join(row["name"].split()),
            alternate_names=_split_names(row.get("alternate_name", "")),
            url=row.get("url", ""),
            email=row.get("email", ""),
            services=tuple(services_by_org.get(row["id"], ())),
        )
        for number, row in org_rows
    ]
