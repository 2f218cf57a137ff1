"""Rewriting XLSForm expressions (``relevant``, ``constraint``, ``calculation``) for fieldscan.

An XLSForm expression is XPath; fieldscan evaluates the subset in docs/survey-format.md.
Each expression is rewritten at the token level with the engine's own tokenizer and then
parsed by the engine's parser, so what survives is exactly what the engine accepts:

- ``${name}`` becomes ``${new_id}`` (names are normalized to fieldscan ids); the paths
  pyxform itself writes (``../name`` for ``or_other``) and absolute paths
  (``/data/group/name``) become references first;
- a reference to the question itself becomes ``.`` in its constraint;
- a reference to a ``calculate`` field is replaced by its calculation, in parentheses
  (rewritten the same way, recursively; cycles are refused): calculations need no storage
  because they are functions of the answers;
- a reference to a question fieldscan does not import (a photo, a GPS point, metadata)
  becomes ``''``, which is what the engine reads for any unanswered question;
- a string compared with a select question's answer (``${q} = 'Yes'``,
  ``selected(${q}, 'n1-c')``) is rewritten to the choice's normalized value.

Anything else (an unknown function such as ``round()``, ``jr:choice-name()``, a path, a
reference to a note) raises :class:`ExpressionProblemError`; the caller drops the expression
and reports it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from fieldscan.survey.expressions import Expression, ExpressionError, parse
from fieldscan.survey.xpath_lexer import Token, tokenize

_REF = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}")
_STRINGS = re.compile(r"'[^']*'|\"[^\"]*\"")
_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
_RELATIVE = re.compile(rf"(?:current\(\)\s*/\s*)?(?:\.\./)+({_NAME})")
_ABSOLUTE = re.compile(rf"(?<![\w)\]}}.])/(?:{_NAME}/)*({_NAME})")


class ExpressionProblemError(ValueError):
    """An expression fieldscan cannot use; the message says why."""


@dataclass
class Entry:
    """What became of one XLSForm name.

    ``kind``: ``answer`` (a question with an answer), ``display`` (a note or group),
    ``calc`` (a calculate field, inlined), ``gone`` (not imported: reads as unanswered).
    """

    kind: str
    new_id: str | None = None
    what: str = ""
    calculation: str | None = None
    choice_map: dict[str, str] = field(default_factory=dict)


class Rewriter:
    """Rewrites the expressions of one form; see the module docstring."""

    def __init__(self, entries: Mapping[str, Entry]) -> None:
        self.entries = entries
        self.notes: list[str] = []
        self._calcs: dict[str, str | ExpressionProblemError] = {}
        self._stack: list[str] = []

    def rewrite(self, text: str, *, owner: str | None, field_name: str) -> Expression:
        """The engine's parsed form of ``text`` as seen from the question ``owner``."""
        return self._parse(self._rewrite(text, owner, field_name))

    def _parse(self, text: str) -> Expression:
        try:
            return parse(text)
        except ExpressionError as exc:
            raise ExpressionProblemError(f"fieldscan cannot evaluate it: {exc}") from None

    def _rewrite(self, text: str, owner: str | None, field_name: str) -> str:
        text = _paths_to_references(str(text).strip(), self.entries)
        try:
            tokens = tokenize(text)
        except ExpressionError as exc:
            raise ExpressionProblemError(f"fieldscan cannot read it: {exc}") from None
        owner_entry = self.entries.get(owner) if owner else None
        pieces: list[str] = []
        last = 0
        for index, token in enumerate(tokens):
            if token.kind == "end":
                break
            end = _token_end(text, token)
            replacement = None
            if token.kind == "ref":
                replacement = self._reference(token.value, owner, owner_entry, field_name)
            elif token.kind == "str":
                replacement = self._literal(text, tokens, index, owner_entry)
            if replacement is not None:
                pieces.append(text[last : token.pos])
                pieces.append(replacement)
                last = end
        pieces.append(text[last:])
        return "".join(pieces)

    def _reference(
        self, name: str, owner: str | None, owner_entry: Entry | None, field_name: str
    ) -> str:
        entry = self.entries.get(name)
        if entry is None:
            raise ExpressionProblemError(
                f"it refers to {name!r}, which is not a question of the form"
            )
        if entry.kind == "answer":
            if owner_entry is not None and entry is owner_entry:
                if field_name == "constraint":
                    return "."
                raise ExpressionProblemError("it refers to the question itself")
            return "${" + str(entry.new_id) + "}"
        if entry.kind == "calc":
            return "(" + self._calculation(name) + ")"
        if entry.kind == "gone":
            note = (
                f"{field_name} of {owner!r} reads {name!r} ({entry.what}), which is not "
                "imported: it counts as unanswered"
            )
            if note not in self.notes:
                self.notes.append(note)
            return "''"
        raise ExpressionProblemError(f"it refers to {name!r}, {entry.what}, which has no answer")

    def _calculation(self, name: str) -> str:
        cached = self._calcs.get(name)
        if isinstance(cached, ExpressionProblemError):
            raise cached
        if cached is not None:
            return cached
        if name in self._stack:
            raise ExpressionProblemError(f"the calculation {name!r} depends on itself")
        entry = self.entries[name]
        self._stack.append(name)
        try:
            text = self._rewrite(entry.calculation or "", None, "calculation")
            expression = self._parse(text)
            if expression.uses_current:
                raise ExpressionProblemError("'.' has no meaning in a calculation")
        except ExpressionProblemError as exc:
            inner = str(exc)
            if not inner.startswith("it uses the calculation"):
                inner = f"{entry.calculation!r}: {inner}"
            problem = ExpressionProblemError(f"it uses the calculation {name!r}; {inner}")
            self._calcs[name] = problem
            raise problem from None
        finally:
            self._stack.pop()
        self._calcs[name] = text
        return text

    def _literal(
        self, text: str, tokens: list[Token], index: int, owner_entry: Entry | None
    ) -> str | None:
        subject = _compared_with(tokens, index)
        if subject is None:
            return None
        entry = owner_entry if subject.kind == "dot" else self.entries.get(subject.value)
        if entry is None or not entry.choice_map:
            return None
        value = tokens[index].value
        new = entry.choice_map.get(value)
        if new is None:
            new = entry.choice_map.get(value.strip())
        if new is None or new == value:
            return None
        quote = text[tokens[index].pos]
        return f"{quote}{new}{quote}"


def _compared_with(tokens: list[Token], index: int) -> Token | None:
    """The ``${q}`` or ``.`` a string literal is compared with or tested by ``selected()``."""

    def at(i: int) -> Token | None:
        return tokens[i] if 0 <= i < len(tokens) else None

    def is_subject(token: Token | None) -> bool:
        return token is not None and token.kind in ("ref", "dot")

    def is_equality(token: Token | None) -> bool:
        return token is not None and token.kind == "op" and token.value in ("=", "!=")

    before, before2 = at(index - 1), at(index - 2)
    if is_equality(before) and is_subject(before2):
        return before2
    after, after2 = at(index + 1), at(index + 2)
    if is_equality(after) and is_subject(after2):
        return after2
    opener, function = at(index - 3), at(index - 4)
    if (
        before is not None
        and before.kind == ","
        and is_subject(before2)
        and opener is not None
        and opener.kind == "("
        and function is not None
        and function.kind == "name"
        and function.value == "selected"
    ):
        return before2
    return None


def _token_end(text: str, token: Token) -> int:
    if token.kind == "ref":
        match = _REF.match(text, token.pos)
        return match.end() if match else token.pos + 1
    if token.kind == "str":
        return text.index(text[token.pos], token.pos + 1) + 1
    return token.pos + len(token.value)


def _paths_to_references(text: str, entries: Mapping[str, Entry]) -> str:
    """``../name``, ``current()/../name`` and ``/data/group/name`` -> ``${name}``."""
    if "/" not in text:
        return text

    def relative(match: re.Match[str]) -> str:
        return "${" + match.group(1) + "}"

    def absolute(match: re.Match[str]) -> str:
        name = match.group(1)
        return "${" + name + "}" if name in entries else match.group(0)

    out: list[str] = []
    last = 0
    for string in _STRINGS.finditer(text):
        out.append(_ABSOLUTE.sub(absolute, _RELATIVE.sub(relative, text[last : string.start()])))
        out.append(string.group(0))
        last = string.end()
    out.append(_ABSOLUTE.sub(absolute, _RELATIVE.sub(relative, text[last:])))
    return "".join(out)
