"""Finding and creating respondents by phone number."""

from __future__ import annotations

import phonenumbers
from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from fieldscan.extensions import db
from fieldscan.models import Respondent
from fieldscan.respondents.vault import PhoneVault


class InvalidPhoneNumberError(ValueError):
    """The text is not a phone number that can receive messages."""


def normalize_phone(text: str, region: str = "US") -> str:
    """Return ``text`` as an E.164 number, or raise :class:`InvalidPhoneNumberError`."""
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumberError(str(exc)) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumberError("not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# Built once: statement construction costs more than the look-up itself.
_BY_HASH = select(Respondent).where(Respondent.phone_hash == bindparam("digest"))


def vault() -> PhoneVault:
    """The phone vault of the current app."""
    return current_app.extensions["fieldscan.vault"]


def find_by_phone(phone: str) -> Respondent | None:
    """The respondent with this number, if any."""
    digest = vault().lookup_hash(normalize_phone(phone))
    return db.session.scalars(_BY_HASH, {"digest": digest}).first()


def get_or_create_by_phone(phone: str, language: str | None = None) -> Respondent:
    """The respondent with this number, created (encrypted) when new.

    Safe against two requests creating the same number at once: the unique keyed hash
    decides, and the loser reads the winner's row.
    """
    e164 = normalize_phone(phone)
    box = vault()
    digest = box.lookup_hash(e164)
    found = db.session.scalars(_BY_HASH, {"digest": digest}).first()
    if found is not None:
        return found
    respondent = Respondent(
        phone_ciphertext=box.encrypt(e164), phone_hash=digest, preferred_language=language
    )
    try:
        with db.session.begin_nested():
            db.session.add(respondent)
    except IntegrityError:
        return db.session.scalars(_BY_HASH, {"digest": digest}).one()
    return respondent


def phone_of(respondent: Respondent) -> str | None:
    """Decrypt the respondent's number (for sending messages only; never log it)."""
    if respondent.phone_ciphertext is None:
        return None
    return vault().decrypt(respondent.phone_ciphertext)
