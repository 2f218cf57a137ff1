"""POST /api/v1/sync: idempotent tablet sync (contract — web and API).

Every test runs on SQLite and on PostgreSQL (the ``app`` fixture).
"""

from __future__ import annotations

import copy
import json
import threading
import uuid as uuid_module
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldscan.api import sync as sync_module
from fieldscan.api.sync import sync_responses
from fieldscan.extensions import db
from fieldscan.instruments.services import load_surveys
from fieldscan.models import Answer, AuditEvent, Channel, Response, ResponseStatus, User
from tests.api.conftest import COMPLETE_ANSWERS, COMPLETED, make_item


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _stored(uuid: str) -> Response:
    db.session.expire_all()
    return db.session.scalars(sa.select(Response).where(Response.uuid == uuid)).one()


def _sync_audits() -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.action == "response.sync_create")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def _statuses(results: list[dict]) -> list[str]:
    return [result["status"] for result in results]


# --- created, duplicate, conflict --------------------------------------------------------------


def test_created_then_duplicate_then_conflict_changes_nothing(chw_api, chw):
    item = make_item()
    [first] = chw_api.sync(item)
    assert first == {"uuid": item["uuid"], "status": "created", "errors": {}}

    stored = _stored(item["uuid"])
    assert stored.channel is Channel.tablet and stored.status is ResponseStatus.completed
    assert stored.language == "es" and stored.survey_version.number == 1
    assert stored.interviewer_id == chw.id and stored.site_id == chw.site_id
    assert stored.started_at == datetime(2026, 3, 2, 17, 15, tzinfo=UTC)
    assert stored.finished_at == datetime(2026, 3, 2, 17, 24, 30, tzinfo=UTC)
    assert stored.answer_values() == COMPLETE_ANSWERS
    assert len(stored.content_hash) == 64

    assert chw_api.sync(item) == [{"uuid": item["uuid"], "status": "duplicate", "errors": {}}]

    changed = copy.deepcopy(item)
    changed["answers"]["child_age"] = 7
    [conflict] = chw_api.sync(changed)
    assert conflict["status"] == "conflict" and conflict["uuid"] == item["uuid"]
    assert "uuid" in conflict["errors"]

    stored = _stored(item["uuid"])
    assert stored.answer_values()["child_age"] == 4
    assert _count(Response) == 1 and _count(Answer) == len(COMPLETE_ANSWERS)


def test_other_times_or_language_are_a_conflict(chw_api):
    item = make_item()
    chw_api.sync(item)
    later = make_item(item["uuid"], completed_at="2026-03-02T09:30:00-08:00")
    english = make_item(item["uuid"], language="en")
    assert _statuses(chw_api.sync(later, english)) == ["conflict", "conflict"]


def test_the_same_moment_in_another_notation_is_a_duplicate(chw_api):
    item = make_item()
    chw_api.sync(item)
    same = make_item(
        item["uuid"].upper(),
        started_at="2026-03-02T17:15:00Z",
        completed_at="2026-03-02T17:24:30.000+00:00",
        language="es-MX",
        answers={
            **COMPLETE_ANSWERS,
            "child_age": "4",
            "used_services": ["food_assistance", "school"],
        },
    )
    [result] = chw_api.sync(same)
    assert result == {"uuid": item["uuid"], "status": "duplicate", "errors": {}}


def test_the_same_uuid_twice_in_one_batch(chw_api):
    item = make_item()
    other = make_item(item["uuid"], answers={**COMPLETE_ANSWERS, "child_age": 9})
    assert _statuses(chw_api.sync(item, item, other)) == ["created", "duplicate", "conflict"]
    assert _count(Response) == 1


def test_audit_records_each_created_response_without_phi(chw_api, chw):
    item = make_item()
    chw_api.sync(item, item)
    events = _sync_audits()
    assert len(events) == 1
    event = events[0]
    assert event.object_type == "response" and event.object_id == str(_stored(item["uuid"]).id)
    assert event.actor_id == chw.id and event.site_id == chw.site_id
    assert event.details == {"channel": "tablet", "answers": len(COMPLETE_ANSWERS)}
    assert "abuela" not in json.dumps(event.details)


# --- invalid items ------------------------------------------------------------------------------


def _without(answers: dict, *names: str) -> dict:
    return {k: v for k, v in answers.items() if k not in names}


INVALID_CASES: dict[str, tuple[dict[str, Any], Any]] = {
    "bad uuid": ({"uuid": "not-a-uuid"}, ("uuid",)),
    "uuid not a string": ({"uuid": 12345}, ("uuid",)),
    "unknown survey": ({"survey_id": "adult_scan"}, ("survey_id",)),
    "unknown version": ({"survey_version": 9}, ("survey_version",)),
    "version as text": ({"survey_version": "1"}, ("survey_version",)),
    "version zero": ({"survey_version": 0}, ("survey_version",)),
    "unknown language": ({"language": "de"}, ("language",)),
    "naive started_at": ({"started_at": "2026-03-02T09:15:00"}, ("started_at",)),
    "naive completed_at": ({"completed_at": "2026-03-02T09:24:30"}, ("completed_at",)),
    "not a time": ({"started_at": "yesterday"}, ("started_at",)),
    "completed before started": (
        {"completed_at": "2026-03-02T09:00:00-08:00"},
        ("completed_at",),
    ),
    "completed in the future": ({"completed_at": "2026-03-02T18:10:00Z"}, ("completed_at",)),
    "answer out of bounds": (
        {"answers": {**COMPLETE_ANSWERS, "child_age": 30}},
        ("answers", "child_age"),
    ),
    "not a choice": (
        {"answers": {**COMPLETE_ANSWERS, "contact_channel": "pigeon"}},
        ("answers", "contact_channel"),
    ),
    "constraint": (
        {"answers": {**COMPLETE_ANSWERS, "used_services": ["none", "school"]}},
        ("answers", "used_services"),
    ),
    "unknown question": (
        {"answers": {**COMPLETE_ANSWERS, "favourite_colour": "blue"}},
        ("answers", "favourite_colour"),
    ),
    "irrelevant question": (
        {"answers": {**COMPLETE_ANSWERS, "knows_rides": "yes", "wants_ride_info": "yes"}},
        ("answers", "wants_ride_info"),
    ),
    "required answer skipped": (
        {"answers": {**COMPLETE_ANSWERS, "consent_contact": None}},
        ("answers", "consent_contact"),
    ),
    "required answer missing on a completed response": (
        {"answers": _without(COMPLETE_ANSWERS, "consent_contact")},
        ("completed_at",),
    ),
    "NUL in a text answer": (
        {"answers": {**COMPLETE_ANSWERS, "trusted_messenger": "Mi\x00abuela"}},
        ("answers", "trusted_messenger"),
    ),
    "unpaired surrogate": (
        {"answers": {**COMPLETE_ANSWERS, "resources": "WIC \ud800"}},
        ("answers", "resources"),
    ),
    "nested list": (
        {"answers": {**COMPLETE_ANSWERS, "used_services": [["school"]]}},
        ("answers", "used_services"),
    ),
    "object as an answer": (
        {"answers": {**COMPLETE_ANSWERS, "child_age": {"years": 4}}},
        ("answers", "child_age"),
    ),
    "not a finite number": (
        {"answers": {**COMPLETE_ANSWERS, "resources": float("nan")}},
        ("answers", "resources"),
    ),
    "survey id with NUL": ({"survey_id": "children\x00scan"}, ("survey_id",)),
    "huge version": ({"survey_version": 10**30}, ("survey_version",)),
    "answers not an object": ({"answers": ["yes"]}, ("answers",)),
    "missing field": ({"survey_id": None}, ("survey_id",)),
    "unknown field": ({"completedAt": COMPLETED}, ("completedAt",)),
}


@pytest.mark.parametrize("case", list(INVALID_CASES), ids=list(INVALID_CASES))
def test_an_invalid_item_is_refused_while_its_neighbours_are_stored(chw_api, case):
    change, path = INVALID_CASES[case]
    bad = make_item(**change)
    if bad["survey_id"] is None:
        del bad["survey_id"]
    before, after = make_item(), make_item()
    results = chw_api.sync(before, bad, after)

    assert _statuses(results) == ["created", "invalid", "created"]
    sent_uuid = bad["uuid"] if isinstance(bad["uuid"], str) else None
    assert [r["uuid"] for r in results] == [before["uuid"], sent_uuid, after["uuid"]]
    errors = results[1]["errors"]
    for key in path:
        assert key in errors, (case, errors)
        errors = errors[key]
    assert isinstance(errors, list) and errors and all(isinstance(m, str) for m in errors)
    assert _count(Response) == 2
    assert (
        db.session.scalar(sa.select(Response.id).where(Response.uuid == str(bad["uuid"]))) is None
    )


def test_answer_errors_are_specific_and_in_english(chw_api):
    item = make_item(
        answers={
            **COMPLETE_ANSWERS,
            "child_age": 30,
            "knows_rides": "yes",
            "favourite_colour": "blue",
        }
    )
    [result] = chw_api.sync(item)
    assert result["status"] == "invalid"
    assert result["errors"] == {
        "answers": {
            "child_age": ["Please answer with a whole number from 0 to 21."],
            "favourite_colour": ["Not a question of survey 'children_scan'."],
            "wants_ride_info": [
                "Not asked given the other answers (it is asked only when ${knows_rides} = 'no')."
            ],
        }
    }


def test_a_completed_response_names_its_missing_required_questions(chw_api):
    item = make_item(answers=_without(COMPLETE_ANSWERS, "consent_contact", "resources"))
    [result] = chw_api.sync(item)
    assert result["status"] == "invalid"
    assert result["errors"]["answers"] == {
        "resources": ["A completed response needs an answer to this question."],
        "consent_contact": ["A completed response needs an answer to this question."],
    }
    assert "resources, consent_contact" in result["errors"]["completed_at"][0]


def test_unknown_version_names_the_newest(chw_api):
    [result] = chw_api.sync(make_item(survey_version=3))
    assert result["errors"] == {
        "survey_version": ["Survey 'children_scan' has no version 3; its newest is version 1."]
    }


def test_a_language_the_version_does_not_offer(chw_api, tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI_SURVEY, encoding="utf-8")
    load_surveys(tmp_path / "mini.yaml")
    base = {"survey_id": "mini_scan", "answers": {"consent": "yes"}}
    results = chw_api.sync(
        make_item(**base, language="vi"),
        make_item(**base, language="es"),
        make_item(survey_id="mini_scan", answers={"consent": "yes", "sms_only": "x"}),
    )
    assert _statuses(results) == ["invalid", "created", "invalid"]
    assert list(results[0]["errors"]) == ["language"]
    assert "en, es" in results[0]["errors"]["language"][0]
    assert results[2]["errors"] == {
        "answers": {"sms_only": ["This question is not asked on the tablet channel."]}
    }


MINI_SURVEY = """\
id: mini_scan
title: {en: Mini, es: Mini}
languages: [en, es]
keywords: {en: [MINI], es: [MINIS]}
questions:
  - id: consent
    type: yes_no
    label: {en: "OK?", es: "OK?"}
    required: true
  - id: sms_only
    type: text
    label: {en: "Text?", es: "Texto?"}
    channels: [sms]
"""


def test_items_that_are_not_objects(chw_api):
    item = make_item()
    results = chw_api.sync("hello", item, None, 7)
    assert _statuses(results) == ["invalid", "created", "invalid", "invalid"]
    assert results[0] == {
        "uuid": None,
        "status": "invalid",
        "errors": {"_schema": ["Each response must be a JSON object."]},
    }


# --- order, in progress, normalization ----------------------------------------------------------


def test_results_follow_the_request_order(chw_api):
    first, middle, last = make_item(), make_item(), make_item()
    middle["answers"]["child_age"] = -1
    results = chw_api.sync(first, middle, last)
    assert [(r["uuid"], r["status"]) for r in results] == [
        (first["uuid"], "created"),
        (middle["uuid"], "invalid"),
        (last["uuid"], "created"),
    ]
    assert results[1]["errors"] == {
        "answers": {"child_age": ["Please answer with a whole number from 0 to 21."]}
    }
    assert sorted(db.session.scalars(sa.select(Response.uuid))) == sorted(
        [first["uuid"], last["uuid"]]
    )


def test_an_in_progress_item_is_stored_as_in_progress(chw_api):
    item = make_item(
        completed_at=None,
        answers={"trusted_messenger": "La maestra", "used_services": [], "child_age": None},
    )
    [result] = chw_api.sync(item)
    assert result["status"] == "created"
    stored = _stored(item["uuid"])
    assert stored.status is ResponseStatus.in_progress and stored.finished_at is None
    # An empty choice list and None are skips of optional questions.
    assert stored.answer_values() == {
        "trusted_messenger": "La maestra",
        "used_services": None,
        "child_age": None,
    }
    without_key = make_item(item["uuid"], completed_at=None)
    del without_key["completed_at"]
    without_key["answers"] = item["answers"]
    assert _statuses(chw_api.sync(without_key)) == ["duplicate"]


def test_answers_are_stored_normalized(chw_api):
    item = make_item(
        answers={
            "trusted_messenger": "  Mi abuela\n",
            "resources": 211,
            "used_services": ["food_assistance", "school", "school"],
            "knows_rides": "No",
            "wants_ride_info": "Sí",
            "child_age": "4",
            "preferred_language": "Español",
            "contact_channel": "text",
            "consent_contact": True,
        }
    )
    [result] = chw_api.sync(item)
    assert result["status"] == "created", result
    stored = _stored(item["uuid"])
    assert stored.answer_values() == {
        "trusted_messenger": "Mi abuela",
        "resources": "211",
        "used_services": ["school", "food_assistance"],
        "knows_rides": "no",
        "wants_ride_info": "yes",
        "child_age": 4,
        "preferred_language": "es",
        "contact_channel": "text",
        "consent_contact": "yes",
    }
    raw = {a.question_id: a.raw_text for a in stored.answers}
    assert raw["trusted_messenger"] == "  Mi abuela\n" and raw["resources"] == "211"
    assert raw["child_age"] is None and raw["used_services"] is None


def test_optional_questions_left_out_of_a_completed_response_are_skipped(chw_api):
    answers = _without(COMPLETE_ANSWERS, "used_services", "child_age", "wants_ride_info")
    item = make_item(answers=answers)
    assert _statuses(chw_api.sync(item)) == ["created"]
    values = _stored(item["uuid"]).answer_values()
    assert values["used_services"] is None and values["child_age"] is None
    assert values["wants_ride_info"] is None  # relevant (knows_rides = no), skipped
    explicit = make_item(
        item["uuid"],
        answers={**answers, "used_services": None, "child_age": None, "wants_ride_info": None},
    )
    assert _statuses(chw_api.sync(explicit)) == ["duplicate"]


def test_a_null_for_a_question_not_asked_is_dropped(chw_api):
    answers = {**COMPLETE_ANSWERS, "knows_rides": "yes", "wants_ride_info": None}
    item = make_item(answers=answers)
    assert _statuses(chw_api.sync(item)) == ["created"]
    assert "wants_ride_info" not in _stored(item["uuid"]).answer_values()


def test_an_admin_may_sync(api, make_user):
    admin = make_user("admin", site=None)
    api.login(admin)
    item = make_item()
    assert _statuses(api.sync(item)) == ["created"]
    stored = _stored(item["uuid"])
    assert stored.interviewer_id == admin.id and stored.site_id is None


# --- HTTP: authentication, roles, bad bodies ----------------------------------------------------


def test_anonymous_gets_401_json(api):
    response = api.post("/api/v1/sync", json={"responses": [make_item()]})
    assert response.status_code == 401
    assert response.is_json and response.get_json()["error"]["code"] == 401
    assert _count(Response) == 0


def test_leadership_gets_403_json(api, make_user):
    api.login(make_user("leadership"))
    response = api.post("/api/v1/sync", json={"responses": [make_item()]})
    assert response.status_code == 403
    assert response.is_json and response.get_json()["error"]["code"] == 403
    assert _count(Response) == 0


def test_a_post_without_the_csrf_token_is_refused(api, chw):
    api.login(chw)
    response = api.client.post("/api/v1/sync", json={"responses": [make_item()]})
    assert response.status_code == 400 and response.is_json
    assert _count(Response) == 0


def test_a_bearer_header_does_not_fall_back_to_the_session(api, chw):
    """Bearer calls skip the CSRF check, so they must not ride on the session cookie."""
    api.login(chw)
    response = api.client.post(
        "/api/v1/sync",
        json={"responses": [make_item()]},
        headers={"Authorization": "Bearer not-a-device-token"},
    )
    assert response.status_code == 401 and response.is_json
    assert _count(Response) == 0


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("this is not json", "application/json"),
        ('{"responses": [', "application/json"),
        ('[{"uuid": "x"}]', "application/json"),
        ('"responses"', "application/json"),
        ("null", "application/json"),
        (json.dumps({"responses": []}), "text/plain"),
        (b"\xff\xfe\x00garbage", "application/json"),
    ],
    ids=["text", "truncated", "array", "string", "null", "wrong-content-type", "bad-utf8"],
)
def test_a_body_that_is_not_a_json_object_gets_400_json(chw_api, data, content_type):
    response = chw_api.post("/api/v1/sync", data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.is_json
    assert "JSON object" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "responses"),
        ({"responses": []}, "responses"),
        ({"responses": {"uuid": "x"}}, "responses"),
        ({"responses": [{}] * 501}, "responses"),
        ({"responses": [{}], "device": "tab-1"}, "device"),
    ],
    ids=["missing", "empty", "not-a-list", "too-many", "unknown-key"],
)
def test_a_malformed_batch_gets_400_with_fields(chw_api, body, field):
    response = chw_api.post("/api/v1/sync", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    assert _count(Response) == 0


def test_an_oversized_body_gets_413_json(chw_api, api_app):
    api_app.config["MAX_CONTENT_LENGTH"] = 10_000
    item = make_item(answers={**COMPLETE_ANSWERS, "trusted_messenger": "x" * 20_000})
    response = chw_api.post("/api/v1/sync", json={"responses": [item]})
    assert response.status_code == 413
    assert response.is_json and response.get_json()["error"]["code"] == 413
    assert _count(Response) == 0


def test_get_is_not_allowed(chw_api):
    response = chw_api.client.get("/api/v1/sync")
    assert response.status_code == 405 and response.is_json


def test_json_nested_too_deeply_gets_400(chw_api):
    response = chw_api.post("/api/v1/sync", data="[" * 100_000, content_type="application/json")
    assert response.status_code == 400 and response.is_json


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["\x00", "a\ud800", "2026-03-02T09:15:00", "es", "yes", "4", ""]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
_FIELDS = ["uuid", "survey_id", "survey_version", "language", "started_at", "completed_at"]


@st.composite
def _hostile_items(draw) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(_JSON)
    item = make_item()
    for name in draw(st.lists(st.sampled_from([*_FIELDS, "answers", "extra"]), max_size=2)):
        if draw(st.booleans()):
            item.pop(name, None)
        else:
            item[name] = draw(_JSON)
    if isinstance(item.get("answers"), dict):
        ids = st.sampled_from([*COMPLETE_ANSWERS, "nope", ""])
        item["answers"].update(draw(st.dictionaries(ids, _JSON, max_size=3)))
    return item


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=st.lists(_hostile_items(), min_size=1, max_size=4))
def test_malformed_items_never_break_the_batch(chw_api, items):
    """Whatever the items hold: 200, one result per item, each with a known status."""
    results = chw_api.sync(*items)
    assert {r["status"] for r in results} <= {"created", "duplicate", "conflict", "invalid"}
    for result in results:
        assert isinstance(result["errors"], dict)
        assert (result["status"] == "invalid") == bool(result["errors"]) or (
            result["status"] == "conflict"
        )


# --- concurrency ------------------------------------------------------------------------------


def test_five_simultaneous_syncs_of_one_uuid_store_it_once(api_app, chw):
    item = make_item()
    chw_id, site_id = chw.id, chw.site_id
    db.session.commit()  # SQLite: hold no lock while the threads run
    barrier = threading.Barrier(5)
    statuses: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def deliver() -> None:
        with api_app.app_context():
            try:
                actor = db.session.get(User, chw_id)
                db.session.commit()  # end the read so every thread starts its sync together
                barrier.wait()
                [result] = sync_responses(
                    [copy.deepcopy(item)], actor=actor, channel=Channel.tablet, site_id=site_id
                )
                with lock:
                    statuses.append(result.status)
            except BaseException as exc:  # noqa: BLE001 - reported below
                with lock:
                    failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert sorted(statuses) == ["created"] + ["duplicate"] * 4
    db.session.expire_all()
    assert _count(Response) == 1 and _count(Answer) == len(COMPLETE_ANSWERS)
    assert len(_sync_audits()) == 1


def test_losing_the_race_between_look_up_and_insert(api_app, chw, monkeypatch):
    """The unique constraint decides: the late insert is rolled back and compared."""
    item = make_item()
    changed = make_item(item["uuid"], answers={**COMPLETE_ANSWERS, "child_age": 11})
    later = make_item()
    site_id = chw.site_id

    def sync(*items):
        return sync_responses(list(items), actor=chw, channel=Channel.tablet, site_id=site_id)

    assert [r.status for r in sync(item)] == ["created"]

    real = sync_module._stored_hash
    calls = {"n": 0}

    def look_up(uuid: str):
        # As if another sync inserted the row just after this one looked: every first
        # look-up of the item's uuid misses; the one after the failed insert sees the row.
        if uuid == item["uuid"]:
            calls["n"] += 1
            if calls["n"] % 2 == 1:
                return None
        return real(uuid)

    monkeypatch.setattr(sync_module, "_stored_hash", look_up)
    assert [r.status for r in sync(item, changed, later)] == ["duplicate", "conflict", "created"]
    assert _count(Response) == 2
    assert _stored(item["uuid"]).answer_values()["child_age"] == 4


# --- idempotency, as a property -----------------------------------------------------------------

_TEXTS = st.sampled_from(["Mi abuela", "La promotora", "Pastor Luis", "WIC", "La escuela"])
_CHOICES = ["school", "library", "child_welfare", "food_assistance"]
# Stored in the order of the choices, so the generated content is already normalized.
_SERVICES = st.lists(st.sampled_from(_CHOICES), unique=True).map(
    lambda picked: sorted(picked, key=_CHOICES.index) or None
)


@st.composite
def _contents(draw) -> dict[str, Any]:
    """One valid content of a children_scan response, already in normalized form."""
    knows = draw(st.sampled_from(["yes", "no"]))
    answers: dict[str, Any] = {
        "trusted_messenger": draw(_TEXTS),
        "resources": draw(_TEXTS),
        "used_services": draw(_SERVICES),
        "knows_rides": knows,
        "child_age": draw(st.one_of(st.none(), st.integers(0, 21))),
        "preferred_language": draw(st.sampled_from(["es", "en", "vi", None])),
        "contact_channel": draw(st.sampled_from(["text", "phone_call", None])),
        "consent_contact": draw(st.sampled_from(["yes", "no"])),
    }
    if knows == "no":
        answers["wants_ride_info"] = draw(st.sampled_from(["yes", "no", None]))
    minutes = draw(st.integers(0, 90))
    started = datetime(2026, 3, 2, 16, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    completed = draw(st.booleans())
    if not completed:  # in progress: some answers not given yet
        answers = {k: v for k, v in answers.items() if draw(st.booleans())}
        answers.pop("wants_ride_info", None)
    return {
        "language": draw(st.sampled_from(["es", "en"])),
        "started_at": started.isoformat(),
        "completed_at": (started + timedelta(minutes=12)).isoformat() if completed else None,
        "answers": answers,
    }


_UUIDS = [str(uuid_module.UUID(int=n, version=4)) for n in (1, 2, 3)]


@st.composite
def _deliveries(draw) -> tuple[list[dict], list[list[tuple[int, int]]]]:
    """Contents per uuid (2 variants each) and batches of (uuid index, variant index).

    Batches may repeat earlier ones (a retry after a lost reply), reorder items and
    deliver one uuid several times.
    """
    variants = [[draw(_contents()) for _ in range(2)] for _ in _UUIDS]
    pair = st.tuples(st.integers(0, len(_UUIDS) - 1), st.integers(0, 1))
    batches: list[list[tuple[int, int]]] = []
    for _ in range(draw(st.integers(1, 6))):
        if batches and draw(st.booleans()):
            batches.append(list(draw(st.sampled_from(batches))))  # the reply was lost
        else:
            batches.append(draw(st.lists(pair, min_size=1, max_size=5)))
    return variants, batches


def _clean_responses() -> None:
    db.session.rollback()
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.object_type == "response"))
    db.session.execute(sa.delete(Answer))
    db.session.execute(sa.delete(Response))
    db.session.commit()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=_deliveries())
def test_any_sequence_of_deliveries_keeps_the_first_content(chw_api, plan):
    variants, batches = plan
    _clean_responses()
    first: dict[int, dict] = {}
    for batch in batches:
        items = [
            {"uuid": _UUIDS[u], "survey_id": "children_scan", "survey_version": 1,
             **copy.deepcopy(variants[u][v])}
            for u, v in batch
        ]  # fmt: skip
        results = chw_api.sync(*items)
        for (u, v), result in zip(batch, results, strict=True):
            assert result["uuid"] == _UUIDS[u]
            if u not in first:
                assert result["status"] == "created", result
                first[u] = variants[u][v]
            elif variants[u][v] == first[u]:
                assert result["status"] == "duplicate", result
            else:
                assert result["status"] == "conflict", result

    db.session.expire_all()
    stored = db.session.scalars(sa.select(Response)).all()
    assert sorted(r.uuid for r in stored) == sorted(_UUIDS[u] for u in first)
    for response in stored:
        content = first[_UUIDS.index(response.uuid)]
        assert response.language == content["language"]
        assert response.started_at == datetime.fromisoformat(content["started_at"])
        completed = content["completed_at"] is not None
        assert response.status is (
            ResponseStatus.completed if completed else ResponseStatus.in_progress
        )
        assert response.answer_values() == content["answers"]
    assert len(_sync_audits()) == len(first)
