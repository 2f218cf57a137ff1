"""The one source of the current time, so tests can freeze it.

Everything that stores or compares a time calls :func:`now`; tests replace the clock with
:func:`freeze` (or monkeypatch ``_source``) rather than patching ``datetime``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime


def _system_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system_now


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return _source()


@contextmanager
def freeze(moment: datetime) -> Iterator[FrozenClock]:
    """Freeze :func:`now` at ``moment`` (aware) inside the block; ``advance`` moves it."""
    global _source
    clock = FrozenClock(moment)
    previous, _source = _source, clock
    try:
        yield clock
    finally:
        _source = previous


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("freeze() needs an aware datetime")
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by ``timedelta(**delta)`` and return the new time."""
        from datetime import timedelta

        self.moment = self.moment + timedelta(**delta)
        return self.moment
