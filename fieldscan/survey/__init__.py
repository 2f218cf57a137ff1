"""The survey engine: definitions, loading, expressions and the per-channel flow.

Pure Python (no Flask): the web app, SMS handlers, tablets and background jobs all run
surveys through these functions. See docs/survey-format.md for the YAML format.
"""

from __future__ import annotations

from fieldscan.survey.answers import AnswerResult, choice_lines, match_choice, validate_answer
from fieldscan.survey.definition import Choice, Question, Survey, canonical_json, keyword_key
from fieldscan.survey.engine import (
    Progress,
    Step,
    applicable_answers,
    is_complete,
    next_step,
    previous_question,
    relevant_questions,
)
from fieldscan.survey.expressions import Expression, ExpressionError, parse, truthy
from fieldscan.survey.loader import (
    MAX_SMS_QUESTIONS,
    DefinitionIssue,
    SurveyDefinitionError,
    load_directory,
    load_file,
)

__all__ = [
    "MAX_SMS_QUESTIONS",
    "AnswerResult",
    "Choice",
    "DefinitionIssue",
    "Expression",
    "ExpressionError",
    "Progress",
    "Question",
    "Step",
    "Survey",
    "SurveyDefinitionError",
    "applicable_answers",
    "canonical_json",
    "choice_lines",
    "is_complete",
    "keyword_key",
    "load_directory",
    "load_file",
    "match_choice",
    "next_step",
    "parse",
    "previous_question",
    "relevant_questions",
    "truthy",
    "validate_answer",
]
