"""HSDS import: reading and checking the files, importing, re-importing, the page and the CLI."""

from __future__ import annotations

import io

import pytest

from fieldscan.models import PartnerRelationship
from fieldscan.partners import hsds, inventory, services
from fieldscan.partners.hsds import HsdsError, guess_kind, map_service, read_hsds
from tests.fixtures_accounts import OTHER_SITE, SITE
from tests.partners.partner_helpers import (
    ORGANIZATIONS_CSV,
    SERVICES_CSV,
    audits,
    partners_named,
)


def problems(organizations: str | bytes, services_csv: str | bytes | None = None) -> list[str]:
    as_bytes = [s.encode() if isinstance(s, str) else s for s in (organizations, services_csv)]
    with pytest.raises(HsdsError) as error:
        read_hsds(*as_bytes)
    return [str(issue) for issue in error.value.issues]


# --- reading ------------------------------------------------------------------------------


def test_reads_organizations_and_maps_services():
    organizations = read_hsds(ORGANIZATIONS_CSV.encode(), SERVICES_CSV.encode())
    bank, frc, parish = organizations
    assert (bank.id, bank.name, bank.row) == ("org-1", "Oak Hollow Food Bank", 2)
    assert bank.alternate_names == ("Banco de Comida de Oak Hollow",)
    assert bank.url == "https://oakhollowfood.example"
    assert bank.service_values == ["food_assistance"]
    assert bank.unmatched_services == ["Tax preparation help"]
    assert bank.kind == "food_assistance"
    # the inactive rental assistance is neither mapped nor noted
    assert frc.service_values == ["childbirth_parenting", "car_seat_check"]
    assert frc.unmatched_services == [] and frc.kind == "childbirth_parenting"
    assert parish.name == "Saint Brigid's Parish" and parish.kind == "faith"
    assert parish.unmatched_services == ["Sunday meals"]


def test_organizations_alone_are_enough():
    [bank, *_] = read_hsds(ORGANIZATIONS_CSV.encode())
    assert bank.services == () and bank.service_values == []


def test_utf8_with_byte_order_mark_and_hsds3_column_names():
    organizations = (
        "\ufeffID,Name,Alternate Name,Website\r\n"
        "o1,Clínica Familiar Peña Blanca,,https://x.example\r\n"
    ).encode()
    services_csv = (
        "\ufeffid,Organization-ID,name,status,taxonomy_terms\r\n"
        "s1,o1,Prenatal Classes,active,Childbirth Education\r\n"
    ).encode()
    [clinic] = read_hsds(organizations, services_csv)
    assert clinic.name == "Clínica Familiar Peña Blanca" and clinic.url == "https://x.example"
    assert clinic.kind == "clinic_hospital"
    assert clinic.service_values == ["childbirth_parenting"]


def test_every_bad_row_is_reported():
    organizations = (
        "id,name,alternate_name\n"
        "o1,Oak Hollow Food Bank,\n"
        "o2,,\n"  # row 3: no name
        ",Lark Valley Library,\n"  # row 4: no id
        "o1,Oak Hollow Food Bank again,\n"  # row 5: id used on row 2
        "o5," + "x" * 301 + ",\n"  # row 6: name too long
    )
    services_csv = (
        "id,organization_id,name\n"
        "s1,o1,Food pantry\n"
        "s2,o1,\n"  # row 3: no name
        "s3,,Story time\n"  # row 4: no organization
        "s1,o1,Rides\n"  # row 5: id used on row 2
        "s6,x9,Food pantry\n"  # row 6: unknown organization
        "s7,o1,Rides,extra\n"  # row 7: a field too many
    )
    assert problems(organizations, services_csv) == [
        "organizations.csv: row 3: name is empty",
        "organizations.csv: row 4: id is empty",
        "organizations.csv: row 5: id 'o1' is already used on row 2",
        "organizations.csv: row 6: name is longer than 300 characters",
        "services.csv: row 3: name is empty",
        "services.csv: row 4: organization_id is empty",
        "services.csv: row 5: id 's1' is already used on row 2",
        "services.csv: row 6: organization_id 'x9' does not exist in organizations.csv",
        "services.csv: row 7: has more fields than the header",
    ]


def test_missing_columns_are_named():
    assert problems("id,title\no1,Oak Hollow\n", "id,org,name\ns1,o1,Pantry\n") == [
        "organizations.csv: missing required column 'name'",
        "services.csv: missing required column 'organization_id'",
    ]


def test_bad_encoding_names_the_file():
    latin1 = "id,name\no1,Clínica Peña\n".encode("latin-1")
    assert problems(latin1) == [
        "organizations.csv: is not UTF-8 text (byte 13); save it as CSV UTF-8"
    ]
    assert problems(ORGANIZATIONS_CSV, "id,organization_id,name\ns1,org-1,Peña\n".encode("cp1252"))[
        0
    ].startswith("services.csv: is not UTF-8 text")


def test_empty_and_oversized_files():
    assert problems("") == ["organizations.csv: the file is empty"]
    assert problems("id,name\r\n") == ["organizations.csv: the file has no rows"]
    with pytest.raises(HsdsError) as error:
        read_hsds(ORGANIZATIONS_CSV.encode(), max_bytes=100)
    assert str(error.value).startswith("organizations.csv: the file is larger than")


def test_blank_lines_are_skipped_and_names_trimmed():
    [org] = read_hsds(b"id,name,alternate_name\n\n o1 ,  Oak   Hollow  Food Bank ,a; b ;a\n,,\n")
    assert (org.id, org.name, org.alternate_names) == ("o1", "Oak Hollow Food Bank", ("a", "b"))


@pytest.mark.parametrize(
    ("texts", "values"),
    [
        (("Emergency Food Pantry",), ("food_assistance",)),
        (("Meals", "", "Medically Tailored Meals"), ("medically_tailored_meals",)),
        (("Medical Respite",), ("recuperative_care",)),
        (("Caregiver Respite",), ("caregiver_respite",)),
        (("Bus passes for appointments",), ("transportation",)),
        (("Lactation consultant", "", "Breastfeeding Support"), ("breastfeeding",)),
        (("Doula program",), ("doula",)),
        (("Story Time for toddlers",), ("early_literacy",)),
        (("After-School Tutoring",), ("youth_activities",)),
        (("Car Seat Inspection",), ("car_seat_check",)),
        (("Asthma home visits",), ("asthma_remediation", "home_visiting")),
        (("Tax preparation",), ()),
        (("Snapshots photography",), ()),  # whole words only
    ],
)
def test_service_keyword_table(texts, values):
    assert map_service(*texts) == values


def test_tables_use_only_inventory_values(app):
    services_values = set(inventory.values("services"))
    kinds = set(inventory.values("org_kind"))
    assert set(hsds.SERVICE_KEYWORDS) <= services_values
    assert {kind for kind, _ in hsds.KIND_KEYWORDS} <= kinds
    assert set(hsds.KIND_OF_SERVICE) <= services_values
    assert set(hsds.KIND_OF_SERVICE.values()) <= kinds
    assert guess_kind("Somewhere Collective") == "other"


# --- importing ----------------------------------------------------------------------------


def test_import_creates_prospective_partners_and_audits_counts(app, sites):
    organizations = read_hsds(ORGANIZATIONS_CSV.encode(), SERVICES_CSV.encode())
    report = services.import_hsds(organizations, site=sites[SITE], actor_label="cli")
    app.extensions["sqlalchemy"].session.commit()
    assert report.counts() == {
        "organizations": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "services_mapped": 3,
        "services_unmatched": 2,
    }
    stored = partners_named()
    bank = stored["Oak Hollow Food Bank"]
    assert bank.relationship is PartnerRelationship.prospective
    assert bank.site_id == sites[SITE].id and bank.external_id == "org-1"
    assert bank.kind == "food_assistance" and bank.services == ["food_assistance"]
    assert bank.aliases == ["Banco de Comida de Oak Hollow"]
    assert "Other services listed: Tax preparation help" in bank.notes
    assert "Website: https://oakhollowfood.example" in bank.notes
    [event] = audits("partners.import")
    assert event.details == {"format": "hsds", **report.counts()}
    assert event.actor_label == "cli" and event.site_id == sites[SITE].id


def test_reimport_updates_rather_than_duplicates(app, sites, add_partner):
    session = app.extensions["sqlalchemy"].session
    # Staff had entered the parish by hand, as a current partner with notes of their own.
    add_partner(
        "Saint Brigid's Parish",
        site=sites[SITE],
        kind="faith",
        relationship="current",
        notes="Father Tomás leads the health ministry.",
    )
    organizations = read_hsds(ORGANIZATIONS_CSV.encode(), SERVICES_CSV.encode())
    first = services.import_hsds(organizations, site=sites[SITE])
    session.commit()
    assert (first.created, first.updated) == (2, 1)
    parish = partners_named()["Saint Brigid's Parish"]
    assert parish.relationship is PartnerRelationship.current  # staff's choice kept
    assert parish.external_id == "org-3"
    assert parish.notes.startswith("Father Tomás leads the health ministry.")
    assert "Sunday meals" in parish.notes

    again = services.import_hsds(organizations, site=sites[SITE])
    session.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert len(partners_named()) == 3

    # The directory renames an organisation and adds a service: the same partner changes.
    renamed = ORGANIZATIONS_CSV.replace("Oak Hollow Food Bank,", "Oak Hollow Community Food Bank,")
    more = SERVICES_CSV + "svc-7,org-1,,Home Delivered Meals,,,active,\r\n"
    third = services.import_hsds(read_hsds(renamed.encode(), more.encode()), site=sites[SITE])
    session.commit()
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    bank = partners_named()["Oak Hollow Community Food Bank"]
    assert "Oak Hollow Food Bank" in bank.aliases  # the old name still matches answers
    assert bank.notes.count("[Resource directory import]") == 1
    assert len(partners_named()) == 3

    # Another site gets its own partners.
    services.import_hsds(organizations, site=sites[OTHER_SITE])
    session.commit()
    assert len(services.list_partners(None)) == 6


def test_import_with_current_relationship_and_dry_run(app, sites):
    session = app.extensions["sqlalchemy"].session
    organizations = read_hsds(ORGANIZATIONS_CSV.encode())
    plan = services.import_hsds(organizations, relationship="current", dry_run=True)
    session.commit()
    assert plan.created == 3 and partners_named() == {} and audits("partners.import") == []
    services.import_hsds(organizations, relationship="current")
    session.commit()
    assert {p.relationship for p in partners_named().values()} == {PartnerRelationship.current}
    assert {p.site_id for p in partners_named().values()} == {None}


# --- the page -----------------------------------------------------------------------------


def upload(client, post_form, organizations, services_csv=None, **fields):
    data = {"relationship": "prospective", **fields}
    data["organizations"] = (io.BytesIO(organizations.encode()), "organizations.csv")
    if services_csv is not None:
        data["services"] = (io.BytesIO(services_csv.encode()), "services.csv")
    return post_form(
        client,
        "/partners/import",
        "/partners/import",
        data,
        content_type="multipart/form-data",
    )


def test_upload_page_imports(staff, sites, post_form):
    leader = staff("leadership")
    page = leader.get("/partners/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    response = upload(leader, post_form, ORGANIZATIONS_CSV, SERVICES_CSV, site=str(sites[SITE].id))
    assert response.status_code == 302
    assert {p.site_id for p in partners_named().values()} == {sites[SITE].id}
    [event] = audits("partners.import")
    assert event.actor_id == leader.user.id and event.details["created"] == 3


def test_upload_page_lists_every_problem_and_imports_nothing(staff, sites, post_form):
    admin = staff("admin")
    services_csv = "id,organization_id,name\ns1,x9,Pantry\ns2,org-1,\n"
    response = upload(admin, post_form, ORGANIZATIONS_CSV, services_csv, site="")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was imported" in html
    assert "services.csv: row 2: organization_id “x9” does not exist in organizations.csv." in html
    assert "services.csv: row 3: name is empty." in html
    assert partners_named() == {} and audits("partners.import") == []


def test_upload_page_dry_run_shows_the_plan(staff, sites, post_form):
    admin = staff("admin")
    response = upload(admin, post_form, ORGANIZATIONS_CSV, site="", dry_run="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Oak Hollow Food Bank" in html
    assert partners_named() == {} and audits("partners.import") == []


def test_upload_page_needs_the_organizations_file_and_a_token(staff, sites, post_form):
    admin = staff("admin")
    response = post_form(admin, "/partners/import", "/partners/import", {"site": ""})
    assert response.status_code == 200 and "Choose the organizations file." in response.get_data(
        as_text=True
    )
    refused = admin.post(
        "/partners/import",
        data={"organizations": (io.BytesIO(ORGANIZATIONS_CSV.encode()), "o.csv"), "site": ""},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and partners_named() == {}


def test_site_leader_imports_only_into_their_site(staff, sites, post_form):
    leader = staff("leadership")
    response = upload(leader, post_form, ORGANIZATIONS_CSV, site=str(sites[OTHER_SITE].id))
    assert response.status_code == 200 and partners_named() == {}
    assert staff("chw", email="chw2@clinic.example").post("/partners/import").status_code in (
        400,
        403,
    )


def test_upload_larger_than_the_request_limit_is_refused(app, staff, sites, post_form):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    admin = staff("admin")
    big = ORGANIZATIONS_CSV + "".join(f"o{i},Organisation {i},,,,,\r\n" for i in range(400))
    assert upload(admin, post_form, big, site="").status_code == 413
    assert partners_named() == {}


# --- the command --------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    organizations = tmp_path / "organizations.csv"
    organizations.write_bytes(b"\xef\xbb\xbf" + ORGANIZATIONS_CSV.encode())
    services_csv = tmp_path / "services.csv"
    services_csv.write_text(SERVICES_CSV, encoding="utf-8")
    return organizations, services_csv


def test_cli_imports_and_reimports(runner, sites, files):
    organizations, services_csv = files
    args = ["partners", "import-hsds", "--organizations", str(organizations)]
    args += ["--services", str(services_csv), "--site", SITE]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged" in result.output
    again = runner.invoke(args=args)
    assert again.exit_code == 0 and "0 created, 0 updated, 3 unchanged" in again.output
    assert len(partners_named()) == 3
    assert [e.details["created"] for e in audits("partners.import")] == [3, 0]


def test_cli_dry_run_changes_nothing(runner, sites, files):
    organizations, _ = files
    result = runner.invoke(
        args=["partners", "import-hsds", "--organizations", str(organizations), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "create\tOak Hollow Food Bank" in result.output
    assert "dry run: would create 3" in result.output
    assert partners_named() == {} and audits("partners.import") == []


def test_cli_relationship_option(runner, sites, files):
    organizations, _ = files
    args = ["partners", "import-hsds", "--organizations", str(organizations)]
    assert runner.invoke(args=[*args, "--relationship", "current"]).exit_code == 0
    assert {p.relationship.value for p in partners_named().values()} == {"current"}


def test_cli_bad_rows_exit_non_zero_and_import_nothing(runner, sites, tmp_path, files):
    organizations, _ = files
    bad = tmp_path / "bad_services.csv"
    bad.write_text("id,organization_id,name\ns1,x9,Pantry\ns2,org-1,\n", encoding="utf-8")
    result = runner.invoke(
        args=[
            "partners",
            "import-hsds",
            "--organizations",
            str(organizations),
            "--services",
            str(bad),
        ]
    )
    assert result.exit_code == 1
    assert "bad_services.csv: row 2: organization_id 'x9' does not exist in organizations.csv" in (
        result.output
    )
    assert "bad_services.csv: row 3: name is empty" in result.output
    assert "2 problems found; nothing was imported" in result.output
    assert partners_named() == {} and audits("partners.import") == []


def test_cli_missing_file_unknown_site_and_bad_option(runner, sites, files, tmp_path):
    organizations, _ = files
    base = ["partners", "import-hsds", "--organizations"]
    missing = runner.invoke(args=[*base, str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "nope.csv: no such file" in missing.output
    unknown = runner.invoke(args=[*base, str(organizations), "--site", "atlantis"])
    assert unknown.exit_code == 1 and "site 'atlantis' does not exist" in unknown.output
    bad = runner.invoke(args=[*base, str(organizations), "--relationship", "maybe"])
    assert bad.exit_code == 2
    assert partners_named() == {}
