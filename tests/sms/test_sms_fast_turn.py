"""The fast answer turn changes nothing a conversation does: same replies, same stored rows.

Every conversation runs twice on the same frozen start time, once with the fast turn of
:mod:`fieldscan.sms.fast_turn` off and once on, from two different numbers; the replies of
each step and everything stored for each number (answers, sessions, responses, inbound
messages) must be identical. The conversations are the scenario fixtures and seeded random
mixes of answers, wrong answers, skip words, keywords, commands, language words and gaps.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from fieldscan import clock
from fieldscan.extensions import db
from fieldscan.models import Answer, AuditEvent, InboundSms, Response, SmsSession
from fieldscan.respondents.services import find_by_phone
from fieldscan.sms import fast_turn
from tests.fixtures_sms import START, Phone

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.yaml"))

# Texts a patient might send during children_scan, right or wrong for any question.
POOL = [
    "NINOS", "KIDS", "TRE EM", "1", "2", "3", "4", "5", "9", "a", "b", "1 4", "2,3", "si",
    "sí", "no", "yes", "Sí", "có", "không", "mi mama", "la promotora de la clinica",
    "el banco de comida y WIC", "SALTAR", "SKIP", "BỎ QUA", "ESPAÑOL", "ENGLISH",
    "TIẾNG VIỆT", "HELP", "STOP", "START", "", "???", "12", "0",
]  # fmt: skip


def _run(
    app, steps: list[dict], number_of, fast: bool, in_session: bool = False
) -> list[list[str]]:
    """Send the steps from the numbers ``number_of`` gives; the replies of every step.

    ``in_session``: each message arrives while the session holds a transaction, so the fast
    turn joins it instead of taking a connection of its own.
    """
    app.config["FIELDSCAN_SMS_FAST_TURNS"] = fast
    client = app.test_client()
    phones: dict[str, Phone] = {}
    replies = []
    with clock.freeze(START) as frozen:
        for step in steps:
            if "advance" in step:
                frozen.advance(**step["advance"])
                continue
            number = number_of(step.get("from", "+14155550101"))
            phone = phones.setdefault(number, Phone(client, number))
            if in_session:
                db.session.execute(sa.text("SELECT 1"))
                assert db.session().in_transaction()
            status, texts = phone.send(str(step["send"]))
            assert status == 200
            replies.append(texts)
    return replies


def _stored(number: str) -> dict:
    """Everything stored for one number, without ids (the two runs' ids differ)."""
    respondent = find_by_phone(number)
    if respondent is None:
        return {}
    sessions = db.session.scalars(
        sa.select(SmsSession)
        .where(SmsSession.respondent_id == respondent.id)
        .order_by(SmsSession.id)
    ).all()
    responses = db.session.scalars(
        sa.select(Response).where(Response.respondent_id == respondent.id).order_by(Response.id)
    ).all()
    answers = [
        db.session.execute(
            sa.select(
                Answer.question_id,
                Answer.raw_text,
                Answer.value,
                Answer.language,
                Answer.created_at,
                Answer.updated_at,
            )
            .where(Answer.response_id == response.id)
            .order_by(Answer.id)
        ).all()
        for response in responses
    ]
    inbound = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(InboundSms)
        .where(InboundSms.respondent_id == respondent.id)
    )
    audit = db.session.execute(
        sa.select(
            AuditEvent.occurred_at,
            AuditEvent.actor_id,
            AuditEvent.actor_label,
            AuditEvent.action,
            AuditEvent.site_id,
            AuditEvent.details,
        )
        .where(
            AuditEvent.object_type == "sms_session",
            AuditEvent.object_id.in_([str(s.id) for s in sessions]),
        )
        .order_by(AuditEvent.id)
    ).all()
    return {
        "respondent": (
            respondent.opted_out,
            respondent.opted_out_at,
            respondent.preferred_language,
            respondent.created_at,
        ),
        "audit": audit,
        "sessions": [
            (
                s.state,
                s.language,
                s.current_question_id,
                s.attempts,
                s.started_at,
                s.last_activity_at,
                s.closed_at,
                s.closed_reason,
                s.reminded_at,
                s.reminders,
                s.response is not None,
            )
            for s in sessions
        ],
        "responses": [
            (
                r.status,
                r.language,
                r.channel,
                r.site_id,
                r.interviewer_id,
                r.content_hash,
                r.started_at,
                r.finished_at,
                r.updated_at,
                len(r.uuid),
            )
            for r in responses
        ],
        "answers": answers,
        "inbound": inbound,
    }


def _compare(app, steps: list[dict], in_session: bool = False) -> int:
    """Run ``steps`` slow then fast from different numbers; assert all is equal."""
    numbers = sorted({step.get("from", "+14155550101") for step in steps if "send" in step})

    def slow(n: str) -> str:
        return "+1628" + n[5:]

    def fast(n: str) -> str:
        return "+1707" + n[5:]

    calls = []
    original = fast_turn.take_answer_turn

    def counting(*args):
        result = original(*args)
        calls.append(result is not None)
        return result

    slow_replies = _run(app, steps, slow, fast=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("fieldscan.sms.conversation.take_answer_turn", counting)
        fast_replies = _run(app, steps, fast, fast=True, in_session=in_session)
    assert fast_replies == slow_replies
    db.session.expire_all()
    for number in numbers:
        assert _stored(fast(number)) == _stored(slow(number)), number
    return sum(calls)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenarios_are_the_same_with_the_fast_turn(path: Path, sms_app):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    taken = _compare(sms_app, scenario["steps"])
    if "complete" in path.stem:
        assert taken >= 5  # most turns of a whole survey are plain answers


@pytest.mark.parametrize("in_session", [False, True], ids=["own_connection", "in_session"])
def test_random_conversations_are_the_same_with_the_fast_turn(sms_app, in_session):
    generator = random.Random(20261122)
    taken = 0
    for conversation in range(12):
        number = f"+1415555{conversation:04d}"
        steps: list[dict] = [
            {"send": generator.choice(["NINOS", "KIDS", "TRE EM"]), "from": number}
        ]
        for _ in range(18):
            if generator.random() < 0.08:
                steps.append({"advance": {"hours": generator.choice([1, 30, 80])}})
            # Answers that fit are likelier than noise, so conversations get far.
            text = generator.choice(POOL[3:14] * 3 + POOL)
            steps.append({"send": text, "from": number})
        taken += _compare(sms_app, steps, in_session=in_session)
    assert taken > 30  # the fast turn was really exercised
