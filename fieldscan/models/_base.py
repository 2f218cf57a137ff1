"""Shared column helpers for the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, TypeDecorator

from fieldscan import clock


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (from :mod:`fieldscan.clock`)."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no time zone, so naive values read back are marked UTC here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: D102
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; fieldscan stores aware UTC timestamps")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):  # noqa: D102
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: a short string with a CHECK constraint, not a native type."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
