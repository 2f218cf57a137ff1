"""Core statements run on the database driver's cursor, for the hottest SMS path only.

SQLAlchemy builds an execution context, a cursor wrapper and a result object around every
statement; on a webhook turn of five short statements that bookkeeping costs ten times the
SQL itself. A :class:`DriverStatement` keeps what makes Core worth having (the statement is
written once in Core, compiled by SQLAlchemy for the connection's dialect, and every value
passes through its column type's own bind and result processors, so enums, JSON and
UTC timestamps are stored and read exactly as the ORM does) and runs the compiled SQL on
the DB-API cursor of the session's connection, inside the session's transaction.

Errors are the driver's own: catch :data:`integrity_errors` for constraint violations.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Table, bindparam, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import Executable


class _Compiled:
    """One statement compiled for one dialect, with its value processors."""

    __slots__ = ("sql", "positional", "defaults", "binds", "results")

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = tuple(compiled.positiontup) if dialect.positional else None
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        # Literal values written into the statement (``attempts=0``) are parameters too.
        self.defaults = {
            name: bind.effective_value for name, bind in by_name.items() if not bind.required
        }
        self.binds = {
            name: processor
            for name, bind in by_name.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
        }
        columns = statement.exported_columns  # a SELECT's columns, or those of RETURNING
        self.results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        merged = {**self.defaults, **values}
        for name, processor in self.binds.items():
            merged[name] = processor(merged[name])
        if self.positional is None:
            return merged
        return tuple(merged[name] for name in self.positional)

    def row(self, raw: Sequence[Any]) -> tuple:
        return tuple(
            processor(value) if processor else value
            for processor, value in zip(self.results, raw, strict=True)
        )


class DriverStatement:
    """A Core statement, compiled once per dialect and run on the driver's cursor.

    ``generated`` names parameters computed at each execution (column defaults, see
    :func:`insert_row`) when the caller gives no value.
    """

    def __init__(
        self, statement: Executable, generated: Mapping[str, Callable[[], Any]] | None = None
    ) -> None:
        self.statement = statement
        self.generated = dict(generated or {})
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        key = f"{dialect.name}+{dialect.driver}"
        compiled = self._by_dialect.get(key)
        if compiled is None:
            compiled = self._by_dialect[key] = _Compiled(self.statement, dialect)
        return compiled

    def _values(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        if not self.generated:
            return values
        missing = {name: make() for name, make in self.generated.items() if name not in values}
        return {**missing, **values}

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> None:
        """Run the statement (an insert, update or delete) in the connection's transaction."""
        compiled = self._compiled(connection)
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(self._values(values)))
        finally:
            cursor.close()

    def all(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple]:
        """Run a SELECT (or a statement with RETURNING); every row, processed by type."""
        compiled = self._compiled(connection)
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(self._values(values)))
            return [compiled.row(raw) for raw in cursor.fetchall()]
        finally:
            cursor.close()

    def first(self, connection: Connection, values: Mapping[str, Any]) -> tuple | None:
        """Run a SELECT; its first row, or None."""
        rows = self.all(connection, values)
        return rows[0] if rows else None


def insert_row(table: Table, returning: Column | None = None) -> DriverStatement:
    """An INSERT of one row of ``table``, every column bound by its own name.

    Columns the caller leaves out get their Python-side default (``default=`` of the model,
    e.g. a UUID or the current time) exactly as Core would apply it, else NULL.
    """
    generated: dict[str, Callable[[], Any]] = {}
    for column in table.columns:
        if column.primary_key and column.autoincrement:
            continue
        default = column.default
        if default is None:
            generated[column.key] = _constant(None)
        elif default.is_callable:
            generated[column.key] = functools.partial(default.arg, None)
        else:
            generated[column.key] = _constant(default.arg)
    statement = insert(table).values({name: bindparam(name) for name in generated})
    if returning is not None:
        statement = statement.returning(returning)
    return DriverStatement(statement, generated)


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def integrity_errors(connection: Connection) -> type[Exception]:
    """The driver's exception for a violated constraint (e.g. a unique index)."""
    return connection.dialect.loaded_dbapi.IntegrityError
