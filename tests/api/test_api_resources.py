"""The resources of the JSON API: surveys, responses, sites, partners; roles, site isolation,
audit, pagination and errors.

Callers are devices with tokens (``bearer``) unless the test is about the browser session.
Every test runs on SQLite and on PostgreSQL (the ``app`` fixture).
"""

from __future__ import annotations

import json
import uuid as uuid_module
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.instruments.services import get_version, listing, load_surveys
from fieldscan.models import (
    Answer,
    AuditEvent,
    Channel,
    Partner,
    PartnerRelationship,
    Response,
    ResponseStatus,
    Site,
)
from tests.api.conftest import COMPLETE_ANSWERS, NOW, make_item
from tests.api.test_api_sync import MINI_SURVEY

OTHER_SITE = "rio_claro"


@pytest.fixture
def admin(make_user):
    """An admin (no site: sees every site)."""
    return make_user("admin", site=None)


@pytest.fixture
def other_chw(make_user):
    """A CHW at another site."""
    return make_user("chw", email="other@clinic.example", site=OTHER_SITE)


def _site_id(slug: str) -> int:
    return db.session.scalar(sa.select(Site.id).where(Site.slug == slug))


def _store(
    site: str | None,
    *,
    channel: Channel = Channel.tablet,
    status: ResponseStatus = ResponseStatus.completed,
    started: datetime = NOW - timedelta(hours=3),
    survey: str = "children_scan",
    answers: dict[str, Any] | None = None,
) -> Response:
    """A stored response (written directly, as any channel may have made it)."""
    response = Response(
        uuid=str(uuid_module.uuid4()),
        survey_version_id=get_version(survey).id,
        channel=channel,
        status=status,
        language="es",
        site_id=_site_id(site) if site else None,
        started_at=started,
    )
    if status is not ResponseStatus.in_progress:
        response.finished_at = started + timedelta(minutes=10)
    response.answers = [
        Answer(question_id=qid, value=value, language="es")
        for qid, value in (answers if answers is not None else {"child_age": 4}).items()
    ]
    db.session.add(response)
    db.session.commit()
    return response


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def _error(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == status and isinstance(error["message"], str) and error["message"]
    return error


def _pagination(response) -> dict[str, Any]:
    return json.loads(response.headers["X-Pagination"])


# --- surveys -----------------------------------------------------------------------------------


def test_the_survey_list_is_the_command_lines(bearer, chw):
    response = bearer(chw).get("/api/v1/surveys")
    assert response.status_code == 200
    body = response.get_json()
    assert body == listing()
    ids = [survey["id"] for survey in body]
    assert ids == ["children_scan", "partner_inventory", "prenatal_scan"]
    children = body[0]
    assert children["version"] == 1 and children["title"]
    assert "es" in children["languages"] and "NINOS" in children["keywords"]["es"]


def test_a_survey_rendered_in_a_language(bearer, chw):
    device = bearer(chw)
    spanish = device.get("/api/v1/surveys/children_scan?language=es").get_json()
    assert spanish["survey"] == "children_scan" and spanish["survey_version"] == 1
    assert spanish["language"] == "es" and spanish["channel"] == "web" and spanish["dir"] == "ltr"
    first = spanish["items"][0]
    assert first["id"] == "trusted_messenger" and "confía" in first["label"]
    assert first["messages"]["required"]

    english = device.get("/api/v1/surveys/children_scan").get_json()
    assert english["language"] == "en" and english["title"] != spanish["title"]
    assert (
        device.get("/api/v1/surveys/children_scan?language=zh-TW").get_json()["language"]
        == "zh_Hant"
    )
    assert device.get("/api/v1/surveys/children_scan?language=ar").get_json()["dir"] == "rtl"


def test_a_survey_in_an_unknown_or_unoffered_language_is_a_422(bearer, chw, tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI_SURVEY, encoding="utf-8")
    load_surveys(tmp_path / "mini.yaml")
    device = bearer(chw)
    error = _error(device.get("/api/v1/surveys/children_scan?language=de"), 422)
    assert error["location"] == "query" and "language" in error["fields"]
    error = _error(device.get("/api/v1/surveys/mini_scan?language=vi"), 422)
    assert error["fields"] == {
        "language": ["Survey 'mini_scan' is not offered in 'vi'; its languages are: en, es."]
    }


def test_an_unknown_survey_is_a_404(bearer, chw):
    device = bearer(chw)
    for path in ["adult_scan", "CHILDREN_SCAN", "children_scan%00", "%F0%9F%98%80", "a" * 300]:
        _error(device.get(f"/api/v1/surveys/{path}"), 404)


def test_an_archived_survey_is_not_offered(bearer, chw):
    from fieldscan.models import Survey

    db.session.get(Survey, "children_scan").archived = True
    db.session.commit()
    device = bearer(chw)
    assert "children_scan" not in [s["id"] for s in device.get("/api/v1/surveys").get_json()]
    _error(device.get("/api/v1/surveys/children_scan"), 404)


# --- creating and updating responses -------------------------------------------------------------


def test_create_a_response(bearer, chw):
    item = make_item()
    response = bearer(chw).post("/api/v1/responses", json=item)
    assert response.status_code == 201
    body = response.get_json()
    assert body["uuid"] == item["uuid"] and body["status"] == "completed"
    assert body["survey_id"] == "children_scan" and body["survey_version"] == 1
    assert body["channel"] == "tablet" and body["site"] == "valle_verde"
    assert body["interviewer_id"] == chw.id and body["language"] == "es"
    assert body["answers"] == COMPLETE_ANSWERS
    assert body["started_at"] == "2026-03-02T17:15:00+00:00"
    assert body["completed_at"] == "2026-03-02T17:24:30+00:00"
    [event] = _events("response.create")
    assert event.actor_id == chw.id and event.site_id == chw.site_id
    assert "abuela" not in json.dumps(event.details)


def test_create_again_is_a_duplicate_or_a_conflict(bearer, chw):
    device = bearer(chw)
    item = make_item()
    assert device.post("/api/v1/responses", json=item).status_code == 201
    again = device.post("/api/v1/responses", json=item)
    assert again.status_code == 200 and again.get_json()["uuid"] == item["uuid"]
    changed = make_item(item["uuid"], answers={**COMPLETE_ANSWERS, "child_age": 9})
    error = _error(device.post("/api/v1/responses", json=changed), 409)
    assert "uuid" in error["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1


def test_create_refuses_invalid_answers_field_by_field(bearer, chw):
    item = make_item(answers={**COMPLETE_ANSWERS, "child_age": 30, "colour": "blue"})
    error = _error(bearer(chw).post("/api/v1/responses", json=item), 422)
    assert error["location"] == "json"
    assert error["fields"] == {
        "answers": {
            "child_age": ["Please answer with a whole number from 0 to 21."],
            "colour": ["Not a question of survey 'children_scan'."],
        }
    }


MALFORMED_ITEMS = [
    ({"uuid": "nope"}, "uuid"),
    ({"survey_version": "1"}, "survey_version"),
    ({"survey_version": 10**40}, "survey_version"),
    ({"language": "xx"}, "language"),
    ({"started_at": "2026-03-02T09:15:00"}, "started_at"),
    ({"started_at": "0001-01-01T00:00:00+05:00"}, "started_at"),
    ({"answers": "yes"}, "answers"),
    ({"survey_id": "children\u0000scan"}, "survey_id"),
    ({"extra": 1}, "extra"),
]


def test_create_refuses_a_malformed_item_with_its_field(bearer, chw):
    device = bearer(chw)
    for change, field in MALFORMED_ITEMS:
        error = _error(device.post("/api/v1/responses", json=make_item(**change)), 422)
        assert field in error["fields"] and error["location"] == "json", (change, error)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def test_leadership_may_not_write(bearer, make_user):
    leader = bearer(make_user("leadership"))
    _error(leader.post("/api/v1/responses", json=make_item()), 403)
    _error(leader.put(f"/api/v1/responses/{uuid_module.uuid4()}", json={"answers": {}}), 403)
    _error(leader.post("/api/v1/sync", json={"responses": [make_item()]}), 403)


def _in_progress(device, **answers: Any) -> str:
    item = make_item(completed_at=None, answers=answers or {"trusted_messenger": "La maestra"})
    assert device.post("/api/v1/responses", json=item).status_code == 201
    return item["uuid"]


def test_update_a_response_in_progress_then_complete_it(bearer, chw):
    device = bearer(chw)
    uuid = _in_progress(device, trusted_messenger="La maestra", child_age=3)
    updated = device.put(
        f"/api/v1/responses/{uuid}",
        json={"answers": {"trusted_messenger": "El pastor", "resources": "WIC"}},
    )
    assert updated.status_code == 200
    body = updated.get_json()
    assert body["status"] == "in_progress" and body["completed_at"] is None
    assert body["answers"] == {"trusted_messenger": "El pastor", "resources": "WIC"}

    completed = device.put(
        f"/api/v1/responses/{uuid}",
        json={"answers": COMPLETE_ANSWERS, "completed_at": "2026-03-02T09:40:00-08:00"},
    )
    assert completed.status_code == 200
    body = completed.get_json()
    assert body["status"] == "completed" and body["completed_at"] == "2026-03-02T17:40:00+00:00"
    assert body["answers"] == COMPLETE_ANSWERS
    assert [e.details for e in _events("response.update")] == [
        {"answers": 2, "completed": False},
        {"answers": len(COMPLETE_ANSWERS), "completed": True},
    ]
    # A tablet resending the final content is a duplicate, not a conflict.
    final = make_item(uuid, completed_at="2026-03-02T09:40:00-08:00")
    [result] = device.post("/api/v1/sync", json={"responses": [final]}).get_json()["results"]
    assert result["status"] == "duplicate"

    error = _error(device.put(f"/api/v1/responses/{uuid}", json={"answers": {}}), 409)
    assert "completed" in error["message"]


def test_update_is_validated_by_the_engine(bearer, chw):
    device = bearer(chw)
    uuid = _in_progress(device)
    path = f"/api/v1/responses/{uuid}"
    error = _error(device.put(path, json={"answers": {"child_age": -1}}), 422)
    assert error["fields"]["answers"] == {
        "child_age": ["Please answer with a whole number from 0 to 21."]
    }
    complete = {"answers": {"consent_contact": "yes"}, "completed_at": NOW.isoformat()}
    error = _error(device.put(path, json=complete), 422)
    assert "completed_at" in error["fields"] and "resources" in error["fields"]["answers"]
    error = _error(
        device.put(path, json={"answers": {}, "completed_at": "2026-03-02T08:00:00-08:00"}), 422
    )
    assert error["fields"] == {
        "completed_at": ["The response cannot be completed before it started."]
    }
    future = (NOW + timedelta(hours=1)).isoformat()
    assert (
        "completed_at"
        in _error(device.put(path, json={"answers": {}, "completed_at": future}), 422)["fields"]
    )
    assert "status" in _error(device.put(path, json={"answers": {}, "status": "x"}), 422)["fields"]
    assert "answers" in _error(device.put(path, json={}), 422)["fields"]
    stored = device.get(path).get_json()
    assert stored["answers"] == {"trusted_messenger": "La maestra"}
    assert stored["status"] == "in_progress"


def test_responses_that_cannot_change(bearer, chw):
    device = bearer(chw)
    sms = _store("valle_verde", channel=Channel.sms, status=ResponseStatus.in_progress)
    abandoned = _store("valle_verde", status=ResponseStatus.abandoned)
    assert (
        "text message"
        in _error(device.put(f"/api/v1/responses/{sms.uuid}", json={"answers": {}}), 409)["message"]
    )
    assert (
        "abandoned"
        in _error(device.put(f"/api/v1/responses/{abandoned.uuid}", json={"answers": {}}), 409)[
            "message"
        ]
    )
    _error(device.put(f"/api/v1/responses/{uuid_module.uuid4()}", json={"answers": {}}), 404)


def test_another_sites_response_cannot_be_read_or_changed(bearer, chw, other_chw):
    theirs = _in_progress(bearer(other_chw))
    device = bearer(chw)
    _error(device.get(f"/api/v1/responses/{theirs}"), 403)
    _error(device.put(f"/api/v1/responses/{theirs}", json={"answers": {}}), 403)
    assert [e.actor_id for e in _events("response.read_denied")] == [chw.id]
    assert [e.actor_id for e in _events("response.update_denied")] == [chw.id]
    # Nor learnt through a create with the same uuid and content.
    same = make_item(theirs, completed_at=None, answers={"trusted_messenger": "La maestra"})
    _error(device.post("/api/v1/responses", json=same), 409)


# --- reading responses ---------------------------------------------------------------------------


def test_read_a_response_is_audited(bearer, chw):
    stored = _store("valle_verde", answers={"trusted_messenger": "Mi abuela", "child_age": 4})
    device = bearer(chw)
    response = device.get(f"/api/v1/responses/{stored.uuid.upper()}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["uuid"] == stored.uuid
    assert body["answers"] == {"trusted_messenger": "Mi abuela", "child_age": 4}
    [event] = _events("response.read")
    assert event.object_id == str(stored.id) and event.actor_id == chw.id
    assert event.actor_label.startswith("api-token:")


def test_an_unknown_response_is_a_404(bearer, chw):
    device = bearer(chw)
    for uuid in ["not-a-uuid", str(uuid_module.uuid4()), "%00", "%E2%80%AE", "x" * 5000]:
        _error(device.get(f"/api/v1/responses/{uuid}"), 404)


def _listed(device, query: str = "") -> list[str]:
    response = device.get(f"/api/v1/responses{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["uuid"] for item in response.get_json()]


def test_site_isolation_by_role(bearer, make_user, chw, other_chw, admin):
    here = _store("valle_verde")
    there = _store(OTHER_SITE)
    nowhere = _store(None)
    site_leader = make_user("leadership", email="lead@clinic.example")
    org_leader = make_user("leadership", email="boss@clinic.example", site=None)

    assert _listed(bearer(chw)) == [here.uuid]
    assert _listed(bearer(other_chw)) == [there.uuid]
    assert _listed(bearer(site_leader)) == [here.uuid]
    everything = sorted([here.uuid, there.uuid, nowhere.uuid])
    assert sorted(_listed(bearer(org_leader))) == everything
    assert sorted(_listed(bearer(admin))) == everything
    assert bearer(site_leader).get(f"/api/v1/responses/{here.uuid}").status_code == 200
    _error(bearer(site_leader).get(f"/api/v1/responses/{nowhere.uuid}"), 403)
    assert bearer(admin).get(f"/api/v1/responses/{there.uuid}").status_code == 200


def test_list_filters(bearer, admin, chw, other_chw, tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI_SURVEY, encoding="utf-8")
    load_surveys(tmp_path / "mini.yaml")
    early = _store("valle_verde", started=datetime(2026, 3, 1, 8, tzinfo=UTC))
    sms = _store("valle_verde", channel=Channel.sms, status=ResponseStatus.in_progress)
    there = _store(OTHER_SITE, channel=Channel.web)
    mini = _store("valle_verde", survey="mini_scan", answers={"consent": "yes"})
    device = bearer(admin)

    assert _listed(device, "?survey=mini_scan") == [mini.uuid]
    assert sorted(_listed(device, "?survey=children_scan")) == sorted(
        [early.uuid, sms.uuid, there.uuid]
    )
    assert _listed(device, "?site=rio_claro") == [there.uuid]
    assert _listed(device, "?channel=sms") == [sms.uuid]
    assert _listed(device, "?status=in_progress") == [sms.uuid]
    assert _listed(device, "?started_before=2026-03-02T00:00:00Z") == [early.uuid]
    assert early.uuid not in _listed(device, "?started_after=2026-03-01T08:00:01%2B00:00")
    assert _listed(
        device, "?started_after=2026-03-01T00:00:00-08:00&channel=tablet&site=valle_verde"
    )
    assert _listed(device, "?site=nowhere") == []
    assert _listed(device, "?survey=adult_scan") == []
    assert _listed(device, "?unknown_parameter=1") == _listed(device)
    # A CHW filtering on another site sees nothing of it.
    assert _listed(bearer(other_chw), "?site=valle_verde") == []


BAD_FILTERS = [
    "?channel=fax",
    "?status=done",
    "?survey=Children",
    "?site=a%00b",
    "?started_after=yesterday",
    "?started_after=2026-03-01T00:00:00",
    "?started_before=9999-12-31T23:59:59-05:00",
    "?page=0",
    "?page=x",
    "?page_size=101",
    "?page_size=-1",
]


def test_bad_filters_are_a_422_naming_the_parameter(bearer, admin):
    device = bearer(admin)
    for query in BAD_FILTERS:
        error = _error(device.get(f"/api/v1/responses{query}"), 422)
        assert error["location"] == "query"
        assert list(error["fields"]) == [query[1:].split("=")[0]], (query, error)


def test_pagination(bearer, admin, chw):
    stored = [
        _store("valle_verde", started=NOW - timedelta(hours=n)).uuid for n in range(1, 6)
    ]  # newest first
    device = bearer(admin)
    first = device.get("/api/v1/responses?page_size=2")
    assert [r["uuid"] for r in first.get_json()] == stored[:2]
    assert _pagination(first) == {
        "total": 5, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 1, "next_page": 2,
    }  # fmt: skip
    last = device.get("/api/v1/responses?page_size=2&page=3")
    assert [r["uuid"] for r in last.get_json()] == stored[4:]
    assert _pagination(last)["previous_page"] == 2
    assert device.get("/api/v1/responses?page=4&page_size=2").get_json() == []
    huge = device.get(f"/api/v1/responses?page={10**30}")
    assert huge.status_code == 200 and huge.get_json() == []
    assert len(device.get("/api/v1/responses").get_json()) == 5  # default page size 20
    assert len(device.get("/api/v1/responses?page_size=100").get_json()) == 5


def test_a_listing_is_audited_once_with_its_count(bearer, chw):
    for _ in range(3):
        _store("valle_verde")
    bearer(chw).get("/api/v1/responses?page_size=2&status=completed")
    [event] = _events("response.list")
    assert event.actor_id == chw.id and event.object_id is None
    assert event.details == {
        "count": 2,
        "total": 3,
        "page": 1,
        "filters": {"status": "completed"},
    }


# --- sites and partners ------------------------------------------------------------------------


def test_sites_are_those_the_caller_may_see(bearer, chw, other_chw, admin):
    assert [s["slug"] for s in bearer(chw).get("/api/v1/sites").get_json()] == ["valle_verde"]
    everything = bearer(admin).get("/api/v1/sites").get_json()
    assert [s["slug"] for s in everything] == ["rio_claro", "valle_verde"]
    assert set(everything[0]) == {"id", "slug", "name"}


def _partner(name: str, site: str | None, **fields: Any) -> Partner:
    partner = Partner(name=name, kind="food_assistance", site_id=_site_id(site) if site else None)
    for key, value in fields.items():
        setattr(partner, key, value)
    db.session.add(partner)
    db.session.commit()
    return partner


def test_partners_of_visible_sites_and_the_organisation(bearer, chw, other_chw, admin):
    _partner("Banco de comida", "valle_verde", services=["food_assistance"], mou=True)
    _partner("Iglesia San José", OTHER_SITE, relationship=PartnerRelationship.current)
    _partner("Radio Bilingüe", None, aliases=["Radio Bilingue"])

    mine = bearer(chw).get("/api/v1/partners")
    assert [p["name"] for p in mine.get_json()] == ["Banco de comida", "Radio Bilingüe"]
    assert _pagination(mine)["total"] == 2
    first = mine.get_json()[0]
    assert first["site"] == "valle_verde" and first["mou"] is True
    assert first["services"] == ["food_assistance"] and first["relationship"] == "prospective"
    assert mine.get_json()[1]["site"] is None

    device = bearer(admin)
    assert len(device.get("/api/v1/partners").get_json()) == 3
    current = device.get("/api/v1/partners?relationship=current").get_json()
    assert [p["name"] for p in current] == ["Iglesia San José"]
    assert [p["name"] for p in device.get("/api/v1/partners?site=rio_claro").get_json()] == [
        "Iglesia San José"
    ]
    page = device.get("/api/v1/partners?page_size=1&page=2")
    assert [p["name"] for p in page.get_json()] == ["Iglesia San José"]
    _error(device.get("/api/v1/partners?relationship=enemy"), 422)


# --- malformed requests --------------------------------------------------------------------------


NOT_JSON_OBJECTS = [
    ("this is not json", "application/json"),
    ('{"uuid": ', "application/json"),
    ("[1, 2]", "application/json"),
    ("null", "application/json"),
    ("1" * 5000, "application/json"),
    ('{"a": ' + "1" * 5000 + "}", "application/json"),
    ("[" * 100_000, "application/json"),
    (b"\xff\xfe\x00garbage", "application/json"),
    ('{"a": "\\ud800"}', "text/plain"),
    ("", "application/json"),
]


def test_a_body_that_is_not_a_json_object_is_a_400(bearer, chw):
    device = bearer(chw)
    for data, content_type in NOT_JSON_OBJECTS:
        for send, path in [
            (device.post, "/api/v1/responses"),
            (device.put, f"/api/v1/responses/{uuid_module.uuid4()}"),
            (device.post, "/api/v1/sync"),
        ]:
            error = _error(send(path, data=data, content_type=content_type), 400)
            assert "JSON" in error["message"], (data, path)


def test_odd_values_in_a_valid_body_are_field_errors_not_500s(bearer, chw):
    device = bearer(chw)
    uuid = _in_progress(device)
    for answers in [
        {"trusted_messenger": "a\u0000b"},
        {"trusted_messenger": "\ud800"},
        {"child_age": 1e308 * 10},
        {"child_age": 10**30},
        {"child_age": [[1]]},
        {"\u202e": "x"},
        {"": None},
    ]:
        response = device.put(f"/api/v1/responses/{uuid}", json={"answers": answers})
        assert response.status_code == 422, (answers, response.get_data(as_text=True))


def test_an_oversized_body_is_a_413(bearer, chw, api_app):
    api_app.config["MAX_CONTENT_LENGTH"] = 10_000
    item = make_item(answers={**COMPLETE_ANSWERS, "trusted_messenger": "x" * 20_000})
    _error(bearer(chw).post("/api/v1/responses", json=item), 413)


def test_other_methods_are_a_405(bearer, chw):
    device = bearer(chw)
    response = device.client.delete(
        "/api/v1/responses", headers={"Authorization": f"Bearer {device.token}"}
    )
    assert _error(response, 405) and "GET" in response.headers["Allow"]
