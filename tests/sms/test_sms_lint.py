"""The SMS lint: findings, suggestions, exceptions and ``fieldscan surveys lint``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fieldscan import create_app
from fieldscan.sms.lint import (
    AVOIDABLE_UCS2,
    OVER_SEGMENTS,
    LintException,
    LintExceptionsError,
    lint_survey,
    measure_survey,
    parse_exceptions,
)
from fieldscan.sms.render import render_question_sms
from fieldscan.survey import load_file

# Inline {lang: text} mappings everywhere, so no catalog is needed. The choices of
# "services" are long enough that the question needs 3 GSM-7 segments in English and,
# with the Spanish accents making it UCS-2, more in Spanish.
SURVEY_YAML = """\
id: clinic_sms
title: {en: Clinic survey, es: Encuesta de la clínica}
languages: [en, es]
keywords:
  en: [CLINIC]
  es: [CLINICA]
messages:
  intro: {en: "Thanks for helping “our clinic”. Reply STOP to stop.",
          es: "Gracias por ayudar. Mande STOP para salir."}
  completion: {en: Thank you!, es: ¡Gracias!}
questions:
  - id: child_name
    type: text
    label: {en: "What’s your child’s first name?", es: "Nombre de su hijo o hija?"}
  - id: services
    type: select_multiple
    label: {en: "In the last 12 months, which of these programs did your family use?",
            es: "En los últimos 12 meses, cuáles de estos programas usó su familia?"}
    choices:
      - {value: a, label: {en: School programs after class and in summer,
                           es: Programas de la escuela después de clase y en verano}}
      - {value: b, label: {en: The public library and its reading hour for children,
                           es: La biblioteca pública y su hora de lectura para niños}}
      - {value: c, label: {en: Food help such as WIC or CalFresh or a food bank,
                           es: Ayuda con comida como WIC o CalFresh o un banco de comida}}
      - {value: d, label: {en: Sports teams and other activities for young people,
                           es: Equipos de deportes y otras actividades para jóvenes}}
      - {value: e, label: {en: None of these, es: Ninguno de estos}}
  - id: consent
    type: yes_no
    label: {en: "May we text you again?", es: "Podemos escribirle otra vez?"}
  - id: web_only
    type: text
    channels: [web, tablet]
    label: {en: "A “web only” question…", es: "Una pregunta “solo web”…"}
"""


@pytest.fixture
def survey_dir(tmp_path: Path) -> Path:
    """A definitions folder holding clinic_sms.yaml."""
    folder = tmp_path / "surveys"
    folder.mkdir()
    (folder / "clinic_sms.yaml").write_text(SURVEY_YAML, encoding="utf-8")
    return folder


@pytest.fixture
def survey(survey_dir: Path):
    """The clinic_sms survey, loaded through the real loader."""
    return load_file(survey_dir / "clinic_sms.yaml")


def _keys(findings):
    return {(f.question_id, f.language, f.problem) for f in findings}


def test_render_has_progress_label_numbered_choices_and_the_multi_select_hint(survey):
    text = render_question_sms(survey, survey.question("services"), "en", 2, 3)
    lines = text.split("\n")
    assert lines[0] == "2/3 In the last 12 months, which of these programs did your family use?"
    assert lines[1] == "1) School programs after class and in summer"
    assert lines[5] == "5) None of these"
    assert lines[6] == "Send all numbers that apply, like 1 3."
    consent = render_question_sms(survey, survey.question("consent"), "es")
    assert consent == "Podemos escribirle otra vez?\n1) Sí\n2) No"
    assert render_question_sms(survey, survey.question("child_name"), "es") == (
        "Nombre de su hijo o hija?"
    )


def test_findings_of_the_fixture(survey):
    findings = lint_survey(survey)
    assert _keys(findings) == {
        ("messages.intro", "en", AVOIDABLE_UCS2),
        ("child_name", "en", AVOIDABLE_UCS2),
        ("services", "en", OVER_SEGMENTS),
        ("services", "es", OVER_SEGMENTS),
    }
    assert all(f.survey_id == "clinic_sms" and f.accepted is None for f in findings)


def test_a_curly_quote_is_a_finding_with_a_gsm_suggestion(survey):
    (finding,) = [f for f in lint_survey(survey) if f.question_id == "child_name"]
    assert finding.encoding == "UCS-2"
    assert finding.segments == 1
    assert finding.chars == ("’",)
    # The suggestion is the whole SMS, progress prefix of the 3 SMS questions included.
    assert finding.suggestion == "1/3 What's your child's first name?"
    assert finding.describe() == (
        "clinic_sms / child_name / en: UCS-2, 1 segment: UCS-2 by avoidable characters (’)"
    )


def test_a_long_question_is_a_finding_with_how_much_to_cut(survey):
    found = {f.language: f for f in lint_survey(survey) if f.question_id == "services"}
    english, spanish = found["en"], found["es"]
    assert (english.encoding, english.segments) == ("GSM-7", 3)
    assert (spanish.encoding, spanish.problem) == ("UCS-2", OVER_SEGMENTS)
    assert spanish.segments > 3
    assert english.suggestion.startswith("shorten by at least ")
    assert "(306 fit in 2 segments)" in english.suggestion
    assert "(134 fit in 2 segments)" in spanish.suggestion


def test_accents_that_gsm_lacks_are_not_a_finding(survey):
    # "Encuesta de la clínica" style Spanish texts are UCS-2 but nothing can be replaced.
    spanish = [f for f in lint_survey(survey) if f.language == "es"]
    assert {f.problem for f in spanish} == {OVER_SEGMENTS}


def test_questions_not_asked_by_sms_are_not_measured(survey):
    measured = {m.question_id for m in measure_survey(survey)}
    assert measured == {
        "messages.intro",
        "child_name",
        "services",
        "consent",
        "messages.completion",
    }


def test_render_is_the_callers(survey):
    def render(survey, question, language):
        return "x" * 400 if question.id == "consent" else "short"

    findings = lint_survey(survey, render)
    assert {(f.question_id, f.problem) for f in findings if f.question_id != "messages.intro"} == {
        ("consent", OVER_SEGMENTS)
    }


def test_an_accepted_exception_carries_its_reason(survey):
    exception = LintException("clinic_sms", "services", "es", "7 long choices", OVER_SEGMENTS)
    findings = lint_survey(survey, exceptions=[exception])
    accepted = [f for f in findings if f.accepted is not None]
    assert [(f.question_id, f.language) for f in accepted] == [("services", "es")]
    assert accepted[0].describe().endswith("over 2 segments; accepted: 7 long choices")


def test_exceptions_are_checked():
    good = [{"survey": "s", "question": "q", "language": "es", "reason": "why"}]
    assert parse_exceptions(good) == [LintException("s", "q", "es", "why")]
    assert parse_exceptions(None) == []
    with pytest.raises(LintExceptionsError, match="must be a list"):
        parse_exceptions({"survey": "s"})
    with pytest.raises(LintExceptionsError, match="'reason' must be a non-empty string"):
        parse_exceptions([{**good[0], "reason": " "}])
    with pytest.raises(LintExceptionsError, match="unknown field 'langauge'"):
        parse_exceptions([{**good[0], "langauge": "es"}])
    with pytest.raises(LintExceptionsError, match="problem must be one of"):
        parse_exceptions([{**good[0], "problem": "too long"}])
    with pytest.raises(LintExceptionsError, match="entry 2: duplicates"):
        parse_exceptions(good * 2)


# --- the command ----------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path):
    """A CLI runner on an app that never touches a database."""
    app = create_app(
        {
            "TESTING": True,
            "FIELDSCAN_DATABASE_URL": "sqlite://",
            "FIELDSCAN_SECRET_KEY": "x" * 32,
            "FIELDSCAN_INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["surveys", "lint", *args])


def _write_exceptions(folder: Path, text: str) -> None:
    (folder / "lint").mkdir(exist_ok=True)
    (folder / "lint" / "exceptions.yaml").write_text(textwrap.dedent(text), encoding="utf-8")


def test_lint_fails_on_findings_and_prints_suggestions(cli, survey_dir):
    result = cli(str(survey_dir))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert "clinic_sms / services / en: GSM-7, 3 segments: over 2 segments" in lines
    assert (
        "clinic_sms / child_name / en: UCS-2, 1 segment: UCS-2 by avoidable characters (’)" in lines
    )
    assert "  suggestion: 1/3 What's your child's first name?" in lines
    assert lines[-1] == "1 survey, 10 SMS texts: 4 findings, 0 accepted exceptions"


EXCEPTIONS = """\
    - {survey: clinic_sms, question: services, language: en, reason: four long choices}
    - {survey: clinic_sms, question: services, language: es, reason: four long choices}
    - {survey: clinic_sms, question: child_name, language: en, reason: the apostrophe style}
    - survey: clinic_sms
      question: messages.intro
      language: en
      problem: UCS-2 by avoidable characters
      reason: quotes kept on purpose
    """


def test_lint_passes_when_every_finding_is_an_accepted_exception(cli, survey_dir):
    _write_exceptions(survey_dir, EXCEPTIONS)
    result = cli(str(survey_dir))
    assert result.exit_code == 0, result.output
    assert "over 2 segments; accepted: four long choices" in result.output
    assert "suggestion:" not in result.output
    assert result.output.splitlines()[-1] == (
        "1 survey, 10 SMS texts: 0 findings, 4 accepted exceptions"
    )
    # A single file finds the exceptions of its folder too.
    assert cli(str(survey_dir / "clinic_sms.yaml")).exit_code == 0


def test_lint_still_fails_on_a_finding_without_exception(cli, survey_dir):
    _write_exceptions(survey_dir, EXCEPTIONS.split("    - survey: clinic_sms\n")[0])
    result = cli(str(survey_dir))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].endswith(": 1 finding, 3 accepted exceptions")


def test_stale_exceptions_are_noted_but_do_not_fail(cli, survey_dir):
    _write_exceptions(
        survey_dir,
        EXCEPTIONS + "- {survey: clinic_sms, question: consent, language: es, reason: old}\n",
    )
    result = cli(str(survey_dir))
    assert result.exit_code == 0, result.output
    assert "note: exception no longer needed: clinic_sms / consent / es" in result.output


def test_lint_all_lists_every_sms_text(cli, survey_dir):
    result = cli("--all", str(survey_dir))
    lines = result.output.splitlines()
    assert "clinic_sms / consent / en: GSM-7, 39 units, 1 segment" in lines
    assert "clinic_sms / consent / es: UCS-2, 44 units, 1 segment" in lines  # "Sí"
    assert "clinic_sms / messages.completion / es: GSM-7, 9 units, 1 segment" in lines
    assert sum(1 for line in lines if line.count(" / ") == 2 and " units, " in line) == 10
    assert not any("web_only" in line for line in lines)


def test_lint_refuses_a_broken_exceptions_file(cli, survey_dir):
    _write_exceptions(survey_dir, "- {survey: clinic_sms}\n")
    result = cli(str(survey_dir))
    assert result.exit_code != 0
    assert "entry 1: field 'question' must be a non-empty string" in result.output
    missing = cli("--exceptions", str(survey_dir / "nope.yaml"), str(survey_dir))
    assert missing.exit_code != 0 and "no such file" in missing.output


def test_lint_refuses_invalid_definitions(cli, survey_dir):
    (survey_dir / "clinic_sms.yaml").write_text("id: clinic_sms\n", encoding="utf-8")
    result = cli(str(survey_dir))
    assert result.exit_code != 0
    assert "nothing was linted" in result.output


def test_the_shipped_instruments_pass_with_documented_exceptions(cli):
    # Stale entries (a text got shorter, e.g. once the multi-select hint is translated) are
    # only noted by the command, so translating never breaks this test; new findings do.
    result = cli()
    assert result.exit_code == 0, result.output
