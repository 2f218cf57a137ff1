"""Staff accounts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, str_enum, utcnow
from fieldscan.models.sites import Site


class Role(enum.Enum):
    """What a staff member may do."""

    chw = "chw"  #: community health worker: interviews at their own site
    leadership = "leadership"  #: reads reports of their sites
    admin = "admin"  #: manages users, sites and surveys


class User(db.Model):
    """A staff member who signs in (patients never have accounts)."""

    __tablename__ = "users"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Sign-in name, stored lower-case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Argon2id hash (``$argon2id$...``); never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: What the user may do.
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    #: The site a CHW or site leader belongs to; None for organisation-wide users.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    #: Inactive users cannot sign in.
    active: Mapped[bool] = mapped_column(default=True)
    #: When the account was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    site: Mapped[Site | None] = relationship()

    # Flask-Login's user protocol (the signed-in user is this model, see accounts/auth.py).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Whether the account may sign in (Flask-Login)."""
        return bool(self.active)

    def get_id(self) -> str:
        """The user's id as text (Flask-Login); the session cookie holds a token instead."""
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"
