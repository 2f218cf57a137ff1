"""The survey flow: skip logic, groups, notes, progress, back navigation."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldscan.survey import (
    Survey,
    applicable_answers,
    is_complete,
    next_step,
    previous_question,
    relevant_questions,
)

TODAY = date(2024, 6, 15)


def ids(questions: object) -> list[str]:
    return [q.id for q in questions]  # type: ignore[attr-defined]


def test_first_step_shows_the_welcome_note(kids: Survey) -> None:
    step = next_step(kids, {})
    assert step.question is not None and step.question.id == "consent"
    assert ids(step.notes) == ["welcome"]
    assert not step.complete
    assert (step.progress.number, step.progress.total) == (1, 1)


def test_declining_ends_with_the_closing_note(kids: Survey) -> None:
    step = next_step(kids, {"consent": "no"})
    assert step.complete and step.question is None
    assert ids(step.notes) == ["no_consent_note"]
    assert str(step.progress) == "1/1"
    assert is_complete(kids, {"consent": "no"})


def test_full_web_flow(kids: Survey) -> None:
    answers: dict[str, object] = {"consent": "yes"}
    step = next_step(kids, answers)
    assert step.question.id == "child_count"  # type: ignore[union-attr]
    assert step.notes == ()
    # consent, child_count, services, birthday, phone, trusted
    assert str(step.progress) == "2/6"

    answers["child_count"] = 2
    step = next_step(kids, answers)
    assert step.question.id == "youngest_age"  # type: ignore[union-attr]
    assert ids(step.notes) == ["ages_note"]
    assert str(step.progress) == "3/7"

    answers["youngest_age"] = 4
    answers["services"] = ["school", "library"]
    step = next_step(kids, answers)
    assert step.question.id == "main_service"  # type: ignore[union-attr]
    assert str(step.progress) == "5/8"

    answers.update(main_service="school", birthday="2020-01-01", phone=None)
    step = next_step(kids, answers)
    assert step.question.id == "trusted"  # type: ignore[union-attr]
    assert str(step.progress) == "8/8"
    answers["trusted"] = "My sister"
    step = next_step(kids, answers)
    assert step.complete and step.question is None and str(step.progress) == "8/8"


def test_no_children_skips_the_age_questions(kids: Survey) -> None:
    step = next_step(kids, {"consent": "yes", "child_count": 0})
    assert step.question.id == "services"  # type: ignore[union-attr]
    assert step.notes == ()


def test_channels_filter_questions(kids: Survey) -> None:
    answers = {"consent": "yes", "child_count": 0, "services": ["wic"]}
    assert next_step(kids, answers, "web").question.id == "birthday"  # type: ignore[union-attr]
    sms = next_step(kids, answers, "sms")
    assert sms.question.id == "phone"  # type: ignore[union-attr]
    assert str(sms.progress) == "4/5"
    assert next_step(kids, answers, None).question.id == "birthday"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="unknown channel"):
        next_step(kids, answers, "fax")


def test_required_question_skipped_is_asked_again(kids: Survey) -> None:
    assert next_step(kids, {"consent": None}).question.id == "consent"  # type: ignore[union-attr]
    # an optional skipped question counts as answered
    step = next_step(kids, {"consent": "yes", "child_count": 0, "services": None})
    assert step.question.id == "birthday"  # type: ignore[union-attr]


def test_back_navigation_and_changed_answers(kids: Survey) -> None:
    answers: dict[str, object] = {
        "consent": "yes", "child_count": 2, "youngest_age": 3, "services": ["school", "wic"],
        "main_service": "wic",
    }  # fmt: skip
    assert previous_question(kids, answers, "birthday").id == "main_service"  # type: ignore[union-attr]
    assert previous_question(kids, answers, "youngest_age").id == "child_count"  # type: ignore[union-attr]
    assert previous_question(kids, answers, "consent") is None
    assert previous_question(kids, answers, "children").id == "consent"  # type: ignore[union-attr]
    assert previous_question(kids, answers, None).id == "main_service"  # type: ignore[union-attr]
    # on SMS the web-only birthday question is never a "previous" one
    answers["birthday"] = "2020-01-01"
    assert previous_question(kids, answers, "phone", "sms").id == "main_service"  # type: ignore[union-attr]
    assert previous_question(kids, answers, "phone", "web").id == "birthday"  # type: ignore[union-attr]

    # going back and changing answers clears what no longer applies
    answers["services"] = ["school"]
    kept = applicable_answers(kids, answers)
    assert "main_service" not in kept and kept["services"] == ["school"]
    answers["consent"] = "no"
    assert applicable_answers(kids, answers) == {"consent": "no"}
    assert next_step(kids, answers).complete


def test_applicable_answers_drops_unknown_ids_and_chains(kids: Survey) -> None:
    answers = {"consent": "yes", "child_count": 0, "youngest_age": 4, "welcome": "x", "zzz": 1}
    assert applicable_answers(kids, answers) == {"consent": "yes", "child_count": 0}


def test_relevant_questions(kids: Survey) -> None:
    answers = {"consent": "yes", "child_count": 1}
    assert ids(relevant_questions(kids, answers, "sms")) == [
        "consent", "child_count", "youngest_age", "services", "phone", "trusted",
    ]  # fmt: skip
    with_notes = relevant_questions(kids, answers, "sms", include_notes=True)
    assert ids(with_notes)[:4] == ["welcome", "consent", "child_count", "ages_note"]


def test_today_is_passed_to_relevance() -> None:
    survey = Survey.from_content(
        {
            "id": "dated",
            "title": {"en": "D"},
            "languages": ["en"],
            "keywords": {"en": ["D"]},
            "questions": [
                {"id": "d", "type": "date", "label": {"en": "D"}, "channels": ["web"]},
                {"id": "late", "type": "text", "label": {"en": "L"}, "relevant": "today() > ${d}"},
            ],
        }
    )
    answers = {"d": "2024-06-20"}
    assert next_step(survey, answers, today=TODAY).complete
    assert next_step(survey, answers, today=date(2024, 7, 1)).question.id == "late"  # type: ignore[union-attr]


ANSWER_VALUES = st.sampled_from(
    [None, "yes", "no", 0, 1, 2, 5, 17, "2020-01-01", ["school"], ["school", "wic"], "x", ""]
)


@settings(
    database=None,
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    data=st.data(),
    start=st.dictionaries(
        st.sampled_from(["consent", "child_count", "youngest_age", "services", "main_service",
                         "birthday", "phone", "trusted", "welcome", "unknown"]),
        ANSWER_VALUES, max_size=6,
    ),
    channel=st.sampled_from(["sms", "web", "tablet", None]),
)  # fmt: skip
def test_next_step_properties(
    kids: Survey, data: st.DataObject, start: dict[str, object], channel: str | None
) -> None:
    answers = dict(start)
    for _ in range(len(kids.flat()) + 1):
        step = next_step(kids, answers, channel, today=TODAY)
        assert 0 <= step.progress.number <= step.progress.total
        kept = applicable_answers(kids, answers)
        for note in step.notes:
            assert note.is_note and note.is_relevant(kept) and note.on_channel(channel)
        if step.complete:
            assert step.question is None
            assert is_complete(kids, answers, channel, today=TODAY)
            return
        question = step.question
        assert question is not None and question.takes_answer
        assert question.is_relevant(kept) and question.on_channel(channel)
        assert question.id not in answers or (answers[question.id] is None and question.required)
        assert step.progress.number >= 1
        answers[question.id] = data.draw(ANSWER_VALUES.filter(lambda v: v is not None))
    pytest.fail("next_step did not reach the end")
