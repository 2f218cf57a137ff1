"""Loading the demo data set (``fieldscan demo load``).

The answers in ``answers.yaml`` are invented (fictional towns, people and organisations).
Closed questions are answered at random but always through the survey engine, so every
demo response is one the engine accepts; the random generator is seeded, so a load is
reproducible.
"""

from __future__ import annotations

import logging
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from fieldscan import clock
from fieldscan.accounts.services import create_user, get_or_create_site
from fieldscan.extensions import db
from fieldscan.instruments.services import definition_of, get_version
from fieldscan.models import (
    Answer,
    Channel,
    Partner,
    PartnerRelationship,
    Response,
    ResponseStatus,
    Site,
    User,
)
from fieldscan.survey import Survey, next_step, validate_answer

logger = logging.getLogger(__name__)

CORPUS = Path(__file__).with_name("answers.yaml")
DEMO_SURVEYS = ("children_scan", "prenatal_scan")
DEMO_DOMAIN = "demo.fieldscan.invalid"
OPEN_QUESTIONS = ("trusted_messenger", "resources")


class DemoError(RuntimeError):
    """The demo data cannot be loaded (surveys not loaded, bad corpus)."""


@dataclass
class DemoReport:
    """What a demo load did."""

    responses: int = 0
    partners: int = 0
    users: dict[str, str] | None = None
    skipped: bool = False


def _closed_answer(
    rng: random.Random, survey: Survey, question, language: str, answers: dict
) -> object:
    """A random answer to a closed question that the engine accepts (None: skip it)."""
    kind = question.type
    if kind in ("select_one", "yes_no"):
        raw = rng.choice(question.choices).value
    elif kind == "select_multiple":
        values = [c.value for c in question.choices if c.value != "none"]
        raw = rng.sample(values, k=rng.randint(1, min(3, len(values)))) if values else []
    elif kind == "integer":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 20
        raw = str(rng.randint(int(low), int(high)))
    else:
        return None
    result = validate_answer(survey, question.id, raw, language, channel="web", answers=answers)
    return result.value if result.ok and not result.skipped else None


def _respond(rng: random.Random, survey: Survey, language: str, texts: dict[str, str]) -> dict:
    """Walk the survey like a respondent: every question the engine asks, in order."""
    answers: dict[str, object] = {}
    for _ in range(100):
        step = next_step(survey, answers, channel="web")
        if step.complete:
            break
        question = step.question
        if question.id in texts:
            answers[question.id] = texts[question.id]
        else:
            value = _closed_answer(rng, survey, question, language, answers)
            if value is None and question.required:
                value = _closed_answer(rng, survey, question, language, answers) or (
                    question.choices[0].value if question.choices else "demo"
                )
            answers[question.id] = value
    return answers


def load_demo(seed: int = 7) -> DemoReport:
    """Load the demo sites, partners, staff accounts and responses (once; idempotent).

    :raises DemoError: when the instruments are not loaded or the corpus is unusable.
    """
    corpus = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    if db.session.scalar(select(User.id).where(User.email.like(f"%@{DEMO_DOMAIN}"))):
        return DemoReport(skipped=True)
    versions = {sid: get_version(sid) for sid in DEMO_SURVEYS}
    if not all(versions.values()):
        raise DemoError("load the surveys first: fieldscan surveys load")
    rng = random.Random(seed)
    sites = {s["slug"]: get_or_create_site(s["slug"], s["name"]) for s in corpus["sites"]}
    report = DemoReport(users={})
    for role in ("admin", "leadership", "chw"):
        password = secrets.token_urlsafe(12)
        create_user(
            f"{role}@{DEMO_DOMAIN}", role, password, None if role == "admin" else next(iter(sites))
        )
        report.users[f"{role}@{DEMO_DOMAIN}"] = password
    for entry in corpus.get("partners", []):
        db.session.add(
            Partner(
                name=entry["name"],
                kind=entry["kind"],
                services=entry.get("services", []),
                relationship=PartnerRelationship(entry.get("relationship", "prospective")),
                mou=bool(entry.get("mou")),
                aliases=entry.get("aliases", []),
                site=sites.get(entry.get("site")),
            )
        )
        report.partners += 1
    report.responses = _load_responses(rng, corpus["answers"], versions, sites)
    db.session.commit()
    logger.info("demo data loaded: %s responses", report.responses)
    return report


#: How many respondents give each answer of the corpus. Short answers ("my mom", "wic")
#: come back again and again in a real scan; long ones, typed by a CHW, are rarely alike.
#: Together they make a scan of about a thousand respondents, enough for most report
#: figures to clear the small-cell rule, as a newcomer should see them.
REPEATS_SHORT, REPEATS_LONG, SHORT = 6, 2, 40


def _respondents(trusted: list[dict]):
    """(respondent number, trusted-messenger answer) for every demo respondent."""
    index = 0
    for entry in trusted:
        repeats = REPEATS_SHORT if len(entry["text"]) <= SHORT else REPEATS_LONG
        for _ in range(repeats):
            yield index, entry
            index += 1


def _load_responses(
    rng: random.Random, answers: dict, versions: dict, sites: dict[str, Site]
) -> int:
    trusted, resources = answers["trusted_messenger"], answers["resources"]
    # A respondent answers both questions in one language: pair answers by language.
    by_language: dict[str, list[dict]] = {}
    for entry in resources:
        by_language.setdefault(entry["language"], []).append(entry)
    now = clock.now()
    count = 0
    for index, first in _respondents(trusted):
        same = by_language.get(first["language"]) or resources
        second = same[(index * 7 + 3) % len(same)]
        version = versions[DEMO_SURVEYS[index % 2]]
        survey = definition_of(version)
        language = first["language"] if first["language"] in survey.languages else "en"
        texts = {"trusted_messenger": first["text"], "resources": second["text"]}
        values = _respond(rng, survey, language, texts)
        started = now - timedelta(days=rng.randint(1, 180), minutes=rng.randint(0, 600))
        response = Response(
            survey_version=version,
            channel=Channel(first.get("channel", "sms")),
            status=ResponseStatus.completed,
            language=language,
            site=sites.get(first.get("site")),
            started_at=started,
            finished_at=started + timedelta(minutes=rng.randint(3, 25)),
        )
        for question_id, value in values.items():
            response.answers.append(
                Answer(
                    question_id=question_id,
                    value=value,
                    language=language,
                    raw_text=value if question_id in OPEN_QUESTIONS else None,
                )
            )
        db.session.add(response)
        count += 1
    return count
