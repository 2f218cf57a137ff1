"""A keyword shared by several languages leads to the numbered language menu."""

from __future__ import annotations

import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.instruments.services import load_surveys
from fieldscan.models import SessionState, SmsSession
from fieldscan.sms import texts
from tests.fixtures_sms import Phone

GREETING = """
id: greeting
title: {en: Greeting, es: Saludo}
languages: [en, es]
keywords: {en: [HOLA], es: [HOLA]}
messages:
  intro: {en: Two quick questions., es: Dos preguntas rapidas.}
questions:
  - id: favourite
    type: text
    label: {en: "What do you like most?", es: "Que le gusta mas?"}
"""


def _load(tmp_path):
    path = tmp_path / "greeting.yaml"
    path.write_text(GREETING, encoding="utf-8")
    load_surveys(path)


def test_shared_keyword_asks_for_the_language_then_starts(sms_app, tmp_path):
    _load(tmp_path)
    phone = Phone(sms_app.test_client(), "+14155550111")
    _, replies = phone.send("hola")
    assert texts.choose_language("en") in replies[0]
    assert "1 English\n2 Español" in replies[0]
    session = db.session.scalars(sa.select(SmsSession)).one()
    assert session.state is SessionState.choosing_language

    _, replies = phone.send("7")  # not on the menu: the menu again
    assert "1 English\n2 Español" in replies[0]

    _, replies = phone.send("2")
    assert replies == ["Dos preguntas rapidas.", "1/1 Que le gusta mas?"]
    _, replies = phone.send("la musica")
    db.session.remove()
    session = db.session.scalars(sa.select(SmsSession)).one()
    assert session.state is SessionState.closed and session.language == "es"
    assert session.response.answer_values() == {"favourite": "la musica"}


def test_a_known_preference_skips_the_menu(sms_app, tmp_path):
    _load(tmp_path)
    phone = Phone(sms_app.test_client(), "+14155550112")
    phone.send("ESPAÑOL")  # sets the preference without a survey
    _, replies = phone.send("HOLA")
    assert replies[-1] == "1/1 Que le gusta mas?"
