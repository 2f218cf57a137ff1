"""A safe evaluator for the XLSForm (XPath) subset used in ``relevant`` and ``constraint``.

Text is tokenized, parsed by recursive descent into a small tree of nodes, and the tree is
evaluated against an answers mapping. Nothing is ever passed to ``eval``/``exec``; parsing
raises only :class:`ExpressionError`, and evaluation never raises on any data.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from datetime import date

from fieldscan.survey import xpath_values as xv
from fieldscan.survey.xpath_lexer import ExpressionError, Token, tokenize
from fieldscan.survey.xpath_nodes import (
    CONTEXT_FUNCTIONS,
    FUNCTION_TABLE,
    FUNCTIONS,
    Call,
    Chain,
    Context,
    Current,
    Literal,
    Negate,
    Node,
    Ref,
)
from fieldscan.survey.xpath_values import truthy

__all__ = ["FUNCTIONS", "Expression", "ExpressionError", "parse", "truthy"]

log = logging.getLogger(__name__)

#: Longest accepted expression; real forms stay far below, and it bounds parse work.
MAX_LENGTH = 4000
#: Deepest nesting of parentheses, calls and unary minus; keeps recursion bounded.
MAX_DEPTH = 48

KEYWORD_OPERATORS = ("and", "or", "div", "mod")


# --- parser ---------------------------------------------------------------------------------

_LEVELS: tuple[tuple[str, ...], ...] = (
    ("or",),
    ("and",),
    ("=", "!="),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "div", "mod"),
)


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "end of expression"
    if token.kind == "str":
        return f"string '{token.value}'"
    if token.kind == "ref":
        return f"'${{{token.value}}}'"
    return f"'{token.value}'"


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, token: Token | None = None) -> ExpressionError:
        token = token or self.tok
        is_name = token.kind == "name"
        word = token.value.lower()
        if is_name and word in KEYWORD_OPERATORS and token.value != word:
            return ExpressionError(
                f"unknown operator '{token.value}' (operators are lower-case: '{word}')", token.pos
            )
        following = self.tokens[min(self.tokens.index(token) + 1, len(self.tokens) - 1)]
        if is_name and following.kind != "(" and word in ("true", "false"):
            return ExpressionError(f"'{token.value}' must be written {word}()", token.pos)
        return ExpressionError(f"unexpected {_describe(token)}", token.pos)

    def parse(self) -> Node:
        node = self.level(0)
        if self.tok.kind != "end":
            raise self.fail()
        return node

    def is_operator(self, ops: tuple[str, ...]) -> bool:
        tok = self.tok
        return (tok.kind == "op" or tok.kind == "name") and tok.value in ops

    def level(self, index: int) -> Node:
        if index == len(_LEVELS):
            return self.unary()
        first = self.level(index + 1)
        rest: list[tuple[str, Node]] = []
        while self.is_operator(_LEVELS[index]):
            op = self.advance().value
            rest.append((op, self.level(index + 1)))
        return Chain(first, tuple(rest)) if rest else first

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("expression is nested too deeply", token.pos)

    def unary(self) -> Node:
        tok = self.tok
        if tok.kind == "op" and tok.value == "-":
            self.advance()
            self.enter(tok)
            node = Negate(self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        tok = self.advance()
        if tok.kind == "num":
            return Literal(float(tok.value))
        if tok.kind == "str":
            return Literal(tok.value)
        if tok.kind == "ref":
            return Ref(tok.value)
        if tok.kind == "dot":
            return Current()
        if tok.kind == "(":
            self.enter(tok)
            node = self.level(0)
            self.expect(")", tok)
            self.depth -= 1
            return node
        if tok.kind == "name" and self.tok.kind == "(":
            return self.call(tok)
        self.i -= 1
        raise self.fail(tok)

    def expect(self, kind: str, opener: Token) -> None:
        if self.tok.kind != kind:
            if self.tok.kind == "end":
                raise ExpressionError(f"missing '{kind}' to close this '('", opener.pos)
            raise self.fail()
        self.advance()

    def call(self, name: Token) -> Node:
        if name.value not in FUNCTION_TABLE:
            raise ExpressionError(f"unknown function '{name.value}()'", name.pos)
        opener = self.advance()
        self.enter(opener)
        args: list[Node] = []
        if self.tok.kind != ")":
            args.append(self.level(0))
            while self.tok.kind == ",":
                self.advance()
                args.append(self.level(0))
        self.expect(")", opener)
        self.depth -= 1
        low, high, _ = FUNCTION_TABLE[name.value]
        if len(args) < low or (high is not None and len(args) > high):
            wanted = (
                f"{low}"
                if low == high
                else f"at least {low}"
                if high is None
                else (f"{low} to {high}")
            )
            raise ExpressionError(
                f"{name.value}() takes {wanted} argument{'s' if wanted != '1' else ''}, "
                f"not {len(args)}",
                name.pos,
            )
        pattern = None
        if name.value == "regex" and isinstance(args[1], Literal):
            try:
                pattern = xv.compile_regex(xv.to_string(args[1].value))
            except xv.UnsafePatternError as exc:
                raise ExpressionError(str(exc), name.pos) from None
        return Call(name.value, tuple(args), pattern)


# --- public API -----------------------------------------------------------------------------


class Expression:
    """A parsed expression; immutable, hashable by source, and safe to share."""

    __slots__ = ("source", "_root", "_refs", "_uses_current")

    def __init__(self, source: str, root: Node) -> None:
        self.source = source
        self._root = root
        refs: set[str] = set()
        uses_current = False
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, Ref):
                refs.add(node.name)
            elif isinstance(node, Current) or (
                isinstance(node, Call) and not node.args and node.name in CONTEXT_FUNCTIONS
            ):
                uses_current = True
            stack.extend(node.children())
        self._refs = frozenset(refs)
        self._uses_current = uses_current

    def references(self) -> set[str]:
        """The question ids this expression reads through ``${...}``."""
        return set(self._refs)

    @property
    def uses_current(self) -> bool:
        """Whether the expression reads ``.`` (only meaningful in constraints)."""
        return self._uses_current

    def evaluate(
        self,
        answers: Mapping[str, object],
        current: object = None,
        today: date | None = None,
    ) -> object:
        """Evaluate against ``answers`` (``.`` is ``current``; ``today()`` is ``today``).

        Never raises: a failure that slipped past the total helpers is logged and gives
        '' (false), because one respondent's odd data must not break a survey.
        """
        ctx = Context(answers if answers is not None else {}, current, today or date.today())
        try:
            return self._root.eval(ctx)
        except Exception:  # noqa: BLE001 - see docstring
            log.exception("survey expression %r failed", self.source)
            return ""

    def is_true(
        self,
        answers: Mapping[str, object],
        current: object = None,
        today: date | None = None,
    ) -> bool:
        """``truthy(self.evaluate(...))``."""
        return truthy(self.evaluate(answers, current, today))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def parse(text: str) -> Expression:
    """Parse ``text`` into an :class:`Expression`, raising only :class:`ExpressionError`."""
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text", 0)
    return _parse(text)


@functools.lru_cache(maxsize=2048)
def _parse(text: str) -> Expression:
    # Cached: the same relevance text appears in every survey version and request.
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        raise ExpressionError("empty expression", 0)
    return Expression(text, _Parser(text).parse())
