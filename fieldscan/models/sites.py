"""Sites: the clinics and places where a health center runs its scan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fieldscan.extensions import db
from fieldscan.models._base import UTCDateTime, utcnow


class Site(db.Model):
    """A clinic site; users, responses and partners belong to one."""

    __tablename__ = "sites"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short stable identifier used in URLs, exports and the command line.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    #: Display name.
    name: Mapped[str] = mapped_column(String(200))
    #: When the site was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Site {self.id} {self.slug}>"
