"""SMS conversations as scenario fixtures: messages in; replies and stored answers out.

Each ``scenarios/*.yaml`` file is one conversation on a frozen clock, driven through the
real webhook with real Twilio signatures. Expectations name what a reply must say (a
question, progress, a system message) in the conversation's language, so the scenarios
hold in every language without copying translations into the tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from fieldscan.extensions import db
from fieldscan.locales import translate
from fieldscan.models import Respondent, Response, SessionState, SmsSession
from fieldscan.respondents.services import find_by_phone
from fieldscan.sms import texts
from fieldscan.sms.render import render_question_sms
from fieldscan.survey import Survey
from tests.fixtures_sms import Phone

MARK = "\x00"
SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.yaml"))


def _survey(survey_id: str) -> Survey:
    from fieldscan.instruments.services import definition_of, get_version

    return definition_of(get_version(survey_id))


def _says(name: str, language: str, app, survey: Survey | None) -> str:
    program = app.config["FIELDSCAN_PROGRAM_NAME"]
    if name.startswith("error:"):
        return translate(language, name.removeprefix("error:"))
    table = {
        "intro": lambda: survey.text("intro", language),
        "completion": lambda: survey.text("completion", language),
        "stop": lambda: texts.stop_confirmation(language, program),
        "help": lambda: texts.help_reply(language, program, app.config["FIELDSCAN_CONTACT"]),
        "menu": lambda: texts.choose_language(language),
        "language_changed": lambda: texts.language_changed(language),
        "skip_hint": lambda: texts.skip_hint(language),
        # Texts with a keyword list: the part before the list (the list varies).
        "unknown": lambda: texts.unknown_sender(language, MARK).split(MARK)[0].strip(),
        "expired": lambda: texts.session_expired(language, MARK).split(MARK)[0].strip(),
        "start": lambda: texts.start_confirmation(language, MARK).split(MARK)[0].strip(),
    }
    return table[name]()


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path, sms_app, frozen):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    client = sms_app.test_client()
    phones: dict[str, Phone] = {}
    survey = _survey(scenario["survey"]) if scenario.get("survey") else None
    language = scenario.get("language", "en")
    default_number = scenario.get("phone", "+14155550101")

    for index, step in enumerate(scenario["steps"], start=1):
        where = f"{path.name} step {index}"
        if "advance" in step:
            frozen.advance(**step["advance"])
            continue
        number = step.get("from", default_number)
        phone = phones.setdefault(number, Phone(client, number))
        status, replies = phone.send(str(step["send"]), sid=step.get("sid"))
        assert status == 200, where
        expect = step.get("expect", {})
        language = expect.get("language", language)
        joined = "\n".join(replies)
        if expect.get("silent"):
            assert replies == [], f"{where}: expected silence, got {replies}"
        if "replies" in expect:
            assert len(replies) == expect["replies"], f"{where}: {replies}"
        if "asks" in expect:
            question = survey.question(expect["asks"])
            label = question.text("label", language)
            assert label in joined, f"{where}: expected question {expect['asks']!r}: {joined!r}"
            if question.type in ("select_one", "select_multiple", "yes_no"):
                expected = render_question_sms(survey, question, language)
                assert expected.split("\n", 1)[1] in joined, f"{where}: choices missing"
        if "progress" in expect:
            assert (
                joined.startswith(expect["progress"] + " ")
                or ("\n" + expect["progress"] + " " in joined)
                or any(r.startswith(expect["progress"] + " ") for r in replies)
            ), f"{where}: progress {expect['progress']} missing in {joined!r}"
        for name in expect.get("says", []):
            text = _says(name, language, sms_app, survey)
            assert text and text in joined, f"{where}: expected {name!r} ({text!r}) in {joined!r}"
        for fragment in expect.get("contains", []):
            assert fragment in joined, f"{where}: expected {fragment!r} in {joined!r}"
        for fragment in expect.get("not_contains", []):
            assert fragment not in joined, f"{where}: unexpected {fragment!r} in {joined!r}"

    _check_final(scenario.get("final", {}), default_number)


def _check_final(final: dict, number: str) -> None:
    db.session.remove()
    respondent = find_by_phone(number)
    if "opted_out" in final:
        assert respondent.opted_out is final["opted_out"]
    if "open_sessions" in final:
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SmsSession)
            .where(SmsSession.state != SessionState.closed)
        )
        assert count == final["open_sessions"]
    if "responses" in final:
        responses = db.session.scalars(
            sa.select(Response).where(Response.respondent_id == respondent.id).order_by(Response.id)
        ).all()
        assert len(responses) == len(final["responses"]), responses
        for response, expected in zip(responses, final["responses"], strict=True):
            assert response.status.value == expected["status"]
            if "language" in expected:
                assert response.language == expected["language"]
            if "answers" in expected:
                assert response.answer_values() == expected["answers"]
            if "answered" in expected:
                assert sorted(response.answer_values()) == sorted(expected["answered"])
    if "respondents" in final:
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(Respondent))
            == final["respondents"]
        )
