"""The survey flow, the same on every channel: what to ask next, going back, what counts.

All functions are pure over a :class:`Survey` and an answers mapping
``{question_id: value}``; a key present with the value None means "skipped". Answer
validation lives in :mod:`fieldscan.survey.answers` and is re-exported here so channels
need only this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from fieldscan.survey.answers import AnswerResult, choice_lines, validate_answer
from fieldscan.survey.definition import Question, Survey
from fieldscan.survey.schema import CHANNELS

__all__ = [
    "AnswerResult",
    "Progress",
    "Step",
    "applicable_answers",
    "choice_lines",
    "is_complete",
    "next_step",
    "previous_question",
    "relevant_questions",
    "validate_answer",
]


@dataclass(frozen=True)
class Progress:
    """``number`` of ``total`` currently relevant questions on the channel (1-based)."""

    number: int
    total: int

    def __str__(self) -> str:
        return f"{self.number}/{self.total}"


@dataclass(frozen=True)
class Step:
    """What to present next: notes to show, then ``question`` (None when complete)."""

    question: Question | None
    notes: tuple[Question, ...]
    complete: bool
    progress: Progress


def _check_channel(channel: str | None) -> None:
    if channel is not None and channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; use one of {', '.join(CHANNELS)}")


def _is_answered(question: Question, answers: Mapping[str, object]) -> bool:
    # A required question stored as skipped (None) still needs its answer.
    if question.id not in answers:
        return False
    return answers[question.id] is not None or not question.required


def applicable_answers(
    survey: Survey, answers: Mapping[str, object], today: date | None = None
) -> dict[str, object]:
    """The answers that still count: those to relevant questions of this survey.

    After a respondent goes back and changes an answer, questions may stop being relevant;
    their answers are dropped (XLSForm clears non-relevant values). Relevance is evaluated
    against the answers kept so far, repeating until nothing more is dropped, so a chain of
    dependent questions is cleared in one call.
    """
    kept = {
        key: value
        for key, value in answers.items()
        if key in survey and survey.question(key).takes_answer
    }
    questions = [q for q in survey.flat() if q.takes_answer]
    changed = True
    while changed:  # each pass only removes keys, so this ends within len(questions) passes
        changed = False
        for question in questions:
            if question.id in kept and not question.is_relevant(kept, today):
                del kept[question.id]
                changed = True
    return kept


def relevant_questions(
    survey: Survey,
    answers: Mapping[str, object],
    channel: str | None = "web",
    today: date | None = None,
    *,
    include_notes: bool = False,
) -> list[Question]:
    """The questions (and optionally notes) currently relevant on ``channel``, in order."""
    _check_channel(channel)
    kept = applicable_answers(survey, answers, today)
    return [
        q
        for q in survey.flat()
        if (q.takes_answer or (include_notes and q.is_note))
        and q.on_channel(channel)
        and q.is_relevant(kept, today)
    ]


def next_step(
    survey: Survey,
    answers: Mapping[str, object],
    channel: str | None = "web",
    today: date | None = None,
) -> Step:
    """The next relevant, unanswered question on ``channel`` and the notes before it.

    Notes are the relevant ones between the last answered question before the next one
    and the next one (or the end of the survey once complete). ``channel=None`` means any.
    """
    items = relevant_questions(survey, answers, channel, today, include_notes=True)
    asked = [q for q in items if q.takes_answer]
    position = next((i for i, q in enumerate(items) if q.takes_answer
                     and not _is_answered(q, answers)), len(items))  # fmt: skip
    start = 0
    for i in range(position - 1, -1, -1):
        if items[i].takes_answer:
            start = i + 1
            break
    notes = tuple(q for q in items[start:position] if q.is_note)
    if position == len(items):
        return Step(None, notes, True, Progress(len(asked), len(asked)))
    question = items[position]
    number = asked.index(question) + 1
    return Step(question, notes, False, Progress(number, len(asked)))


def previous_question(
    survey: Survey,
    answers: Mapping[str, object],
    current_id: str | None,
    channel: str | None = "web",
    today: date | None = None,
) -> Question | None:
    """The closest earlier relevant question on ``channel`` that was answered or skipped.

    ``current_id`` None means "from the end" (e.g. back from the completion page).
    Returns None at the first question.
    """
    order = {q.id: i for i, q in enumerate(survey.flat(include_groups=True))}
    limit = len(order) if current_id is None else order[survey.question(current_id).id]
    candidates = [
        q
        for q in relevant_questions(survey, answers, channel, today)
        if order[q.id] < limit and q.id in answers
    ]
    return candidates[-1] if candidates else None


def is_complete(
    survey: Survey,
    answers: Mapping[str, object],
    channel: str | None = "web",
    today: date | None = None,
) -> bool:
    """Whether every relevant question on ``channel`` has been answered (or skipped)."""
    return next_step(survey, answers, channel, today).complete
