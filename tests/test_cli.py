"""The command line of the contract: db, surveys, users, i18n."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.models import AuditEvent, SurveyVersion, User

ROOT = Path(__file__).resolve().parent.parent
SURVEYS = ROOT / "surveys"
FIELDSCAN = Path(sys.executable).parent / "fieldscan"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_console_script_upgrades_loads_and_lists(tmp_path):
    env = {
        **os.environ,
        "FIELDSCAN_INSTANCE_PATH": str(tmp_path),
        "FIELDSCAN_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(FIELDSCAN), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    not_ready = run("surveys", "list", "--json")
    assert not_ready.returncode != 0 and "db upgrade" in not_ready.stderr
    assert run("db", "upgrade").returncode == 0
    loaded = run("surveys", "load")
    assert loaded.returncode == 0, loaded.stderr
    listed = run("surveys", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    surveys = {s["id"]: s for s in json.loads(listed.stdout)}
    assert set(surveys) == {"children_scan", "prenatal_scan", "partner_inventory"}
    for survey in surveys.values():
        assert set(survey) == {"id", "version", "title", "languages", "keywords"}
        assert len(survey["languages"]) == 12
        assert set(survey["keywords"]) == set(survey["languages"])
        assert all(survey["keywords"][lang] for lang in survey["languages"])


def test_load_is_idempotent_and_changes_make_versions(app, runner, tmp_path):
    result = runner.invoke(args=["surveys", "load"])
    assert result.exit_code == 0, result.output
    assert "version 1 loaded" in result.output
    again = runner.invoke(args=["surveys", "load"])
    assert "version 1 unchanged" in again.output
    assert _count(SurveyVersion) == 3

    changed = tmp_path / "children_scan.yaml"
    text = (SURVEYS / "children_scan.yaml").read_text(encoding="utf-8")
    changed.write_text(text.replace("max: 21", "max: 20"), encoding="utf-8")
    result = runner.invoke(args=["surveys", "load", str(changed)])
    assert result.exit_code == 0, result.output
    assert "children_scan: version 2 loaded" in result.output
    assert _count(SurveyVersion) == 4


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2] + "\n  - id: [unclosed",  # truncated mid-structure
        lambda text: text.replace("type: select_multiple", "type: checkboxes", 1),
        lambda text: text.replace("${knows_rides}", "${no_such_question}", 1),
        lambda text: "\x00\xff" + text,
    ],
    ids=["truncated", "bad-type", "unknown-reference", "garbage"],
)
def test_bad_definition_is_refused_and_nothing_is_loaded(app, runner, tmp_path, damage):
    folder = tmp_path / "surveys"
    shutil.copytree(SURVEYS, folder)
    target = folder / "children_scan.yaml"
    target.write_text(damage(target.read_text(encoding="utf-8")), encoding="utf-8")

    validate = runner.invoke(args=["surveys", "validate", str(folder)])
    assert validate.exit_code != 0
    assert "children_scan.yaml" in validate.output
    load = runner.invoke(args=["surveys", "load", str(folder)])
    assert load.exit_code != 0
    assert "children_scan.yaml" in load.output and "nothing was loaded" in load.output
    assert _count(SurveyVersion) == 0


def test_validate_accepts_the_shipped_instruments(app, runner):
    result = runner.invoke(args=["surveys", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok (12 languages)") == 3


def test_validate_names_a_missing_path(app, runner):
    result = runner.invoke(args=["surveys", "validate", "nowhere/at/all"])
    assert result.exit_code != 0 and "nowhere/at/all" in result.output


def test_users_create_hashes_with_argon2id_and_audits(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Ana@Clinic.org",
            "--role",
            "chw",
            "--site",
            "valle_verde",
            "--password-stdin",
        ],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert user.email == "ana@clinic.org" and user.site.slug == "valle_verde"
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash
    assert db.session.scalar(sa.select(AuditEvent.action)) == "user.create"


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--email", "x@clinic.org", "--role", "chw"], "long enough pw", "needs --site"),
        (["--email", "not-an-email", "--role", "admin"], "long enough pw", "not a valid"),
        (["--email", "x@clinic.org", "--role", "admin"], "short", "at least 8"),
        (["--email", "x@clinic.org", "--role", "admin"], "password123", "too common"),
        (
            ["--email", "x@clinic.org", "--role", "admin", "--site", "Bad Site!"],
            "long enough pw",
            "site",
        ),
    ],
)
def test_users_create_refuses_bad_input_and_changes_nothing(app, runner, args, password, message):
    result = runner.invoke(
        args=["users", "create", *args, "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code != 0
    assert message in result.output
    assert _count(User) == 0


def test_users_create_refuses_a_duplicate(app, runner):
    args = ["users", "create", "--email", "a@clinic.org", "--role", "admin", "--password-stdin"]
    assert runner.invoke(args=args, input="first password\n").exit_code == 0
    again = runner.invoke(args=args, input="second password\n")
    assert again.exit_code != 0 and "already exists" in again.output
    assert _count(User) == 1


def test_users_create_rejects_unknown_role(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "a@b.org", "--role", "boss", "--password-stdin"],
        input="whatever pw\n",
    )
    assert result.exit_code != 0 and "boss" in result.output
