"""SPEC 0, "every role at work": docs/roles.md (role → capabilities → pages) is generated from the
code by scripts/roles_table.py and must match it; no role is left with nothing but the pages of
every signed-in person (the helpdesk)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from lpse.accounts.roles import ROLE_CAPABILITIES, Role

ROOT = Path(__file__).resolve().parents[1]


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "roles_table", ROOT / "scripts" / "roles_table.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


roles_table = _load_generator()

# Every role has a page of its own since the procurement officer's desk; this list must
# stay empty.
NOT_YET_AT_WORK: set[Role] = set()


def test_SPEC_0_docs_roles_md_is_generated_from_the_code_and_current():
    current = (ROOT / roles_table.TABLE_PATH).read_text(encoding="utf-8")
    assert current == roles_table.build(), (
        "docs/roles.md is stale: regenerate it with `uv run python scripts/roles_table.py`"
    )


def test_SPEC_0_the_table_names_each_capabilitys_pages_from_the_resolver():
    pages = roles_table.endpoints_by_capability()
    assert (
        "`tenders:approval_queue` `/kelola/persetujuan-paket/`" in pages["tenders.approve_packages"]
    )
    assert any("accounts:account_list" in line for line in pages["accounts.manage_lpse_staff"])
    assert any("accounts:account_list" in line for line in pages["accounts.manage_agency_staff"])
    text = roles_table.build()
    assert "## Budget user (PA/KPA) (`budget_user`)" in text


def test_SPEC_0_every_role_has_a_page_of_its_own_beyond_the_helpdesk():
    pages = roles_table.endpoints_by_capability()
    idle = {role for role in Role if not any(pages.get(cap) for cap in ROLE_CAPABILITIES[role])}
    assert idle == NOT_YET_AT_WORK


def test_R_5_5_lkpp_reads_tender_statistics_and_the_system_status(client, make_user):
    from django.urls import reverse

    client.force_login(make_user(Role.LKPP_MONITOR))
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("tenders:statistics") in home and reverse("accounts:system_status") in home
    assert client.get(reverse("tenders:statistics")).status_code == 200
    # Read-only: no page that changes anything, and no package approval.
    assert client.get(reverse("tenders:approval_queue")).status_code == 403


def test_R_5_6_tech_staff_see_whether_the_audit_chain_holds_and_who_signs_in(client, make_user):
    from django.urls import reverse

    from lpse.core.models import AuditEvent

    make_user(Role.APP_ADMIN)  # some audit events to check
    client.force_login(make_user(Role.TECH_DATABASE))
    page = client.get(reverse("accounts:system_status")).content.decode()
    assert 'id="chain-status">Intact' in page
    AuditEvent.objects.filter(seq=1).update(action="tampered")
    page = client.get(reverse("accounts:system_status")).content.decode()
    assert 'id="chain-status">Broken' in page and "changed after it was written" in page
