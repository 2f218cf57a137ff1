"""Babel extractor for survey YAML: every translatable *string* becomes a msgid.

Register it in the Babel mapping file, e.g.::

    [fieldscan.survey.babel_extract:extract_surveys: surveys/**.yaml]

Mapping-form texts (``{en: ..., es: ...}``) carry their own translations and keywords are
per-language lists, so neither is extracted. Lines come from the composed YAML nodes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from fieldscan.survey import yaml_source
from fieldscan.survey.schema import (
    MESSAGE_NAMES,
    QUESTION_TEXT_FIELDS,
    SURVEY_TEXT_FIELDS,
    clean_text,
)

__all__ = ["extract_surveys", "iter_translatable_strings", "translatable_strings"]


def extract_surveys(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any] | Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extraction method: yields ``(lineno, None, message, [comment])``.

    The comment names where the text is used: ``"survey_id / question_id / field"``
    (``"survey_id / field"`` for survey-level texts). Invalid YAML raises ValueError
    naming the file, so a broken survey cannot silently drop its strings from the catalog.
    """
    data = fileobj.read()
    name = getattr(fileobj, "name", "<survey>")
    try:
        root = yaml_source.compose(
            yaml_source.decode(data if isinstance(data, bytes) else data.encode())
        )
    except yaml_source.SourceError as exc:
        where = f" line {exc.line}" if exc.line else ""
        raise ValueError(f"{name}:{where}: {exc.message}") from None
    for line, text, comment in translatable_strings(root):
        yield line, None, text, [comment]


def iter_translatable_strings(path: str | Path) -> list[str]:
    """The distinct translatable strings of a survey file, in file order."""
    root = yaml_source.compose(yaml_source.decode(Path(path).read_bytes()))
    return list(dict.fromkeys(text for _, text, _ in translatable_strings(root)))


def translatable_strings(root: Node | None) -> Iterator[tuple[int, str, str]]:
    """``(line, text, comment)`` for every translatable string under a composed survey."""
    if not isinstance(root, MappingNode):
        return
    top = _mapping(root)
    survey_id = _scalar(top.get("id")) or "?"
    for field in SURVEY_TEXT_FIELDS:
        yield from _text(top.get(field), f"{survey_id} / {field}")
    messages = top.get("messages")
    if isinstance(messages, MappingNode):
        entries = _mapping(messages)
        for key in MESSAGE_NAMES:
            yield from _text(entries.get(key), f"{survey_id} / messages.{key}")
    yield from _questions(top.get("questions"), survey_id)


def _questions(node: Node | None, survey_id: str) -> Iterator[tuple[int, str, str]]:
    if not isinstance(node, SequenceNode):
        return
    for item in node.value:
        if not isinstance(item, MappingNode):
            continue
        fields = _mapping(item)
        qid = _scalar(fields.get("id")) or "?"
        for field in QUESTION_TEXT_FIELDS:
            yield from _text(fields.get(field), f"{survey_id} / {qid} / {field}")
        choices = fields.get("choices")
        if isinstance(choices, SequenceNode):
            for index, choice in enumerate(choices.value, 1):
                if isinstance(choice, MappingNode):
                    entries = _mapping(choice)
                    value = _scalar(entries.get("value")) or f"#{index}"
                    comment = f"{survey_id} / {qid} / choices[{value}].label"
                    yield from _text(entries.get("label"), comment)
        yield from _questions(fields.get("questions"), survey_id)


def _mapping(node: MappingNode) -> dict[str, Node]:
    return {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}


def _scalar(node: Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def _text(node: Node | None, comment: str) -> Iterator[tuple[int, str, str]]:
    # Only string scalars: a mapping carries its own translations.
    if isinstance(node, ScalarNode) and node.tag == yaml_source.STR_TAG:
        text = clean_text(node.value)
        if text:
            yield node.start_mark.line + 1, text, comment
