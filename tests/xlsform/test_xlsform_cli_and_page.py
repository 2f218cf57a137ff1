"""``fieldscan surveys import-xlsform`` and the admin page /admin/surveys/import."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.instruments.services import definition_of, get_version, load_surveys
from fieldscan.models import AuditEvent, Survey
from tests.xlsform.conftest import csv_form, stored_counts

PAGE = "/admin/surveys/import"
GOOD = csv_form(
    [["type", "name", "label", "relevant"],
     ["select_one yn", "Consent", "May we ask?", ""],
     ["text", "Town", "Which town?", "${Consent} = 'yes'"]],
    choices=[["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
    settings=[["form_id", "form_title", "sms_keyword"], ["town_check", "Town check", "town"]],
)  # fmt: skip
BAD = csv_form([["type", "name", "label", "calculation"], ["calculate", "c", "", ""]])


@pytest.fixture
def form_file(tmp_path):
    def write(data: bytes, name: str = "town.csv"):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def _import(runner, *args: str):
    return runner.invoke(args=["surveys", "import-xlsform", *args])


# --- command line ------------------------------------------------------------------------


def test_cli_imports_a_form_and_reports(runner, form_file):
    result = _import(runner, form_file(GOOD))
    assert result.exit_code == 0, result.output
    assert "imported town_check version 1" in result.output
    assert "warning: SMS keyword TOWN" in result.output
    assert "'Consent' -> 'consent'" in result.output
    version = get_version("town_check")
    assert definition_of(version).question("town").relevant == "${consent} = 'yes'"
    assert db.session.get(Survey, "town_check").source == "xlsform:town.csv"
    again = _import(runner, form_file(GOOD))
    assert again.exit_code == 0 and "imported town_check version 1 (unchanged)" in again.output
    changed = GOOD.replace(b"Which town?", b"Which city?")
    third = _import(runner, form_file(changed))
    assert third.exit_code == 0 and "imported town_check version 2" in third.output
    assert "was imported from" not in third.output
    assert stored_counts() == (1, 2)
    other_file = _import(runner, form_file(changed, "another.csv"))
    assert other_file.exit_code == 0 and "version 2 (unchanged)" in other_file.output
    assert "survey 'town_check' was imported from town.csv; this form replaces it" in (
        other_file.output
    )
    older = _import(runner, form_file(GOOD))
    assert older.exit_code == 0 and "imported town_check version 1 (unchanged)" in older.output
    assert "but version 2 stays the current one" in older.output


def test_cli_refuses_a_bad_form_and_stores_nothing(runner, form_file):
    result = _import(runner, form_file(BAD, "calc.csv"))
    assert result.exit_code == 1
    assert "error: calc.csv: 'survey' sheet, row 2: Missing calculation." in result.output
    assert "calc.csv was refused; nothing was stored" in result.output
    assert stored_counts() == (0, 0)


def test_cli_dry_run_stores_nothing(runner, form_file):
    result = _import(runner, form_file(GOOD), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: town_check can be imported" in result.output
    assert stored_counts() == (0, 0)


def test_cli_id_option(runner, form_file):
    assert _import(runner, form_file(GOOD), "--id", "towns").exit_code == 0
    assert get_version("towns") is not None and get_version("town_check") is None
    bad = _import(runner, form_file(GOOD), "--id", "Towns!")
    assert bad.exit_code == 1 and "--id 'Towns!'" in bad.output


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("missing.xlsx", None, "no such file"),
        ("form.ods", b"x", "only .xlsx, .xls and .csv"),
        ("big.csv", b"survey\n" + b"," * 3000, "at most 2,000 bytes"),
    ],
)
def test_cli_refuses_bad_input_in_one_line(app, runner, tmp_path, name, data, message):
    app.config["FIELDSCAN_XLSFORM_MAX_BYTES"] = 2000
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    result = _import(runner, str(path))
    assert result.exit_code != 0 and message in result.output
    assert stored_counts() == (0, 0)


def test_cli_keeps_shipped_surveys_and_their_keywords(app, runner, form_file):
    load_surveys(app.config["SURVEYS_DIR"])
    before = stored_counts()
    clash = GOOD.replace(b"town_check", b"children_scan")
    result = _import(runner, form_file(clash))
    assert result.exit_code == 1 and "already exists and was loaded from" in result.output
    assert stored_counts() == before
    kids = GOOD.replace(b",town\n", b",kids\n")
    imported = _import(runner, form_file(kids))
    assert imported.exit_code == 0, imported.output
    assert definition_of(get_version("town_check")).keywords == {"en": ["KIDS2"]}
    assert "KIDS is used by survey 'children_scan'" in imported.output


# --- the admin page ----------------------------------------------------------------------


def _upload(client, csrf_token, data: bytes, name: str = "town.csv", **fields):
    token = csrf_token(client, PAGE)
    return client.post(
        PAGE,
        data={"csrf_token": token, "file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


def test_the_page_is_for_administrators(client, make_user, sign_in, admin_client):
    page = admin_client.get(PAGE)
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text and 'enctype="multipart/form-data"' in page.text
    for role in ("chw", "leadership"):
        other = admin_client.application.test_client()
        make_user(role)
        sign_in(other, f"{role}@clinic.example")
        assert other.get(PAGE).status_code == 403
    anonymous = admin_client.application.test_client().get(PAGE)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_uploads_need_the_csrf_token(admin_client):
    response = admin_client.post(
        PAGE,
        data={"file": (io.BytesIO(GOOD), "town.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert stored_counts() == (0, 0)


def test_an_upload_of_a_good_form_stores_it(admin_client, csrf_token):
    response = _upload(admin_client, csrf_token, GOOD)
    assert response.status_code == 200
    assert "town_check" in response.text and "Imported" in response.text
    assert "SMS keyword TOWN" in response.text
    assert get_version("town_check").number == 1
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "survey.import_xlsform")
    ).all()
    assert [e.object_id for e in events] == ["town_check"]
    assert events[0].actor_id is not None


def test_an_upload_can_be_checked_only(admin_client, csrf_token):
    response = _upload(admin_client, csrf_token, GOOD, dry_run="y", survey_id="towns")
    assert response.status_code == 200 and "Nothing was stored" in response.text
    assert stored_counts() == (0, 0)


def test_a_refused_upload_shows_why_and_stores_nothing(admin_client, csrf_token):
    response = _upload(admin_client, csrf_token, BAD, name="calc.csv")
    assert response.status_code == 422
    assert "&#39;survey&#39; sheet, row 2: Missing calculation." in response.text
    assert stored_counts() == (0, 0)


def test_upload_form_errors(admin_client, csrf_token):
    response = _upload(admin_client, csrf_token, GOOD, name="town.ods")
    assert response.status_code == 200 and "Only .xlsx, .xls and .csv" in response.text
    bad_id = _upload(admin_client, csrf_token, GOOD, survey_id="Not An Id")
    assert "Use lower-case letters" in bad_id.text
    assert stored_counts() == (0, 0)


def test_oversized_uploads_are_refused(app, admin_client, csrf_token):
    app.config["FIELDSCAN_XLSFORM_MAX_BYTES"] = 2000
    slightly = _upload(admin_client, csrf_token, GOOD + b"\n" * 3000)
    assert slightly.status_code == 422 and "at most 2,000 bytes" in slightly.text
    far = _upload(admin_client, csrf_token, GOOD + b"\n" * 200_000)
    assert far.status_code == 413
    assert stored_counts() == (0, 0)


def test_uploads_larger_than_the_app_wide_limit_are_allowed_up_to_the_import_limit(
    app, admin_client, csrf_token
):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = _upload(admin_client, csrf_token, GOOD + b"\n" * 5000)
    assert response.status_code == 200, response.text
    assert get_version("town_check") is not None
