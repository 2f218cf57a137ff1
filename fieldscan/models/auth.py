"""Server-side login sessions of staff members.

The browser's cookie holds only a random token; the server keeps its SHA-256 here, so a
session can be ended on the server (logout, idle time-out, a deactivated account) and a
copied cookie stops working at once.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, str_enum, utcnow
from fieldscan.models.users import User


class SessionEndReason(enum.Enum):
    """Why a login session ended."""

    logout = "logout"  #: the user signed out
    idle = "idle"  #: no activity for longer than the idle time-out (automatic logoff)
    expired = "expired"  #: older than the absolute session lifetime
    replaced = "replaced"  #: a new sign-in in the same browser took its place
    disabled = "disabled"  #: the account was deactivated


class LoginSession(db.Model):
    """One sign-in of a staff member, from login until it ends."""

    __tablename__ = "login_sessions"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 (hex) of the random token in the session cookie; never the token itself.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Who signed in.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: When the user signed in.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last request seen (updated at most once a minute).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the session ended; None while it is live.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why it ended.
    ended_reason: Mapped[SessionEndReason | None] = mapped_column(
        str_enum(SessionEndReason, "login_session_end_reason")
    )
    #: The client's address at sign-in.
    ip: Mapped[str | None] = mapped_column(String(45))
    #: The client's User-Agent at sign-in, shortened.
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()

    @hybrid_property
    def is_open(self) -> bool:
        """Whether the session has not ended (it may still be idle for too long)."""
        return self.ended_at is None

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return cls.ended_at.is_(None)

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} user={self.user_id}>"


class DeviceToken(db.Model):
    """A device token: lets a tablet or a script call the JSON API as one staff member.

    ``fieldscan tokens create`` shows the token once; the server keeps only its SHA-256.
    A token works while it is not revoked and its user is active.
    """

    __tablename__ = "device_tokens"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The staff member the token acts as.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: SHA-256 (hex) of the token; never the token itself.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: A label to tell a user's tokens apart (``tablet 3``); may be empty.
    name: Mapped[str] = mapped_column(String(100), default="")
    #: When the token was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last API request made with it (updated at most once a minute); None if unused.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When it was revoked; None while it works.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @hybrid_property
    def is_live(self) -> bool:
        """Whether the token has not been revoked (its user may still be inactive)."""
        return self.revoked_at is None

    @is_live.inplace.expression
    @classmethod
    def _is_live_expression(cls):
        return cls.revoked_at.is_(None)

    def __repr__(self) -> str:
        return f"<DeviceToken {self.id} user={self.user_id}>"
