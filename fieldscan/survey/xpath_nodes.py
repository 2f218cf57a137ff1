"""The expression tree: nodes that evaluate themselves against answers, and the functions.

Every ``eval`` is total over data: conversions come from :mod:`xpath_values`, which never
raise, so a respondent's odd answers give XPath-ish results rather than errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from fieldscan.survey import xpath_values as xv
from fieldscan.survey.xpath_values import truthy

# --- nodes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What an expression is evaluated against."""

    answers: Mapping[str, object]
    current: object
    today: date


class Node:
    """A node of the expression tree."""

    def eval(self, ctx: Context) -> object:
        """The value of this node (never raises on data)."""
        raise NotImplementedError

    def children(self) -> tuple[Node, ...]:
        """Direct sub-nodes."""
        return ()


@dataclass(frozen=True)
class Literal(Node):
    """A string or number literal."""

    value: object

    def eval(self, ctx: Context) -> object:
        """The literal itself."""
        return self.value


@dataclass(frozen=True)
class Ref(Node):
    """``${question_id}``: the answer, or '' when unanswered or skipped."""

    name: str

    def eval(self, ctx: Context) -> object:
        """The stored answer."""
        value = ctx.answers.get(self.name)
        return "" if value is None else value


@dataclass(frozen=True)
class Current(Node):
    """``.``: the answer being checked by a constraint."""

    def eval(self, ctx: Context) -> object:
        """The current answer."""
        return "" if ctx.current is None else ctx.current


@dataclass(frozen=True)
class Negate(Node):
    """Unary minus."""

    operand: Node

    def eval(self, ctx: Context) -> object:
        """Minus the operand as a number."""
        return -xv.to_number(self.operand.eval(ctx))

    def children(self) -> tuple[Node, ...]:
        """The operand."""
        return (self.operand,)


@dataclass(frozen=True)
class Chain(Node):
    """A left-associative run of binary operators of one precedence level.

    Kept flat (not nested pairs) so long ``a or b or c ...`` chains evaluate iteratively
    and cannot exhaust the recursion limit.
    """

    first: Node
    rest: tuple[tuple[str, Node], ...]

    def eval(self, ctx: Context) -> object:
        """Fold the operators from left to right, short-circuiting ``and``/``or``."""
        value = self.first.eval(ctx)
        for op, node in self.rest:
            if op == "and":
                if not truthy(value):
                    return False
                value = truthy(node.eval(ctx))
            elif op == "or":
                if truthy(value):
                    return True
                value = truthy(node.eval(ctx))
            elif op in ("=", "!=", "<", "<=", ">", ">="):
                value = xv.compare(op, value, node.eval(ctx))
            else:
                value = xv.arithmetic(op, value, node.eval(ctx))
        return value

    def children(self) -> tuple[Node, ...]:
        """All operands."""
        return (self.first, *(node for _, node in self.rest))


@dataclass(frozen=True)
class Call(Node):
    """A function call; ``pattern`` holds a regex compiled at parse time when literal."""

    name: str
    args: tuple[Node, ...]
    pattern: re.Pattern[str] | None = field(default=None, compare=False)

    def eval(self, ctx: Context) -> object:
        """Apply the function."""
        if self.name == "if":  # lazy, so only the chosen branch is evaluated
            cond, then, other = self.args
            return then.eval(ctx) if truthy(cond.eval(ctx)) else other.eval(ctx)
        if self.name == "regex":
            subject = self.args[0].eval(ctx)
            pattern = self.pattern if self.pattern is not None else self.args[1].eval(ctx)
            return xv.regex_matches(subject, pattern)
        if self.name == "today":
            return ctx.today
        values = [arg.eval(ctx) for arg in self.args]
        if not values and self.name in CONTEXT_FUNCTIONS:
            values = [Current().eval(ctx)]  # XPath: these default to the context item
        return FUNCTION_TABLE[self.name][2](values)

    def children(self) -> tuple[Node, ...]:
        """The arguments."""
        return self.args


def _coalesce(values: list[object]) -> object:
    return next((v for v in values if xv.to_string(v) != ""), "")


# name -> (min args, max args or None for any, implementation over evaluated args)
FUNCTION_TABLE: dict[str, tuple[int, int | None, Callable[[list[object]], object]]] = {
    "not": (1, 1, lambda v: not truthy(v[0])),
    "selected": (2, 2, lambda v: xv.to_string(v[1]).strip() in xv.selected_values(v[0])),
    "count-selected": (1, 1, lambda v: float(len(xv.selected_values(v[0])))),
    "string-length": (0, 1, lambda v: float(len(xv.to_string(v[0])))),
    "number": (0, 1, lambda v: xv.to_number(v[0])),
    "int": (1, 1, lambda v: xv.xpath_int(v[0])),
    "string": (0, 1, lambda v: xv.to_string(v[0])),
    "concat": (0, None, lambda v: "".join(xv.iter_strings(v))),
    "coalesce": (2, None, _coalesce),
    "if": (3, 3, lambda v: v[1] if truthy(v[0]) else v[2]),
    "true": (0, 0, lambda v: True),
    "false": (0, 0, lambda v: False),
    "today": (0, 0, lambda v: date.today()),
    "regex": (2, 2, lambda v: xv.regex_matches(v[0], v[1])),
}

#: The functions expressions may call.
FUNCTIONS = frozenset(FUNCTION_TABLE)
#: Functions that read ``.`` when called without an argument, as in XPath.
CONTEXT_FUNCTIONS = frozenset({"string-length", "number", "string"})
