"""The red-flag thresholds on the application admin's page (R-9.10): a change is audited and
changes the flags; a bad value is refused on its field and nothing is saved; only the app admin
may change them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lpse.accounts.roles import Role
from lpse.core.models import AuditEvent
from lpse.portal.models import RedFlagThreshold
from lpse.portal.ocds.store import releases_publish
from lpse.portal.red_flags import compute
from tests.red_flag_fixtures import agency, announced_tender, bidders  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

URL = "/kelola/tanda-bahaya/ambang/"


def admin(client, make_user):
    user = make_user(Role.APP_ADMIN, username="admin-ambang")
    client.force_login(user)
    return user


def test_R_9_10_the_admin_lowers_the_hps_threshold_and_the_award_at_97_percent_is_flagged(
    client, make_user, agency, bidders
):
    made = announced_tender(
        agency, bidders, {"Alfa Konstruksi": "1390000000", "Beta Karya": "1420000000"}
    )
    releases_publish()
    ocid = f"ocds-lpsemr-{made.tender.code}"
    assert not compute.tender_flags(ocid).result("LPSE-ICW-HPS").raised
    user = admin(client, make_user)
    assert reverse("portal:red_flag_thresholds") == URL
    answer = client.post(URL, {"name": "hps_ratio", "value": "0.95"})
    assert answer.status_code == 302
    assert compute.tender_flags(ocid).result("LPSE-ICW-HPS").raised
    event = AuditEvent.objects.get(action="portal.red_flag_threshold.set")
    assert event.actor == user
    assert event.data == {"name": "hps_ratio", "old": None, "new": "0.95"}
    page = client.get(URL).content.decode()
    assert '<td class="in-force">0.95</td>' in page.split('id="threshold-hps_ratio"')[1]
    # An empty value goes back to the default, audited too.
    client.post(URL, {"name": "hps_ratio", "value": ""})
    assert not RedFlagThreshold.objects.exists()
    assert not compute.tender_flags(ocid).result("LPSE-ICW-HPS").raised
    assert AuditEvent.objects.filter(action="portal.red_flag_threshold.set").count() == 2


def test_R_9_10_the_page_wins_over_the_setting_which_wins_over_the_default(
    client, make_user, settings
):
    settings.LPSE_RED_FLAG_THRESHOLDS = {"late_change_days": "5"}
    admin(client, make_user)
    row = client.get(URL).content.decode().split('id="threshold-late_change_days"')[1]
    assert '<td class="in-force">5</td>' in row.split("</tr>")[0]
    client.post(URL, {"name": "late_change_days", "value": "7"})
    row = client.get(URL).content.decode().split('id="threshold-late_change_days"')[1]
    assert '<td class="in-force">7</td>' in row.split("</tr>")[0]


@pytest.mark.parametrize("value", ["95", "-1", "soon"])
def test_R_9_10_a_bad_threshold_is_refused_on_its_field_and_nothing_is_saved(
    client, make_user, value
):
    admin(client, make_user)
    answer = client.post(URL, {"name": "hps_ratio", "value": value})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "not negative, a share from 0 to 1" in html
    assert f'value="{value}"' in html  # what was typed is kept
    assert not RedFlagThreshold.objects.exists()
    assert not AuditEvent.objects.filter(action="portal.red_flag_threshold.set").exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.LKPP_MONITOR, Role.AGENCY_ADMIN])
def test_R_9_10_only_the_app_admin_changes_thresholds(client, make_user, role):
    client.force_login(make_user(role, username=f"ambang-{role}"))
    assert client.post(URL, {"name": "hps_ratio", "value": "0.5"}).status_code == 403
    assert not RedFlagThreshold.objects.exists()
