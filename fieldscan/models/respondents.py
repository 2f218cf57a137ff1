"""Respondents: the patients and families who answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, utcnow


class Respondent(db.Model):
    """A person who answers surveys; known by phone number on SMS, anonymous otherwise.

    The phone number is protected health information: only its ciphertext and a keyed
    hash (for look-up) are stored. See :mod:`fieldscan.respondents.vault`.
    """

    __tablename__ = "respondents"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The E.164 phone number, encrypted (Fernet); None for anonymous respondents.
    phone_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: HMAC-SHA256 of the E.164 number under the look-up key, hex.
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The language the respondent chose or last used.
    preferred_language: Mapped[str | None] = mapped_column(String(16))
    #: Whether the respondent has opted out of all messages.
    opted_out: Mapped[bool] = mapped_column(default=False)
    #: When they opted out (None when not opted out).
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the respondent was first seen.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        # Never the phone number, not even hashed.
        return f"<Respondent {self.id}>"
