"""The SMS lint of a survey: encoding and segment count of every text it sends by SMS.

Pure Python (no Flask). Two problems are reported, per survey, question (or message) and
language:

- ``over 2 segments``: each extra segment is billed and arrives as a separate, sometimes
  reordered, text on older phones; the fix is shorter wording.
- ``UCS-2 by avoidable characters``: a curly quote, dash or emoji forces the whole text
  into UCS-2, more than halving what fits in a segment, although replacing it would
  make it GSM-7. Languages whose script is outside GSM-7 (Vietnamese, Chinese, Korean,
  Arabic, ...) are UCS-2 by nature, and so are texts with an accented letter GSM-7
  lacks; neither is a finding.

Accepted exceptions live in a YAML data file (a list of ``{survey, question, language,
reason}``, optionally ``problem``); matching findings carry the reason in ``accepted``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from fieldscan.sms.render import render_question_sms
from fieldscan.sms.segments import SegmentInfo, max_units, measure, suggest_gsm
from fieldscan.survey.definition import Question, Survey

OVER_SEGMENTS = "over 2 segments"
AVOIDABLE_UCS2 = "UCS-2 by avoidable characters"
PROBLEMS = (OVER_SEGMENTS, AVOIDABLE_UCS2)

#: The most segments a text may take before it is a finding.
MAX_SEGMENTS = 2

#: The survey messages sent by SMS, in the order a respondent gets them.
MESSAGE_NAMES = ("intro", "completion")

Render = Callable[[Survey, Question, str], str]


@dataclass(frozen=True)
class LintFinding:
    """One problem with one SMS text; ``accepted`` is the exception's reason, if any."""

    survey_id: str
    question_id: str  # a question id, or "messages.intro" / "messages.completion"
    language: str
    encoding: str
    segments: int
    problem: str
    chars: tuple[str, ...]
    suggestion: str | None
    accepted: str | None = None

    def describe(self) -> str:
        """``"children_scan / resources / vi: UCS-2, 3 segments: over 2 segments"``."""
        line = (
            f"{self.survey_id} / {self.question_id} / {self.language}: "
            f"{self.encoding}, {plural(self.segments, 'segment')}: {self.problem}"
        )
        if self.problem == AVOIDABLE_UCS2 and self.chars:
            line += " (" + " ".join(_show(char) for char in self.chars) + ")"
        if self.accepted is not None:
            line += f"; accepted: {self.accepted}"
        return line


@dataclass(frozen=True)
class Measurement:
    """The encoding and size of one SMS text (what ``lint --all`` lists)."""

    survey_id: str
    question_id: str
    language: str
    text: str
    info: SegmentInfo


@dataclass(frozen=True)
class LintException:
    """An accepted finding, documented with a reason; ``problem`` None accepts either."""

    survey: str
    question: str
    language: str
    reason: str
    problem: str | None = None

    def matches(self, finding: LintFinding) -> bool:
        """Whether this exception covers ``finding``."""
        return (
            finding.survey_id == self.survey
            and finding.question_id == self.question
            and finding.language == self.language
            and (self.problem is None or finding.problem == self.problem)
        )


class LintExceptionsError(ValueError):
    """The exceptions file is not a list of well-formed entries."""


def plural(count: int, noun: str) -> str:
    """``"1 segment"``, ``"3 segments"`` (report lines are English, like the CLI)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _show(char: str) -> str:
    # Invisible or look-alike characters (no-break space, ZWJ) are named by code point.
    return char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"


def render_with_progress(survey: Survey, question: Question, language: str) -> str:
    """:func:`render_question_sms` with the question's place on the SMS path as progress.

    The total is every SMS question, the longest prefix a respondent can see; notes get
    no progress prefix.
    """
    asked = survey.sms_questions()
    number = next((i for i, q in enumerate(asked, 1) if q.id == question.id), None)
    if number is None:
        return render_question_sms(survey, question, language)
    return render_question_sms(survey, question, language, number, len(asked))


def sms_items(survey: Survey) -> list[Question]:
    """The questions and notes sent by SMS, in asking order."""
    return [q for q in survey.flat() if (q.takes_answer or q.is_note) and q.on_channel("sms")]


def measure_survey(survey: Survey, render: Render | None = None) -> list[Measurement]:
    """Every SMS text of ``survey`` in every language: intro, questions, completion.

    A survey with no SMS questions sends nothing by SMS, so it has no measurements.
    ``render`` gives a question's full SMS text (default :func:`render_with_progress`).
    """
    render = render or render_with_progress
    items = sms_items(survey)
    if not any(q.takes_answer for q in items):
        return []
    out: list[Measurement] = []

    def add(item_id: str, language: str, text: str | None) -> None:
        if text:
            out.append(Measurement(survey.id, item_id, language, text, measure(text)))

    for language in survey.languages:
        add("messages.intro", language, survey.text("intro", language))
    for question in items:
        for language in survey.languages:
            add(question.id, language, render(survey, question, language))
    for language in survey.languages:
        add("messages.completion", language, survey.text("completion", language))
    return out


def findings_for(measurement: Measurement) -> list[LintFinding]:
    """The problems of one measured text (none, one or both)."""
    info = measurement.info
    where = (measurement.survey_id, measurement.question_id, measurement.language)
    found: list[LintFinding] = []
    gsm_version = suggest_gsm(measurement.text) if info.encoding == "UCS-2" else None
    if info.segments > MAX_SEGMENTS:
        suggestion = _shorten_hint(info, gsm_version)
        found.append(
            LintFinding(*where, info.encoding, info.segments, OVER_SEGMENTS, (), suggestion)
        )
    if gsm_version is not None:
        forcing = info.characters_forcing_ucs2
        found.append(
            LintFinding(*where, info.encoding, info.segments, AVOIDABLE_UCS2, forcing, gsm_version)
        )
    return found


def _shorten_hint(info: SegmentInfo, gsm_version: str | None) -> str:
    if gsm_version is not None:
        gsm = measure(gsm_version)
        if gsm.segments <= MAX_SEGMENTS:
            return f"the GSM-7 version below fits in {gsm.segments} segments"
    limit = max_units(info.encoding, MAX_SEGMENTS)
    return (
        f"shorten by at least {info.units - limit} of {info.units} {info.encoding} units "
        f"({limit} fit in {MAX_SEGMENTS} segments)"
    )


def lint_survey(
    survey: Survey,
    render: Render | None = None,
    exceptions: Iterable[LintException] = (),
) -> list[LintFinding]:
    """The SMS problems of ``survey``, in sending order, with exceptions applied.

    ``render(survey, question, language)`` gives a question's full SMS text; the default
    is :func:`render_with_progress`.
    """
    accepted = list(exceptions)
    findings: list[LintFinding] = []
    for measurement in measure_survey(survey, render):
        for finding in findings_for(measurement):
            match = next((e for e in accepted if e.matches(finding)), None)
            findings.append(replace(finding, accepted=match.reason) if match else finding)
    return findings


def unused_exceptions(
    exceptions: Iterable[LintException], findings: Iterable[LintFinding], survey_ids: set[str]
) -> list[LintException]:
    """Exceptions for the linted surveys that no finding matched (fixed texts: stale)."""
    found = list(findings)
    return [
        e
        for e in exceptions
        if e.survey in survey_ids and not any(e.matches(finding) for finding in found)
    ]


_REQUIRED = ("survey", "question", "language", "reason")
_ALLOWED = frozenset((*_REQUIRED, "problem"))


def parse_exceptions(data: object, source: str = "exceptions") -> list[LintException]:
    """Check and convert the parsed YAML of an exceptions file (None means empty)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise LintExceptionsError(f"{source}: must be a list of {{{', '.join(_REQUIRED)}}}")
    out: list[LintException] = []
    seen: set[tuple[str, str, str, str | None]] = set()
    for number, entry in enumerate(data, 1):
        where = f"{source}: entry {number}"
        if not isinstance(entry, dict):
            raise LintExceptionsError(f"{where}: must be a mapping")
        unknown = sorted(str(key) for key in entry if key not in _ALLOWED)
        if unknown:
            raise LintExceptionsError(f"{where}: unknown field {unknown[0]!r}")
        for key in _REQUIRED:
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise LintExceptionsError(f"{where}: field {key!r} must be a non-empty string")
        problem = entry.get("problem")
        if problem is not None and problem not in PROBLEMS:
            raise LintExceptionsError(f"{where}: problem must be one of {', '.join(PROBLEMS)}")
        item = LintException(
            entry["survey"], entry["question"], entry["language"], entry["reason"].strip(), problem
        )
        key = (item.survey, item.question, item.language, item.problem)
        if key in seen:
            raise LintExceptionsError(f"{where}: duplicates an earlier entry")
        seen.add(key)
        out.append(item)
    return out


def load_exceptions(path: str | Path) -> list[LintException]:
    """The accepted exceptions in the YAML file ``path`` (none when it does not exist)."""
    path = Path(path)
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise LintExceptionsError(f"{path}: not valid YAML: {error}") from error
    return parse_exceptions(data, str(path))


def iter_lines(findings: Iterable[LintFinding]) -> Iterator[str]:
    """The report lines of ``findings``: the finding, then its suggestion if any."""
    for finding in findings:
        yield finding.describe()
        if finding.suggestion is not None and finding.accepted is None:
            yield "  suggestion: " + finding.suggestion.replace("\n", "\n              ")
