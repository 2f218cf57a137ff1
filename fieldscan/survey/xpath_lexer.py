"""Tokenizer for survey expressions (the XLSForm/XPath subset) and its error type."""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["ExpressionError", "Token", "tokenize"]


class ExpressionError(ValueError):
    """A syntax error in an expression; ``position`` is the 0-based offset in the source."""

    def __init__(self, message: str, position: int) -> None:
        self.message = message
        self.position = position
        self.column = position + 1
        super().__init__(f"{message} at column {self.column}")


# --- tokens -------------------------------------------------------------------------------


class Token(NamedTuple):
    """One lexical token: ``kind`` is num, str, ref, dot, name, op, '(', ')', ',' or end."""

    kind: str
    value: str
    pos: int


_REF = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}")
_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*")
# Things people type from other languages, with the XPath spelling to suggest.
_MISTAKES = {"==": "'='", "&&": "'and'", "||": "'or'", "<>": "'!='"}


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, raising ExpressionError at the first bad character."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        two = text[i : i + 2]
        if two in _MISTAKES:
            raise ExpressionError(f"'{two}' is not an operator here, use {_MISTAKES[two]}", i)
        if ch == "$":
            match = _REF.match(text, i)
            if not match:
                raise ExpressionError("expected a reference like ${question_id}", i)
            tokens.append(Token("ref", match.group(1), i))
            i = match.end()
        elif ch in "'\"":
            end = text.find(ch, i + 1)
            if end < 0:
                raise ExpressionError("unterminated string", i)
            tokens.append(Token("str", text[i + 1 : end], i))
            i = end + 1
        elif ch.isdigit() or (ch == "." and text[i + 1 : i + 2].isdigit()):
            match = _NUMBER.match(text, i)
            if not match:  # a non-ASCII digit such as '٣'
                raise ExpressionError(f"unexpected character {ch!r}", i)
            tokens.append(Token("num", match.group(), i))
            i = match.end()
        elif ch == ".":
            if two == "..":
                raise ExpressionError("'..' is not supported; use ${question_id}", i)
            tokens.append(Token("dot", ".", i))
            i += 1
        elif ch in "(),":
            tokens.append(Token(ch, ch, i))
            i += 1
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            match = _NAME.match(text, i)
            assert match is not None  # the first character always matches
            tokens.append(Token("name", match.group(), i))
            i = match.end()
        else:
            op = next((op for op in _OPERATORS if text.startswith(op, i)), None)
            if op is None:
                if ch == "/":
                    raise ExpressionError("paths are not supported; use ${question_id}", i)
                raise ExpressionError(f"unexpected character {ch!r}", i)
            tokens.append(Token("op", op, i))
            i += len(op)
    tokens.append(Token("end", "", n))
    return tokens
