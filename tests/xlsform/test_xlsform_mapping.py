"""How pyxform's view of a form becomes a fieldscan survey: languages, names, references,
or_other, degradations and what the report says about them."""

from __future__ import annotations

import pytest

from fieldscan.survey import next_step
from fieldscan.xlsform import import_xlsform
from fieldscan.xlsform.importer import choose_keyword
from fieldscan.xlsform.languages import fieldscan_language, plan_languages
from fieldscan.xlsform.mapping import DECIMAL_CONSTRAINT, choice_value, normalize_id
from fieldscan.xlsform.references import Entry, ExpressionProblemError, Rewriter
from fieldscan.xlsform.texts import OTHER_CHOICE, SPECIFY_OTHER
from tests.xlsform.conftest import csv_form, xlsx_form

# --- languages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("English (en)", "en"),
        ("Español (es)", "es"),
        ("Arabic (ar)", "ar"),
        ("Chinese (zh)", "zh_Hant"),
        ("zh-Hant", "zh_Hant"),
        ("Traditional Chinese (zh-TW)", "zh_Hant"),
        ("EN", "en"),
        ("es", "es"),
        ("Tiếng Việt (vi)", "vi"),
        ("Swahili (sw)", None),
        ("French (fr)", None),
        ("english", None),
        ("Tetun", None),
        ("default", None),
    ],
)
def test_language_names_map_by_their_code(name, expected):
    assert fieldscan_language(name) == expected


MULTILINGUAL = [
    [
        "type", "name", "label::English (en)", "label::Español (es)", "label::Arabic (ar)",
        "label::Chinese (zh)", "label::Kiswahili (sw)", "hint::English (en)",
        "constraint", "constraint_message::English (en)", "constraint_message::Español (es)",
    ],
    ["integer", "age", "How old are you?", "¿Cuántos años tiene?", "كم عمرك؟", "你幾歲？",
     "Una miaka mingapi?", "In years", ". < 120", "Too old", "Demasiado"],
    ["text", "town", "Your town?", "¿Su pueblo?", "مدينتك؟", "", "Mji?", "", "", "", ""],
]  # fmt: skip


def test_supported_languages_are_kept_in_fieldscan_order_and_others_reported():
    result = import_xlsform(csv_form(MULTILINGUAL), "multi.csv")
    assert result.ok, result.errors
    survey = result.definition
    assert survey.languages == ("en", "es", "zh_Hant", "ar")
    age = survey.question("age")
    assert age.label == {
        "en": "How old are you?",
        "es": "¿Cuántos años tiene?",
        "zh_Hant": "你幾歲？",
        "ar": "كم عمرك؟",
    }
    assert age.hint == dict.fromkeys(survey.languages, "In years")  # no translation: English
    assert age.constraint_message["es"] == "Demasiado"
    assert age.constraint_message["ar"] == "Too old"
    town = survey.question("town")
    assert town.label["zh_Hant"] == "Your town?"  # the missing Chinese falls back to English
    assert survey.keywords == {lang: ["MULTI"] for lang in survey.languages}
    assert any("'Kiswahili (sw)'" in w and "left out" in w for w in result.warnings)
    assert any("no 'Chinese (zh)' translation" in w for w in result.warnings)


def test_a_form_without_language_codes_imports_as_english_with_a_warning():
    form = csv_form(
        [["type", "name", "label::english", "label::chinese"], ["text", "q", "Name?", "名字？"]]
    )
    result = import_xlsform(form, "nocodes.csv")
    assert result.ok
    assert result.definition.languages == ("en",)
    assert result.definition.question("q").label == {"en": "Name?"}
    assert any("'english'" in w and "imported as English (en)" in w for w in result.warnings)


def test_only_unsupported_languages_use_the_default_language_as_english():
    form = csv_form(
        [["type", "name", "label::Français (fr)"], ["text", "q", "Votre nom ?"]],
        settings=[["default_language"], ["Français (fr)"]],
    )
    result = import_xlsform(form, "fr.csv")
    assert result.ok
    assert result.definition.question("q").label == {"en": "Votre nom ?"}
    assert any("'Français (fr)'" in w for w in result.warnings)


def test_untranslated_columns_are_the_default_text():
    plan = plan_languages(["English (en)", "default", "Español (es)"], None)
    assert plan.languages == ["en", "es"]
    assert plan.resolve("Same") == {"en": "Same", "es": "Same"}
    assert plan.resolve({"default": "Base", "Español (es)": "Es"}) == {"en": "Base", "es": "Es"}
    assert plan.resolve({"English (en)": "  "}) is None


# --- names, choices and references -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Name", "name"),
        ("HPlevel", "hplevel"),
        ("label-test", "label_test"),
        ("Age-Years", "age_years"),
        ("_1", "q_1"),
        ("1st", "q_1st"),
        ("señal", "senal"),
        ("a.b", "a_b"),
        ("x" * 80, "x" * 64),
    ],
)
def test_names_become_lower_case_ids(name, expected):
    assert normalize_id(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Yes", "yes"), ("n1-c", "n1_c"), ("1.5", "1_5"), ("-99", "minus_99"), ("Sí", "si")],
)
def test_choice_names_become_choice_values(name, expected):
    assert choice_value(name) == expected


def _entries() -> dict[str, Entry]:
    return {
        "Age-Years": Entry("answer", "age_years"),
        "Consent": Entry("answer", "consent", choice_map={"Yes": "yes", "No": "no"}),
        "colors": Entry("answer", "colors", choice_map={"red-1": "red_1", "Blue": "blue"}),
        "double": Entry("calc", calculation="${Age-Years} * 2"),
        "bad_calc": Entry("calc", calculation="round(${Age-Years}, 1)"),
        "loop_a": Entry("calc", calculation="${loop_b} + 1"),
        "loop_b": Entry("calc", calculation="${loop_a} + 1"),
        "gps": Entry("gone", what="a GPS location"),
        "intro": Entry("display", "intro", what="a note"),
    }


@pytest.mark.parametrize(
    ("source", "owner", "field", "expected"),
    [
        ("${Age-Years} > 3", "colors", "relevant", "${age_years} > 3"),
        ("${Consent} = 'Yes'", "colors", "relevant", "${consent} = 'yes'"),
        ("'No' != ${Consent}", "colors", "relevant", "'no' != ${consent}"),
        ("selected(${colors}, 'red-1')", "Consent", "relevant", "selected(${colors}, 'red_1')"),
        ("selected(../colors, 'Blue')", "Consent", "relevant", "selected(${colors}, 'blue')"),
        ("/data/grp/Age-Years > 1", "colors", "relevant", "${age_years} > 1"),
        ("not(selected(., 'Blue'))", "colors", "constraint", "not(selected(., 'blue'))"),
        (". < ${Age-Years}", "colors", "constraint", ". < ${age_years}"),
        ("${Age-Years} < 120", "Age-Years", "constraint", ". < 120"),
        ("${double} > 6", "colors", "relevant", "(${age_years} * 2) > 6"),
        ("${gps} != ''", "colors", "relevant", "'' != ''"),
        ("${Consent} = 'Maybe'", "colors", "relevant", "${consent} = 'Maybe'"),
        ("regex(${Age-Years}, '[0-9]+')", "colors", "relevant", "regex(${age_years}, '[0-9]+')"),
    ],
)
def test_references_are_rewritten(source, owner, field, expected):
    rewriter = Rewriter(_entries())
    assert rewriter.rewrite(source, owner=owner, field_name=field).source == expected


@pytest.mark.parametrize(
    ("source", "owner", "field", "reason"),
    [
        ("round(${Age-Years}, 1) > 2", "colors", "relevant", "unknown function 'round()'"),
        ("${bad_calc} > 2", "colors", "relevant", "calculation 'bad_calc'"),
        ("${loop_a} > 2", "colors", "relevant", "depends on itself"),
        ("${intro} = 'x'", "colors", "relevant", "a note"),
        ("${nowhere} = 'x'", "colors", "relevant", "not a question of the form"),
        ("${Consent} = 'Yes'", "Consent", "relevant", "the question itself"),
        ("jr:choice-name(${Consent}, '${Consent}') = 'Yes'", "colors", "relevant", "':'"),
        ("count(/data/repeat) > 1", "colors", "relevant", "paths are not supported"),
        ("position(..) = 1", "colors", "relevant", "'..'"),
    ],
)
def test_unsupported_expressions_are_refused_with_a_reason(source, owner, field, reason):
    with pytest.raises(ExpressionProblemError) as caught:
        Rewriter(_entries()).rewrite(source, owner=owner, field_name=field)
    assert reason in str(caught.value)


def test_gone_references_are_noted():
    rewriter = Rewriter(_entries())
    rewriter.rewrite("${gps} = ''", owner="colors", field_name="relevant")
    assert rewriter.notes == [
        "relevant of 'colors' reads 'gps' (a GPS location), which is not imported: "
        "it counts as unanswered"
    ]


def test_names_are_normalized_and_references_follow():
    form = csv_form(
        [
            ["type", "name", "label", "relevant", "constraint"],
            ["select_one yn", "Consent", "Agree?", "", ""],
            ["integer", "Age-Years", "Age?", "${Consent} = 'Yes'", ". < 120"],
            ["begin_group", "Details", "Details", "${Age-Years} > 17", ""],
            ["text", "Name", "Name?", "", "string-length(${Name}) < 50"],
            ["end_group", "", "", "", ""],
            ["begin_group", "other_grp", "", "", ""],
            ["text", "name_", "Another name?", "", ""],
            ["end_group", "", "", "", ""],
        ],
        choices=[["list_name", "name", "label"], ["yn", "Yes", "Yes"], ["yn", "No", "No"]],
    )
    result = import_xlsform(form, "names.csv")
    assert result.ok, result.errors
    survey = result.definition
    assert survey.question("consent").type == "yes_no"
    assert survey.question("age_years").relevant == "${consent} = 'yes'"
    assert survey.question("details").relevant == "${age_years} > 17"
    assert survey.question("name").constraint == "string-length(.) < 50"
    assert survey.question("name_2").label == {"en": "Another name?"}  # 'name_' -> 'name' taken
    assert any("'Age-Years' -> 'age_years'" in w for w in result.warnings)
    assert next_step(survey, {}).question.id == "consent"


def test_or_other_adds_an_other_choice_and_a_translated_follow_up():
    form = csv_form(
        [
            ["type", "name", "label::English (en)", "label::Español (es)"],
            ["select_multiple colors or_other", "fav", "Colors?", "¿Colores?"],
        ],
        choices=[
            ["list_name", "name", "label::English (en)", "label::Español (es)"],
            ["colors", "red", "Red", "Rojo"],
        ],
    )
    result = import_xlsform(form, "other.csv")
    assert result.ok, result.errors
    survey = result.definition
    fav = survey.question("fav")
    assert [c.value for c in fav.choices] == ["red", "other"]
    assert fav.choices[1].label == {"en": OTHER_CHOICE["en"], "es": OTHER_CHOICE["es"]}
    follow_up = survey.question("fav_other")
    assert follow_up.type == "text"
    assert follow_up.relevant == "selected(${fav}, 'other')"
    assert follow_up.label == {"en": SPECIFY_OTHER["en"], "es": SPECIFY_OTHER["es"]}
    assert any("or_other" in w and "'fav_other'" in w for w in result.warnings)
    assert next_step(survey, {"fav": ["other"]}).question.id == "fav_other"
    assert next_step(survey, {"fav": ["red"]}).complete


# --- degradations and what the report says -----------------------------------------------


UNSUPPORTED = csv_form(
    [
        ["type", "name", "label", "relevant", "constraint", "required", "calculation",
         "choice_filter", "parameters", "default"],
        ["select_one yn", "consent", "Agree?", "", "", "yes", "", "", "", ""],
        ["begin_repeat", "kids", "Children", "${consent} = 'yes'", "", "", "", "", "", ""],
        ["text", "kid_name", "Name of the child?", "", "", "yes", "", "", "", ""],
        ["end_repeat", "", "", "", "", "", "", "", "", ""],
        ["geopoint", "where", "Where are you?", "", "", "", "", "", "", ""],
        ["image", "photo", "A photo", "", "", "", "", "", "", ""],
        ["decimal", "weight", "Weight?", "", ". > 0", "", "", "", "", "2.5"],
        ["range", "pain", "Pain?", "", "", "", "", "", "start=0 end=10 step=1", ""],
        ["time", "when", "What time?", "", "", "", "", "", "", ""],
        ["calculate", "rounded", "", "", "", "", "round(${weight}, 0)", "", "", ""],
        ["integer", "big", "Big?", "${rounded} > 3", "", "yes", "", "", "", ""],
        ["text", "why", "Why?", "", "", "${consent} = 'no'", "", "", "", ""],
        ["select_one yn", "again", "Again?", "", "", "", "", "${consent} = yn", "", ""],
        ["note", "thanks", "Thanks ${kid_name}!", "${where} = ''", "", "", "", "", "", ""],
        ["start", "start", "", "", "", "", "", "", "", ""],
    ],
    choices=[["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
)  # fmt: skip


def test_unsupported_features_are_listed_and_degrade_as_documented():
    result = import_xlsform(UNSUPPORTED, "features.csv")
    assert result.ok, result.errors
    survey = result.definition
    report = "\n".join(result.unsupported)

    def reported(name: str, *words: str) -> bool:
        return any(f"'{name}'" in line and all(w in line for w in words)
                   for line in result.unsupported)  # fmt: skip

    assert reported("kids", "survey row 3", "repeat", "asked once")
    assert survey.question("kids").is_group
    assert survey.question("kid_name").required
    assert reported("where", "GPS") and "where" not in survey
    assert reported("photo", "photo") and "photo" not in survey
    weight = survey.question("weight")
    assert weight.type == "text" and weight.constraint == f"(. > 0) and {DECIMAL_CONSTRAINT}"
    assert any("'weight'" in w and "default value" in w for w in result.warnings)
    pain = survey.question("pain")
    assert (pain.type, pain.min, pain.max) == ("integer", 0, 10)
    assert reported("pain", "range", "0 to 10")
    assert survey.question("when").type == "text" and reported("when", "free text")
    big = survey.question("big")
    assert big.relevant is None and not big.required  # relevance dropped: made optional
    assert reported("big", "relevant", "round()", "always asked")
    assert not survey.question("why").required and reported("why", "required only when")
    assert reported("again", "choice_filter", "every choice")
    thanks = survey.question("thanks")
    assert thanks.label == {"en": "Thanks …!"}
    assert thanks.relevant == "'' = ''"
    assert any("'thanks'" in w and "…" in w for w in result.warnings)
    assert reported("start", "metadata")
    assert "survey row" in report
    assert next_step(survey, {}).question.id == "consent"


def test_a_form_with_nothing_fieldscan_can_ask_is_refused():
    form = csv_form([["type", "name", "label"], ["geopoint", "gps", "Where?"], ["start", "s", ""]])
    result = import_xlsform(form, "gps.csv")
    assert not result.ok
    assert "nothing in this form can be asked" in result.errors[0]
    assert any("'gps'" in u for u in result.unsupported)


def test_more_than_twelve_questions_are_web_and_tablet_only():
    rows = [["type", "name", "label"]] + [["text", f"q{i}", f"Question {i}?"] for i in range(13)]
    result = import_xlsform(csv_form(rows), "long.csv")
    assert result.ok
    assert not result.definition.sms_questions()
    assert result.definition.question("q0").channels == ("web", "tablet")
    assert any("web and tablet only" in w for w in result.warnings)


def test_xlsx_and_csv_of_the_same_form_give_the_same_survey():
    survey = [["type", "name", "label"], ["text", "Name", "Name?"], ["integer", "age", "Age?"]]
    settings = [["form_id", "form_title"], ["same_form", "Same"]]
    from_csv = import_xlsform(csv_form(survey, settings=settings), "f.csv")
    from_xlsx = import_xlsform(xlsx_form(survey, settings=settings), "f.xlsx")
    assert from_csv.ok and from_xlsx.ok
    assert from_csv.definition.to_content() == from_xlsx.definition.to_content()


# --- ids and keywords --------------------------------------------------------------------


def test_survey_id_comes_from_form_id_or_the_option():
    form = csv_form(
        [["type", "name", "label"], ["text", "q", "Q?"]],
        settings=[["form_id", "form_title"], ["Clinic Intake-2024", "Intake"]],
    )
    assert import_xlsform(form, "x.csv").definition.id == "clinic_intake_2024"
    assert import_xlsform(form, "x.csv", survey_id="intake").definition.id == "intake"
    refused = import_xlsform(form, "x.csv", survey_id="Bad Id")
    assert not refused.ok and "--id 'Bad Id'" in refused.errors[0]


def test_keywords_come_from_sms_keyword_or_the_id_and_are_unique():
    assert choose_keyword(None, "transport", {})[0] == "TRANSPORT"
    assert choose_keyword("inf", "sms_info", {})[0] == "INF"
    assert choose_keyword("Señal de vida", "x", {})[0] == "SENALDEVIDA"
    taken = {"kids": "children_scan", "transport": "transport"}
    assert choose_keyword("kids", "mine", taken)[0] == "KIDS2"
    assert "used by survey 'children_scan'" in choose_keyword("kids", "mine", taken)[1]
    assert choose_keyword(None, "transport", taken)[0] == "TRANSPORT"  # its own keyword
    assert choose_keyword("stop", "x", {})[0] == "STOP2"
    assert len(choose_keyword(None, "a" * 64, {})[0]) == 20
