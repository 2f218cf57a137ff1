"""FHIR R4 export: a valid collection Bundle of Questionnaire(s) and QuestionnaireResponses."""

from __future__ import annotations

import json
import re

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from sqlalchemy import select

from fieldscan.exports import fhir, sdoh
from fieldscan.extensions import db
from fieldscan.models import AuditEvent, Site
from fieldscan.survey import Question, Survey
from fieldscan.survey.definition import Choice, yes_no_choices
from tests.exports.conftest import (
    ABANDONED,
    PROBE_ANSWERS,
    PROBE_UUID,
    PROBE_YAML,
    SECRET_PHONE,
    SITE,
    store,
    sync_item,
)
from tests.fixtures_sms import Phone

UUID1 = "0b7c4c2e-4a43-4d2e-9a52-000000000001"
UUID2 = "0b7c4c2e-4a43-4d2e-9a52-000000000002"


def export(app, tmp_path, survey="children_scan", *extra: str) -> tuple[str, dict]:
    """Run ``fieldscan export responses --format fhir``; the file's text and its JSON."""
    out = tmp_path / f"{survey}.fhir.json"
    result = app.test_cli_runner().invoke(
        args=[
            "export",
            "responses",
            "--survey",
            survey,
            "--format",
            "fhir",
            "--output",
            str(out),
            *extra,
        ]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    return text, json.loads(text)


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def by_link(items: list[dict]) -> dict[str, dict]:
    """Items by linkId, nested groups flattened."""
    found = {}
    for item in items:
        found[item["linkId"]] = item
        found.update(by_link(item.get("item", [])))
    return found


def response_of(bundle: dict, uuid: str) -> dict:
    return next(r for r in resources(bundle, "QuestionnaireResponse") if r["id"] == uuid)


def tags(resource: dict, system: str = sdoh.SYSTEM) -> list[str]:
    return [t["code"] for t in resource.get("meta", {}).get("tag", []) if t["system"] == system]


# --- validity ---------------------------------------------------------------------------------


def test_bundle_validates_with_fhir_resources_and_round_trips(golden_data, probe_survey, tmp_path):
    for survey in ("children_scan", "export_probe"):
        _, data = export(golden_data, tmp_path, survey)
        bundle = Bundle.model_validate(data)
        assert bundle.type == "collection" and bundle.timestamp is not None
        assert bundle.model_dump(mode="json") == data  # nothing lost or added on a round trip
        assert Bundle.model_validate_json(bundle.model_dump_json()).model_dump(mode="json") == data
        for entry in data["entry"]:
            model = {"Questionnaire": Questionnaire, "QuestionnaireResponse": QuestionnaireResponse}
            model[entry["resource"]["resourceType"]].model_validate(entry["resource"])
        full_urls = [e["fullUrl"] for e in data["entry"]]
        assert len(set(full_urls)) == len(full_urls)
        assert all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", url) for url in full_urls)


def test_the_bundle_holds_the_questionnaire_and_one_response_each(golden_data, tmp_path):
    _, bundle = export(golden_data, tmp_path, "children_scan", "--language", "es")
    (questionnaire,) = resources(bundle, "Questionnaire")
    answers = resources(bundle, "QuestionnaireResponse")
    assert len(answers) == 4
    assert questionnaire["url"] == "urn:fieldscan:questionnaire:children_scan"
    assert questionnaire["version"] == "1" and questionnaire["status"] == "active"
    assert questionnaire["language"] == "es" and questionnaire["name"] == "ChildrenScan"
    assert questionnaire["title"] == "La salud de su hijo o hija" or questionnaire["title"]
    assert {r["questionnaire"] for r in answers} == {"urn:fieldscan:questionnaire:children_scan|1"}
    statuses = {r["id"]: r["status"] for r in answers}
    assert statuses[UUID1] == "completed"
    assert statuses["0b7c4c2e-4a43-4d2e-9a52-000000000003"] == "in-progress"
    assert statuses[ABANDONED] == "stopped"
    # authored: the finish time, else the start (UTC)
    assert response_of(bundle, UUID1)["authored"] == "2026-03-02T17:24:30Z"
    assert response_of(bundle, "0b7c4c2e-4a43-4d2e-9a52-000000000003")["authored"] == (
        "2026-03-02T18:05:00Z"
    )
    # the respondent's own language; texts in the export language
    first = response_of(bundle, UUID1)
    assert first["language"] == "es" and response_of(bundle, UUID2)["language"] == "en"
    assert first["identifier"] == {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{UUID1}"}
    for forbidden in ("subject", "author", "source", "encounter", "basedOn"):
        assert forbidden not in first


def test_export_writes_an_audit_event_without_phi(golden_data, tmp_path):
    export(golden_data, tmp_path)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "responses.export")
    ).one()
    assert event.object_id == "children_scan" and event.actor_label == "cli"
    assert event.details == {"format": "fhir", "rows": 4, "language": "en"}


def test_canonical_url_under_the_public_url(golden_data, tmp_path):
    golden_data.config["FIELDSCAN_PUBLIC_URL"] = "https://scan.clinic.example/"
    _, bundle = export(golden_data, tmp_path)
    (questionnaire,) = resources(bundle, "Questionnaire")
    url = "https://scan.clinic.example/fhir/Questionnaire/children_scan"
    assert questionnaire["url"] == url
    assert {r["questionnaire"] for r in resources(bundle, "QuestionnaireResponse")} == {f"{url}|1"}


# --- Questionnaire items ------------------------------------------------------------------------


def test_question_types_map_to_item_types(probe_survey, tmp_path):
    _, bundle = export(probe_survey, tmp_path, "export_probe", "--language", "es")
    (questionnaire,) = resources(bundle, "Questionnaire")
    assert [i["linkId"] for i in questionnaire["item"]] == [
        "welcome", "visit_date", "household", "has_car", "rides", "callback", "food_help",
    ]  # fmt: skip
    items = by_link(questionnaire["item"])
    types = {link: item["type"] for link, item in items.items()}
    assert types == {
        "welcome": "display", "visit_date": "date", "household": "integer", "has_car": "choice",
        "rides": "group", "ride_kind": "choice", "ride_note": "text", "callback": "string",
        "food_help": "choice",
    }  # fmt: skip
    assert [i["linkId"] for i in items["rides"]["item"]] == ["ride_kind", "ride_note"]
    assert items["ride_kind"]["repeats"] is True and "repeats" not in items["food_help"]
    assert items["welcome"]["text"] == "Gracias por ayudar."
    assert "required" not in items["welcome"] and "answerOption" not in items["welcome"]
    assert items["ride_note"]["maxLength"] == 1000
    bounds = {
        e["url"].rsplit("/", 1)[1]: e["valueInteger"] for e in items["household"]["extension"]
    }
    assert bounds == {"minValue": 1, "maxValue": 20}
    assert items["has_car"]["answerOption"] == [
        {"valueCoding": {"system": "urn:fieldscan:survey:export_probe:has_car", "code": "yes",
                         "display": "Sí"}},
        {"valueCoding": {"system": "urn:fieldscan:survey:export_probe:has_car", "code": "no",
                         "display": "No"}},
    ]  # fmt: skip


def test_simple_relevance_becomes_enable_when(probe_survey, golden_data, tmp_path):
    _, bundle = export(probe_survey, tmp_path, "export_probe")
    items = by_link(resources(bundle, "Questionnaire")[0]["item"])
    # a group's relevance on the group: an and-chain of two simple comparisons
    assert items["rides"]["enableBehavior"] == "all"
    assert items["rides"]["enableWhen"] == [
        {"question": "has_car", "operator": "=",
         "answerCoding": {"system": "urn:fieldscan:survey:export_probe:has_car", "code": "no"}},
        {"question": "household", "operator": ">", "answerInteger": 2},
    ]  # fmt: skip
    assert items["ride_note"]["enableWhen"] == [
        {"question": "ride_kind", "operator": "=",
         "answerCoding": {"system": "urn:fieldscan:survey:export_probe:ride_kind", "code": "bus"}},
    ]  # fmt: skip
    assert "enableBehavior" not in items["ride_note"]
    # string-length() has no enableWhen form: the item carries no condition
    assert "enableWhen" not in items["food_help"]
    _, children = export(golden_data, tmp_path, "children_scan")
    shipped = by_link(resources(children, "Questionnaire")[0]["item"])
    assert shipped["wants_ride_info"]["enableWhen"] == [
        {"question": "knows_rides", "operator": "=",
         "answerCoding": {"system": "urn:fieldscan:survey:children_scan:knows_rides",
                          "code": "no"}},
    ]  # fmt: skip


def _survey(*questions: Question) -> Survey:
    return Survey(id="s", title={"en": "S"}, languages=("en",), keywords={}, questions=questions)


_A = Question(id="a", type="yes_no", choices=yes_no_choices(("en",)))
_N = Question(id="n", type="integer")
_D = Question(id="d", type="date")
_T = Question(id="t", type="text")
_M = Question(
    id="m", type="select_multiple", choices=(Choice("x", {"en": "X"}), Choice("1", {"en": "One"}))
)
_CODE_A = {"system": "urn:fieldscan:survey:s:a", "code": "no"}
_CODE_X = {"system": "urn:fieldscan:survey:s:m", "code": "x"}


def _when(*conditions: tuple, behavior: str | None = None) -> dict:
    """Expected enableWhen: ``_when(("a", "=", "answerCoding", _CODE_A), ...)``."""
    out: dict = {
        "enableWhen": [
            {"question": q, "operator": op, kind: value} for q, op, kind, value in conditions
        ]
    }
    if behavior:
        out["enableBehavior"] = behavior
    return out


@pytest.mark.parametrize(
    ("relevant", "expected"),
    [
        ("${a} = 'no'", _when(("a", "=", "answerCoding", _CODE_A))),
        ("'no' = ${a}", _when(("a", "=", "answerCoding", _CODE_A))),
        ("${a} != 'no'", _when(("a", "!=", "answerCoding", _CODE_A))),
        ("${a} = ''", _when(("a", "exists", "answerBoolean", False))),
        ("${t} != ''", _when(("t", "exists", "answerBoolean", True))),
        ("${t} = 'ok'", _when(("t", "=", "answerString", "ok"))),
        ("${n} >= 3", _when(("n", ">=", "answerInteger", 3))),
        ("3 < ${n}", _when(("n", ">", "answerInteger", 3))),
        ("${d} > '2026-01-01'", _when(("d", ">", "answerDate", "2026-01-01"))),
        ("selected(${m}, 'x')", _when(("m", "=", "answerCoding", _CODE_X))),
        ("selected(${m}, 1)", _when(("m", "=", "answerCoding", {**_CODE_X, "code": "1"}))),
        (
            "${a} = 'no' or ${n} > 2",
            _when(
                ("a", "=", "answerCoding", _CODE_A),
                ("n", ">", "answerInteger", 2),
                behavior="any",
            ),
        ),
        ("not(${a} = 'no')", None),
        ("${a} = 'no' and ${n} > 2 or ${n} < 1", None),
        ("${a} = 'maybe'", None),
        ("${a} > 'no'", None),
        ("${n} > 2.5", None),
        ("${m} = 'x'", None),
        ("count-selected(${m}) > 1", None),
        ("${n} + 1 > 3", None),
        ("${a} = ${t}", None),
    ],
)
def test_enable_when_translation(relevant, expected):
    target = Question(id="q", type="text", relevant=relevant)
    survey = _survey(_A, _N, _D, _T, _M, target)
    assert fhir.enable_when(survey.question("q"), survey) == expected


# --- QuestionnaireResponse answers --------------------------------------------------------------


def test_answer_value_types_per_question_type(probe_survey, tmp_path):
    _, bundle = export(probe_survey, tmp_path, "export_probe", "--language", "es")
    response = response_of(bundle, PROBE_UUID)
    items = by_link(response["item"])
    assert items["visit_date"]["answer"] == [{"valueDate": PROBE_ANSWERS["visit_date"]}]
    assert items["household"]["answer"] == [{"valueInteger": 5}]
    assert items["has_car"]["answer"] == [
        {"valueCoding": {"system": "urn:fieldscan:survey:export_probe:has_car", "code": "no",
                         "display": "No"}}
    ]  # fmt: skip
    assert [a["valueCoding"]["code"] for a in items["ride_kind"]["answer"]] == ["bus", "medi_cal"]
    assert items["ride_kind"]["answer"][1]["valueCoding"]["display"] == "Transporte de Medi-Cal"
    assert items["food_help"]["answer"][0]["valueCoding"]["code"] == "pantry"
    # free text as given, with the phone number inside it masked
    assert items["ride_note"]["answer"] == [
        {"valueString": "The 22 bus; my sister [phone] drives me too"}
    ]
    # questions in a group answer inside the group item
    assert [i["linkId"] for i in response["item"]] == [
        "visit_date", "household", "has_car", "rides", "food_help",
    ]  # fmt: skip
    assert "welcome" not in items  # notes take no answer
    assert "callback" not in items  # phone answers identify the respondent: never exported
    for item in items.values():
        for answer in item.get("answer", []):
            assert len(answer) == 1 and next(iter(answer)).startswith("value")


def test_skipped_and_unasked_answers_are_omitted(golden_data, tmp_path):
    _, bundle = export(golden_data, tmp_path)
    second = by_link(response_of(bundle, UUID2)["item"])
    assert "wants_ride_info" not in second  # not asked (knows_rides = yes)
    assert second["child_age"]["answer"] == [{"valueInteger": 0}]  # zero is an answer
    abandoned = response_of(bundle, ABANDONED)
    assert [i["linkId"] for i in abandoned["item"]] == ["trusted_messenger"]
    assert abandoned["item"][0]["answer"] == [{"valueString": "@mamá"}]


def test_a_response_without_answers_has_no_items(probe_survey, tmp_path):
    store(
        [
            sync_item(
                "5f0e7a4b-3c1d-4e2f-8a9b-0000000000aa",
                "en",
                "2026-03-02T11:00:00-08:00",
                None,
                {},
                survey_id="export_probe",
            )
        ],
        SITE,
    )
    _, bundle = export(probe_survey, tmp_path, "export_probe")
    empty = response_of(bundle, "5f0e7a4b-3c1d-4e2f-8a9b-0000000000aa")
    assert "item" not in empty and empty["status"] == "in-progress"


# --- SDOH tags ------------------------------------------------------------------------------------


def test_sdoh_categories_on_items_and_responses(golden_data, tmp_path):
    _, bundle = export(golden_data, tmp_path)
    items = by_link(resources(bundle, "Questionnaire")[0]["item"])
    codes = {link: [c["code"] for c in item.get("code", [])] for link, item in items.items()}
    assert codes["knows_rides"] == codes["wants_ride_info"] == ["transportation-insecurity"]
    assert codes["used_services"] == ["food-insecurity"]
    assert codes["trusted_messenger"] == ["social-connection"]
    assert set(codes["resources"]) >= {
        "food-insecurity", "housing-instability", "transportation-insecurity",
    }  # fmt: skip
    assert codes["child_age"] == codes["consent_contact"] == codes["preferred_language"] == []
    for item in items.values():
        for coding in item.get("code", []):
            assert coding["system"] == sdoh.SYSTEM
            assert coding["display"] == sdoh.DISPLAYS[coding["code"]]
    # the response that picked food_assistance is tagged food-insecurity; the other is not
    assert tags(response_of(bundle, UUID1)) == [
        "food-insecurity", "transportation-insecurity", "social-connection",
    ]  # fmt: skip
    assert tags(response_of(bundle, UUID2)) == ["transportation-insecurity", "social-connection"]
    assert tags(response_of(bundle, ABANDONED)) == ["social-connection"]
    assert tags(response_of(bundle, UUID1), fhir.SITE_SYSTEM) == [SITE]
    assert tags(response_of(bundle, UUID1), fhir.CHANNEL_SYSTEM) == ["tablet"]


def test_sdoh_tags_of_open_answers_come_from_their_analysis_themes(golden_data):
    themes = {UUID2: {"resources": ["food", "housing", "school_youth"]}}
    export = fhir.build_export("children_scan", themes=themes)
    written = dict(export.responses)
    second = written[f"urn:uuid:{UUID2}"]
    assert tags(second) == [
        "food-insecurity", "housing-instability", "transportation-insecurity", "social-connection",
    ]  # fmt: skip
    assert "housing-instability" not in tags(written[f"urn:uuid:{UUID1}"])


def test_every_mapped_code_is_an_sdoh_category_code():
    known = set(sdoh.DISPLAYS)
    for codes in [
        *sdoh.QUESTION_CATEGORIES.values(),
        *sdoh.CHOICE_CATEGORIES.values(),
        *sdoh.THEME_CATEGORIES.values(),
    ]:
        assert set(codes) <= known


# --- privacy --------------------------------------------------------------------------------------


def test_no_phone_numbers_anywhere_in_the_bundle(sms_app, probe_survey, tmp_path):
    phone = Phone(sms_app.test_client(), SECRET_PHONE)
    for text in ["KIDS", "My neighbor, call her at 415 555 0177", "the pantry", "1"]:
        status, _ = phone.send(text)
        assert status == 200
    for survey in ("children_scan", "export_probe"):
        text, bundle = export(sms_app, tmp_path, survey)
        digits_only = re.sub(r"\D", "", text)
        for number in (SECRET_PHONE, "4155550199", "415 555 0177", "4155550177", "555-0144"):
            assert number not in text
        assert "4155550199" not in digits_only
        assert not re.search(r"\+1\d{10}", text)
    sms = [
        r
        for r in resources(bundle, "QuestionnaireResponse")
        if "sms" in tags(r, fhir.CHANNEL_SYSTEM)
    ]
    assert sms == []  # the last bundle is the probe's; the SMS response is in children_scan's


def test_mask_contacts_keeps_dates_and_short_numbers():
    assert fhir.mask_contacts("call (415) 555-0144 or a@b.org") == "call [phone] or [email]"
    assert fhir.mask_contacts("on 2026-02-14, rooms 12 and 345, bus 22") == (
        "on 2026-02-14, rooms 12 and 345, bus 22"
    )


# --- sites, versions, failures --------------------------------------------------------------------


def test_site_filter(golden_data):
    valle = db.session.scalars(select(Site.id).where(Site.slug == SITE)).one()
    export = fhir.build_export("children_scan", site_ids=[valle])
    assert [url for url, _ in export.responses] == [f"urn:uuid:{UUID1}", f"urn:uuid:{UUID2}"]
    assert len(export.questionnaires) == 1
    nothing = fhir.build_export("children_scan", site_ids=[])
    assert list(nothing.responses) == [] and len(nothing.questionnaires) == 1


def test_each_response_points_at_its_own_version(probe_survey, tmp_path):
    from fieldscan.instruments.services import load_surveys

    folder = tmp_path / "v2"
    folder.mkdir()
    changed = PROBE_YAML.replace("Do you have a car?", "Do you have a car or a truck?")
    (folder / "export_probe.yaml").write_text(changed, encoding="utf-8")
    load_surveys(folder)
    later = sync_item(
        "5f0e7a4b-3c1d-4e2f-8a9b-0000000000bb",
        "en",
        "2026-03-02T11:30:00-08:00",
        "2026-03-02T11:31:00-08:00",
        {"has_car": "yes"},
        survey_id="export_probe",
    )
    store([{**later, "survey_version": 2}], SITE)
    _, bundle = export(probe_survey, tmp_path, "export_probe")
    questionnaires = {q["version"]: q for q in resources(bundle, "Questionnaire")}
    assert {v: q["status"] for v, q in questionnaires.items()} == {"1": "retired", "2": "active"}
    assert (
        by_link(questionnaires["2"]["item"])["has_car"]["text"] == "Do you have a car or a truck?"
    )
    assert response_of(bundle, PROBE_UUID)["questionnaire"].endswith("|1")
    assert response_of(bundle, "5f0e7a4b-3c1d-4e2f-8a9b-0000000000bb")["questionnaire"].endswith(
        "|2"
    )


def test_an_invalid_resource_stops_the_export_and_writes_nothing(
    golden_data, tmp_path, monkeypatch
):
    monkeypatch.setattr(fhir, "_answers", lambda *args: [{"valueInteger": "not a number"}])
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "children.fhir.json"
    out.write_text("previous export", encoding="utf-8")
    result = golden_data.test_cli_runner().invoke(
        args=["export", "responses", "--survey", "children_scan", "--format", "fhir",
              "--output", str(out)]
    )  # fmt: skip
    assert result.exit_code != 0
    assert out.read_text(encoding="utf-8") == "previous export"  # untouched
    assert [p.name for p in folder.iterdir()] == ["children.fhir.json"]  # no temporary left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--survey", "nope"], "not loaded"),
        (["--survey", "children_scan", "--language", "xx"], "not a known language"),
        (["--survey", "export_probe", "--language", "vi"], "not one of the survey's"),
    ],
)
def test_fhir_export_refuses_bad_input_and_writes_nothing(probe_survey, tmp_path, args, message):
    out = tmp_path / "out.fhir.json"
    result = probe_survey.test_cli_runner().invoke(
        args=["export", "responses", *args, "--format", "fhir", "--output", str(out)]
    )
    assert result.exit_code != 0 and message in result.output
    assert not out.exists()
