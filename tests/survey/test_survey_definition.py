"""Resolved definitions: structure, effective relevance, text fallback, content round trip."""

from __future__ import annotations

import json

import pytest

from fieldscan.survey import Survey, canonical_json
from fieldscan.survey.definition import Question


def test_flat_expands_groups_in_order(kids: Survey) -> None:
    assert [q.id for q in kids.questions][:4] == [
        "welcome",
        "consent",
        "no_consent_note",
        "children",
    ]
    assert [q.id for q in kids.flat()] == [
        "welcome", "consent", "no_consent_note", "child_count", "ages_note", "youngest_age",
        "services", "main_service", "birthday", "phone", "trusted",
    ]  # fmt: skip
    assert "children" in [q.id for q in kids.flat(include_groups=True)]
    assert [g.id for g in kids.groups()] == ["children"]
    assert kids.question("children").is_group
    assert "children" in kids and "nope" not in kids
    with pytest.raises(KeyError):
        kids.question("nope")


def test_effective_relevance_includes_enclosing_groups(kids: Survey) -> None:
    youngest = kids.question("youngest_age")
    assert [c.source for c in youngest.conditions] == ["${consent} = 'yes'", "${child_count} > 0"]
    assert youngest.groups == ("children",)
    assert youngest.relevant_expression is not None
    assert youngest.constraint_expression.source == ". <= 17"  # type: ignore[union-attr]
    assert youngest.is_relevant({"consent": "yes", "child_count": 1})
    assert not youngest.is_relevant({"consent": "no", "child_count": 1})
    assert kids.question("child_count").is_relevant({"consent": "yes"})
    assert not kids.question("child_count").is_relevant({})


def test_nested_groups_combine_relevance_and_channels() -> None:
    survey = Survey.from_content(
        {
            "id": "nest", "title": {"en": "N"}, "languages": ["en"], "keywords": {"en": ["N"]},
            "questions": [
                {"id": "a", "type": "integer", "label": {"en": "A"}},
                {"id": "outer", "type": "group", "relevant": "${a} > 1", "channels": ["sms", "web"],
                 "questions": [
                     {"id": "inner", "type": "group", "relevant": "${a} < 5",
                      "channels": ["web", "tablet"],
                      "questions": [{"id": "q", "type": "text", "label": {"en": "Q"}}]},
                 ]},
            ],
        }
    )  # fmt: skip
    q = survey.question("q")
    assert q.groups == ("outer", "inner")
    assert q.effective_channels == frozenset({"web"})
    assert q.on_channel("web") and not q.on_channel("sms") and q.on_channel(None)
    assert [q.is_relevant({"a": n}) for n in (1, 3, 5)] == [False, True, False]
    assert [x.id for x in survey.sms_questions()] == ["a"]


def test_text_fallbacks(kids: Survey) -> None:
    consent = kids.question("consent")
    assert consent.text("label", "es") == "¿Podemos hacerle algunas preguntas?"
    assert consent.text("label", "es-MX") == "¿Podemos hacerle algunas preguntas?"
    assert consent.text("label", "ko") == "May we ask you some questions?"
    assert consent.text("hint", "es") is None
    assert (
        kids.question("youngest_age").text("constraint_message", "vi")
        == "Vui lòng cho tuổi dưới 18."
    )
    only_es = Question("x", "text", label={"es": "Hola"})
    assert only_es.text("label", "vi") == "Hola"
    with pytest.raises(ValueError):
        consent.text("choices", "en")
    assert kids.text("title", "vi") == "Sức khỏe con em chúng ta"
    assert kids.text("intro", "es") == "Gracias por ayudar a nuestra clínica."
    assert kids.question("services").choices[0].text("hy") == "School programs"


def test_taxonomies_and_sms_questions(kids: Survey) -> None:
    assert kids.taxonomies() == {"trusted": "trusted_messenger"}
    assert [q.id for q in kids.sms_questions()] == [
        "consent", "child_count", "youngest_age", "services", "main_service", "phone", "trusted",
    ]  # fmt: skip


def test_content_round_trip_and_hash(kids: Survey) -> None:
    content = kids.to_content()
    assert json.loads(json.dumps(content)) == content
    again = Survey.from_content(content)
    assert again == kids
    assert hash(again) == hash(kids) and len({kids, again}) == 1
    assert hash(kids.question("consent")) == hash(again.question("consent"))
    assert again.to_content() == content
    assert again.content_hash() == kids.content_hash()
    assert len(kids.content_hash()) == 64
    assert canonical_json({"b": "é", "a": [1]}) == '{"a":[1],"b":"é"}'
    changed = json.loads(json.dumps(content))
    changed["questions"][1]["label"]["es"] = "¿Otra?"
    assert Survey.from_content(changed).content_hash() != kids.content_hash()


def test_content_shape(kids: Survey) -> None:
    content = kids.to_content()
    consent = content["questions"][1]
    assert consent == {
        "id": "consent", "type": "yes_no",
        "label": {"en": "May we ask you some questions?",
                  "es": "¿Podemos hacerle algunas preguntas?",
                  "vi": "Chúng tôi có thể hỏi vài câu không?"},
        "required": True,
        "choices": [{"value": "yes", "label": {"en": "Yes", "es": "Sí", "vi": "Có"}},
                    {"value": "no", "label": {"en": "No", "es": "No", "vi": "Không"}}],
        "channels": ["sms", "web", "tablet"],
    }  # fmt: skip
    note = content["questions"][0]
    assert "required" not in note and "choices" not in note


def test_duplicate_ids_in_content_are_refused() -> None:
    with pytest.raises(ValueError, match="used twice"):
        Survey.from_content(
            {
                "id": "d", "title": {"en": "D"}, "languages": ["en"], "keywords": {"en": ["D"]},
                "questions": [{"id": "a", "type": "note", "label": {"en": "A"}},
                              {"id": "a", "type": "note", "label": {"en": "A"}}],
            }
        )  # fmt: skip
