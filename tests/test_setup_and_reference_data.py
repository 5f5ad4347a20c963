"""First run (issue 13, R-5.6, R-8.1): ``lpse setup`` on an empty database, the reference data
files it loads, and a provider and a package with no demo data at all.

Runs on SQLite, and on PostgreSQL when DATABASE_URL names one (as the whole suite does)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from lpse.accounts import services as account_services
from lpse.accounts.models import User
from lpse.accounts.roles import Role
from lpse.catalog import reference
from lpse.catalog.models import (
    BusinessField,
    BusinessSubField,
    GoodsCategory,
    Origin,
    ReferenceDataset,
)
from lpse.catalog.setup_checklist import steps_left
from lpse.core.models import AuditEvent
from lpse.providers.models import Company
from lpse.providers.services import registration
from lpse.tenders.services import preparation

pytestmark = pytest.mark.django_db
ADMIN_PASSWORD = "Correct-Horse-42!"


def run_setup(tmp_path, *args: str) -> str:
    secret = tmp_path / "admin-password"
    secret.write_text(ADMIN_PASSWORD)
    out = io.StringIO()
    call_command("setup", *args, "--password-file", str(secret), stdout=out)
    return out.getvalue()


# --- the files --------------------------------------------------------------------------------


def test_R_5_6_every_reference_file_matches_its_recorded_sha256_and_row_count():
    for dataset in reference.manifest():
        raw = dataset.path.read_bytes()
        assert hashlib.sha256(raw).hexdigest() == dataset.sha256, dataset.file
        if dataset.file.endswith(".csv"):
            rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
            assert len(rows) == dataset.rows, dataset.file
        assert dataset.source and dataset.version and dataset.note


def test_R_5_6_the_shipped_kbli_list_says_it_is_sections_and_divisions_only():
    """A short list must not pose as the full 5-digit KBLI: the manifest says what it holds and
    where the rest comes from (an import, with an example file)."""
    by_key = {d.key: d for d in reference.manifest()}
    sections = reference.rows_of(by_key["kbli2020-sections"])
    divisions = reference.rows_of(by_key["kbli2020-divisions"])
    assert [row["code"] for row in sections] == [chr(c) for c in range(ord("A"), ord("V"))]
    assert len(divisions) == 88 and all(len(row["code"]) == 2 for row in divisions)
    assert {row["field"] for row in divisions} == {row["code"] for row in sections}
    note = by_key["kbli2020-divisions"].note
    assert "5-digit" in note and "NOT shipped" in note and "import" in note
    assert (reference.REFERENCE_DIR / "examples" / "kbli2020-5digit-example.csv").exists()
    categories = reference.rows_of(by_key["goods-categories"])
    assert [(r["code"], r["name_2010"]) for r in categories] == [
        ("goods", "Pengadaan Barang"),
        ("works", "Pekerjaan Konstruksi"),
        ("consulting", "Jasa Konsultansi"),
        ("other_services", "Jasa Lainnya"),
    ]


def test_R_5_6_a_changed_file_without_a_new_manifest_entry_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "reference"
    shutil.copytree(reference.REFERENCE_DIR, copy)
    with open(copy / "kbli2020-sections.csv", "a", encoding="utf-8") as f:
        f.write("V,Tambahan tanpa sumber\n")
    monkeypatch.setattr(reference, "REFERENCE_DIR", copy)
    with pytest.raises(CommandError, match=r"kbli2020-sections\.csv: SHA-256"):
        run_setup(tmp_path)
    assert not BusinessField.objects.exists()


# --- lpse setup ---------------------------------------------------------------------------------


def test_R_5_6_setup_on_an_empty_database_loads_reference_data_and_the_first_admin(tmp_path):
    out = run_setup(tmp_path, "--admin", "admin.lpse", "--email", "admin@lpse.example")
    assert BusinessField.objects.count() == 21
    assert BusinessSubField.objects.count() == 88
    assert BusinessSubField.objects.get(code="41").field.code == "F"
    assert GoodsCategory.objects.get(code="works").name == "Pekerjaan Konstruksi"
    assert set(BusinessField.objects.values_list("origin", flat=True)) == {Origin.REFERENCE}
    admin = User.objects.get(username="admin.lpse")
    assert admin.check_password(ADMIN_PASSWORD)
    assert "application administrator admin.lpse: created" in out
    # What is left is printed: no agency, no verifier, no SMTP yet.
    assert "[ ] At least one agency (SKPD)" in out
    assert "[ ] At least one verifier" in out
    assert "[ ] An SMTP server for e-mail" in out
    assert "[x] The LPSE signing key" in out


def test_R_5_6_setup_again_changes_nothing_and_creates_no_second_admin(tmp_path):
    run_setup(tmp_path, "--admin", "admin.lpse", "--email", "admin@lpse.example")
    events = AuditEvent.objects.count()
    out = run_setup(tmp_path, "--admin", "other", "--email", "other@lpse.example")
    assert "reference data: up to date" in out
    assert "one exists already" in out
    assert not User.objects.filter(username="other").exists()
    assert AuditEvent.objects.count() == events
    assert BusinessSubField.objects.count() == 88


def test_R_5_6_a_newer_file_version_updates_names_and_never_deletes_rows(tmp_path, monkeypatch):
    run_setup(tmp_path)
    admin_row = BusinessSubField.objects.create(
        code="41011", name="Konstruksi Gedung Hunian", field=BusinessField.objects.get(code="F")
    )
    copy = tmp_path / "reference"
    shutil.copytree(reference.REFERENCE_DIR, copy)
    path = copy / "kbli2020-divisions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # Version 2020.2 renames division 41 and drops division 99.
    lines = [
        "41,F,Konstruksi Gedung (nama baru)" if line.startswith("41,") else line
        for line in lines
        if not line.startswith("99,")
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest = json.loads((copy / "manifest.json").read_text())
    for entry in manifest["datasets"]:
        if entry["key"] == "kbli2020-divisions":
            entry.update(
                version="2020.2", rows=87, sha256=hashlib.sha256(path.read_bytes()).hexdigest()
            )
    (copy / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(reference, "REFERENCE_DIR", copy)

    out = run_setup(tmp_path)
    assert "kbli2020-divisions: 0 added, 87 updated, 0 kept" in out
    assert BusinessSubField.objects.get(code="41").name == "Konstruksi Gedung (nama baru)"
    assert BusinessSubField.objects.filter(code="99").exists()  # dropped from the file, kept
    assert BusinessSubField.objects.get(pk=admin_row.pk).name == "Konstruksi Gedung Hunian"
    assert ReferenceDataset.objects.get(key="kbli2020-divisions").version == "2020.2"


def test_R_5_6_the_checklist_shows_on_the_admin_home_page_until_done(tmp_path, client, settings):
    run_setup(tmp_path, "--admin", "admin.lpse", "--email", "admin@lpse.example")
    admin = User.objects.get(username="admin.lpse")
    client.force_login(admin)
    page = client.get(reverse("accounts:home")).content.decode()
    assert 'id="setup-checklist"' in page and "At least one verifier" in page

    agency = account_services.agency_create(actor=admin, code="DPUPR", name="Dinas PUPR")
    account_services.staff_create(
        actor=admin,
        username="verif.1",
        email="verif@lpse.example",
        first_name="Vera",
        last_name="Fikator",
        roles={Role.VERIFIER},
    )
    settings.EMAIL_HOST = "smtp.lpse.example"
    assert [step.key for step in steps_left()] == ["backups"]
    settings.LPSE_BACKUP_TARGETS = ["folder:/mnt/cadangan"]
    settings.LPSE_BACKUP_RECIPIENTS = ["age1" + "q" * 58]
    assert agency and not steps_left()
    page = client.get(reverse("accounts:home")).content.decode()
    assert 'id="setup-checklist"' not in page


def test_R_5_6_the_checklist_is_not_shown_to_other_roles(tmp_path, client, make_user):
    run_setup(tmp_path)
    client.force_login(make_user(Role.HELPDESK))
    assert 'id="setup-checklist"' not in client.get(reverse("accounts:home")).content.decode()


# --- from nothing to a provider and a package ---------------------------------------------------


def test_R_8_1_after_setup_without_demo_data_a_provider_is_verified_and_a_package_approved_and_handed_over(
    tmp_path,
):
    run_setup(tmp_path, "--admin", "admin.lpse", "--email", "admin@lpse.example")
    admin = User.objects.get(username="admin.lpse")
    agency = account_services.agency_create(actor=admin, code="DPUPR", name="Dinas PUPR Maros")
    verifier = account_services.staff_create(
        actor=admin,
        username="verif.1",
        email="verif@lpse.example",
        first_name="Vera",
        last_name="Fikator",
        roles={Role.VERIFIER},
    )
    agency_admin = account_services.staff_create(
        actor=admin,
        username="admin.dpupr",
        email="admin@dpupr.example",
        first_name="Ani",
        last_name="Agency",
        roles={Role.AGENCY_ADMIN},
        agency=agency,
    )
    ppk = account_services.staff_create(
        actor=agency_admin,
        username="ppk.dpupr",
        email="ppk@dpupr.example",
        first_name="Putu",
        last_name="PPK",
        roles={Role.PPK},
        agency=agency,
    )
    building = BusinessSubField.objects.get(code="41")  # KBLI 41 Konstruksi Gedung

    token = registration.registration_start(email="direktur@sinar.test")
    company = registration.registration_submit(
        token=token,
        data=registration.RegistrationData(
            legal_form="cv",
            name="Sinar Maros",
            npwp="01.234.567.8-901.000",
            nib="9120001234567",
            address="Jl. Ratulangi 5",
            city="Maros",
            phone="0411-371000",
            director_name="Andi Tenri",
            user_id="sinarmaros",
            sub_field_ids=[building.pk],
        ),
    )
    registration.verification_open(actor=verifier, company=company)
    registration.verification_decide(actor=verifier, company=company, checks=[], outcome="complete")
    company.refresh_from_db()
    assert company.state == Company.State.VERIFIED
    assert list(company.sub_fields.all()) == [building]

    package = preparation.package_create(
        actor=ppk,
        data=preparation.PackageData(
            name="Rehabilitasi Gedung SD Negeri 12 Turikale",
            fiscal_year=2026,
            budget_ceiling="1.500.000.000",
            owner_estimate="1.425.750.000",
            category=GoodsCategory.objects.get(code="works").code,
            sub_field_id=building.pk,
            location="Kec. Turikale, Kabupaten Maros",
            funding_source="apbd",
        ),
    )
    assert package.sub_field == building and package.agency == agency

    # the PA/KPA approves the package before the PPK hands it to a committee.
    budget_user = account_services.staff_create(
        actor=agency_admin,
        username="kpa.dpupr",
        email="kpa@dpupr.example",
        first_name="Kadir",
        last_name="KPA",
        roles={Role.BUDGET_USER},
        agency=agency,
    )
    member = account_services.staff_create(
        actor=agency_admin,
        username="pokja.dpupr",
        email="pokja@dpupr.example",
        first_name="Pokja",
        last_name="Satu",
        roles={Role.COMMITTEE},
        agency=agency,
    )
    committee = preparation.committee_create(
        actor=agency_admin, name="Pokja Pemilihan 1", members=[member]
    )
    from lpse.core.errors import DomainError
    from lpse.tenders.services import approval

    with pytest.raises(DomainError):
        preparation.package_assign(actor=ppk, package=package, committee=committee)
    approval.package_approve(actor=budget_user, package=package)
    package = preparation.package_assign(actor=ppk, package=package, committee=committee)
    assert package.committee == committee
