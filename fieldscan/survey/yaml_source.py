"""Reading survey YAML: a strict safe loader and line numbers for every value.

The loader follows the YAML 1.2 core schema for plain scalars: only ``true``/``false``
are booleans, so ``{value: yes, label: Yes}`` and ``{en: Yes, es: Sí}`` stay text (PyYAML's
default YAML 1.1 rules would turn them into booleans), dates stay text, and ``1:30`` is
not a base-60 number. Repeated keys in a mapping are an error instead of silently
keeping the last one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

STR_TAG = "tag:yaml.org,2002:str"


class SurveyYamlLoader(yaml.SafeLoader):
    """Safe loader with core-schema scalars and duplicate-key detection."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing repeated keys."""
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):  # non-scalar keys fail in the base class
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"found the key {key!r} twice",
                        key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


SurveyYamlLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    ("tag:yaml.org,2002:int", r"[-+]?[0-9]+", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        list("-+.0123456789"),
    ),
):
    SurveyYamlLoader.add_implicit_resolver(_tag, re.compile(rf"^(?:{_pattern})$"), _first)


def _construct_int(loader: SurveyYamlLoader, node: ScalarNode) -> int:
    # YAML 1.1 reads 010 as octal 8; in a survey it can only mean ten.
    text = loader.construct_scalar(node)
    try:
        return int(text.replace("_", ""), 10)
    except ValueError:
        raise ConstructorError(
            None, None, f"{text!r} is not a whole number", node.start_mark
        ) from None


SurveyYamlLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


class SourceError(ValueError):
    """The file is not readable UTF-8 YAML; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def decode(data: bytes) -> str:
    """UTF-8 text of ``data`` (a BOM is allowed), or SourceError naming the line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if exc.end >= len(data):
            message = "the file ends in the middle of a character (is it truncated?)"
        else:
            message = f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        raise SourceError(message, line) from None


def compose(text: str) -> Node | None:
    """The YAML node tree of ``text`` (None when empty), or SourceError."""
    loader: SurveyYamlLoader | None = None
    try:
        loader = SurveyYamlLoader(text)  # checks for unprintable characters already
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _source_error(exc) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        message = f"contains the control character U+{exc.character:04X}, which YAML does not allow"
        raise SourceError(message, line) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        # explicit tags such as "!!float abc" fail with plain ValueErrors
        raise SourceError(f"invalid YAML: {exc}", None) from None
    except RecursionError:
        raise SourceError("invalid YAML: nested too deeply", None) from None
    finally:
        if loader is not None:
            loader.dispose()


def construct(node: Node) -> Any:
    """Python data for a composed node, or SourceError (e.g. a repeated key)."""
    loader = SurveyYamlLoader("")
    try:
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise _source_error(exc) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        # explicit tags such as "!!float abc" fail with plain ValueErrors
        raise SourceError(f"invalid YAML: {exc}", None) from None
    except RecursionError:
        raise SourceError("invalid YAML: nested too deeply", None) from None
    finally:
        loader.dispose()


def _source_error(exc: yaml.MarkedYAMLError) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "syntax error"
    if exc.context and exc.problem:
        problem = f"{exc.problem} ({exc.context})"
    if "end of stream" in problem:
        problem += "; is the file truncated?"
    return SourceError(f"invalid YAML: {problem}", mark.line + 1 if mark else None)


def line_map(node: Node | None) -> dict[tuple[Any, ...], int]:
    """1-based line of every mapping key and sequence item, by path from the root."""
    lines: dict[tuple[Any, ...], int] = {}
    for path, line, _ in walk(node):
        lines[path] = line
    return lines


def walk(
    node: Node | None, path: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], int, Node]]:
    """Every node below ``node`` with its path and 1-based line (a key's line for values)."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                child = (*path, key_node.value)
                yield child, key_node.start_mark.line + 1, value_node
                yield from walk(value_node, child)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            yield child, item.start_mark.line + 1, item
            yield from walk(item, child)


def line_of(lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
