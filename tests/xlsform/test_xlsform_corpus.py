"""The whole shared corpus of real XLSForms (../shared/xlsforms), as its README judges them.

Every good form imports, passes the survey loader's validation, survives storage and can be
run by the engine; the three bad ones are refused with pyxform's message located on a
sheet and row, and store nothing. ``kobo/transportation.csv`` is not a form but a data
export of transportation.xls (pyxform itself crashes on it): it is refused as such.
"""

from __future__ import annotations

import pytest

from fieldscan.instruments.services import definition_of, get_version
from fieldscan.survey import MAX_SMS_QUESTIONS, Survey, next_step
from fieldscan.xlsform import import_xlsform
from fieldscan.xlsform.services import import_and_store
from fieldscan.xlsform.texts import OTHER_CHOICE, SPECIFY_OTHER
from tests.xlsform.conftest import stored_counts

#: The 20 good forms of the README (case_insensitivity in both formats: 21 files).
GOOD = [
    "pyxform/UCL_Biomass_Plot_Form.xlsx",
    "pyxform/xlsform_spec_test.xlsx",
    "pyxform/flat_xlsform_test.xlsx",
    "pyxform/field-list.xlsx",
    "pyxform/cascading_select_test_equivalent.xls",
    "pyxform/choice_filter_test.xlsx",
    "pyxform/case_insensitivity.xlsx",
    "pyxform/case_insensitivity.csv",
    "pyxform/group.xlsx",
    "pyxform/specify_other.xlsx",
    "pyxform/or_other.xlsx",
    "pyxform/yes_or_no_question.xlsx",
    "pyxform/sms_info.xls",
    "pyxform/widgets.xls",
    "pyxform/tutorial.xls",
    "pyxform/xl_date_ambiguous.xlsx",
    "kobo/good_eats_multilang.xls",
    "kobo/tutorial_arabic_labels.xls",
    "kobo/form_with_unicode_in_relevant_column.xlsx",
    "kobo/MCH_v1.xls",
    "kobo/transportation.xls",
]
#: The three forms pyxform refuses, with the location and problem the refusal must name.
BAD = {
    "pyxform/duplicate_columns.xlsx": ("'survey' sheet, row 1", "Duplicate column header: label"),
    "pyxform/calculate_without_calculation.xls": ("'survey' sheet, row 34", "Missing calculation"),
    "pyxform/include.xlsx": ("'survey' sheet, row 3", "'include' 'yes_or_no_question'"),
}
#: Not an XLSForm: the submissions exported from transportation.xls.
NOT_A_FORM = {"kobo/transportation.csv": "no 'survey' sheet"}


def _read(corpus, name: str) -> bytes:
    return (corpus / name).read_bytes()


def test_the_corpus_is_the_one_described(corpus):
    files = {
        p.relative_to(corpus).as_posix()
        for p in corpus.rglob("*")
        if p.suffix in (".xlsx", ".xls", ".csv")
    }
    assert files == set(GOOD) | set(BAD) | set(NOT_A_FORM)
    forms = {name.removesuffix(".csv").removesuffix(".xlsx") for name in GOOD}
    assert len(forms) == 20 and len(BAD) == 3


@pytest.mark.parametrize("name", GOOD)
def test_good_form_imports_and_runs(corpus, name):
    result = import_xlsform(_read(corpus, name), name)
    assert result.ok, result.errors
    survey = result.definition
    assert isinstance(survey, Survey)
    # The definition passed the loader's validation inside the importer; storage keeps it.
    again = Survey.from_content(survey.to_content())
    assert again == survey and again.content_hash() == survey.content_hash()
    for channel in ("web", "tablet", "sms"):
        step = next_step(again, {}, channel=channel)
        if channel != "sms" or survey.sms_questions():
            assert step.question is not None or step.complete
    assert len(survey.flat()) > 0
    assert len(survey.sms_questions()) <= MAX_SMS_QUESTIONS
    assert set(survey.keywords) == set(survey.languages)
    assert all(isinstance(line, str) and line for line in result.warnings + result.unsupported)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_form_is_refused_with_sheet_row_and_problem(corpus, name):
    result = import_xlsform(_read(corpus, name), name)
    assert not result.ok and result.definition is None
    where, problem = BAD[name]
    message = " ".join(result.errors)
    assert where in message and problem in message
    assert message.startswith(name.split("/")[1] + ": ")


def test_a_data_export_is_not_a_form(corpus):
    name = "kobo/transportation.csv"
    result = import_xlsform(_read(corpus, name), name)
    assert not result.ok and NOT_A_FORM[name] in result.errors[0]


def test_case_insensitivity_xlsx_and_csv_give_the_same_survey(corpus):
    xlsx = import_xlsform(_read(corpus, "pyxform/case_insensitivity.xlsx"), "a.xlsx")
    csv = import_xlsform(_read(corpus, "pyxform/case_insensitivity.csv"), "a.csv")
    assert xlsx.ok and csv.ok
    assert xlsx.definition.to_content() == csv.definition.to_content()
    assert xlsx.definition.id == "yesno" and xlsx.definition.languages == ("en",)
    assert xlsx.unsupported == csv.unsupported


def test_what_the_corpus_forms_become(corpus):
    def imported(name):
        result = import_xlsform(_read(corpus, name), name)
        assert result.ok, result.errors
        return result

    ucl = imported("pyxform/UCL_Biomass_Plot_Form.xlsx")
    assert ucl.definition.languages == ("en",)
    assert any("'Swahili (sw)'" in w and "left out" in w for w in ucl.warnings)
    assert any("repeat 'trees'" in u and "asked once" in u for u in ucl.unsupported)
    assert any("geopoint 'center_point'" in u for u in ucl.unsupported)
    assert "center_point" not in ucl.definition
    assert ucl.definition.question("trees").is_group
    assert any("round()" in u for u in ucl.unsupported)  # calculations with round() dropped
    assert not ucl.definition.sms_questions()  # 50 questions: web and tablet only

    spec = imported("pyxform/xlsform_spec_test.xlsx")
    assert spec.definition.id == "spec_test"
    assert any("no language column names a code" in w for w in spec.warnings)

    group = imported("pyxform/group.xlsx")
    assert group.definition.question("father").is_group
    assert group.definition.question("phone_number").type == "phone"

    sms = imported("pyxform/sms_info.xls")
    assert sms.definition.keywords == {"en": ["INF"]}

    other = imported("pyxform/or_other.xlsx").definition
    fav = other.question("fav_color")
    assert fav.choices[-1].value == "other" and fav.choices[-1].label == {"en": OTHER_CHOICE["en"]}
    follow_up = other.question("fav_color_other")
    assert follow_up.relevant == "selected(${fav_color}, 'other')"
    assert follow_up.label == {"en": SPECIFY_OTHER["en"]}

    yes_no = imported("pyxform/yes_or_no_question.xlsx").definition
    assert yes_no.question("good_day").type == "yes_no"

    mch = imported("kobo/MCH_v1.xls").definition
    assert mch.question("hplevel").relevant == "${lab}='yes'"

    cascading = imported("pyxform/cascading_select_test_equivalent.xls").definition
    # ${mylga_state} is a calculate field: its calculation is used in its place.
    assert cascading.question("mylga_lga_in_state_1").relevant.startswith("(if(${mylga_zone}")

    transport = imported("kobo/transportation.xls").definition
    ambulance = transport.question("frequency_to_referral_facility_ambulance")
    assert ambulance.label == {"en": "Is ambulance available daily or weekly?"}
    assert "'ambulance'" in ambulance.relevant

    eats = imported("kobo/good_eats_multilang.xls")
    assert any("photo 'food_photo'" in u for u in eats.unsupported)
    assert eats.definition.question("amount").type == "text"  # decimal: text with a check

    widgets = imported("pyxform/widgets.xls")
    assert any("default value" in w for w in widgets.warnings)
    assert widgets.definition.question("my_trigger").is_note


def test_every_good_form_is_stored_and_the_bad_ones_store_nothing(app, corpus):
    for name in sorted(BAD) + sorted(NOT_A_FORM):
        stored = import_and_store(_read(corpus, name), name, max_bytes=5_000_000)
        assert not stored.ok and stored.stored is None
    assert stored_counts() == (0, 0)
    ids = set()
    for name in GOOD:
        stored = import_and_store(_read(corpus, name), name, max_bytes=5_000_000)
        assert stored.ok, stored.result.errors
        ids.add(stored.stored.survey_id)
        version = get_version(stored.stored.survey_id)
        assert definition_of(version) == stored.result.definition
    # case_insensitivity.csv is the same survey as the .xlsx: no new version.
    assert stored_counts() == (20, 20) and len(ids) == 20
    keywords = [
        word for survey_id in ids for word in definition_of(get_version(survey_id)).keywords["en"]
    ]
    assert len(keywords) == len(set(keywords))  # each survey its own keyword
