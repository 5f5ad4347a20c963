"""The red-flag pages (R-9.10): auditors and the LKPP monitor see every tender's flags (per
tender, per agency, filtered by agency and indicator); a provider and an anonymous visitor do
not; the public sees the counts per indicator and per agency, naming no bidder. Every page
carries the sentence that a flag is not proof."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from lpse.accounts.roles import Role
from lpse.portal.ocds.store import releases_publish
from lpse.portal.red_flags import thresholds
from tests.red_flag_fixtures import agency, announced_tender, bidders  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

NOT_PROOF = "A red flag is a prompt to look closer, not proof of wrongdoing."


@pytest.fixture
def single_bid(agency, bidders):
    made = announced_tender(agency, bidders, {"Alfa Konstruksi": "1200000000"})
    releases_publish()
    return made


def signed_in(client, make_user, role):
    client.force_login(make_user(role, username=f"rf-{role}"))
    return client


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.LKPP_MONITOR])
def test_R_9_10_auditor_and_lkpp_see_each_flag_with_value_threshold_and_source(
    client, make_user, single_bid, role
):
    signed_in(client, make_user, role)
    page = client.get(reverse("portal:red_flag_tender", args=[single_bid.ocid]))
    assert page.status_code == 200
    html = page.content.decode()
    assert NOT_PROOF in html
    row = html.split('id="flag-LPSE-R018"')[1].split("</tr>")[0]
    assert "raised" in row and "1 tenderer(s)" in row and "exactly 1 tenderer" in row
    assert "Cardinal R018" in row
    assert f"/api/v1/ocds/records/{single_bid.ocid}" in html
    assert reverse("portal:red_flag_list") in client.get(reverse("accounts:home")).content.decode()
    agency_page = client.get(reverse("portal:red_flag_agency", args=["DPUPR"]))
    assert agency_page.status_code == 200 and NOT_PROOF in agency_page.content.decode()
    assert single_bid.tender.code in agency_page.content.decode()


def test_R_9_10_the_list_filters_by_indicator_and_agency_and_says_what_is_wrong(
    client, make_user, single_bid
):
    signed_in(client, make_user, Role.AUDITOR)
    url = reverse("portal:red_flag_list")
    code = single_bid.tender.code
    listed = client.get(url).content.decode()
    assert code in listed and NOT_PROOF in listed
    assert code in client.get(url, {"indicator": "LPSE-R018"}).content.decode()
    assert code not in client.get(url, {"indicator": "LPSE-R036"}).content.decode()
    assert code in client.get(url, {"agency": "DPUPR"}).content.decode()
    wrong = client.get(url, {"indicator": "LPSE-NOPE"})
    assert wrong.status_code == 200
    assert "Select a valid choice" in wrong.content.decode()
    assert code in wrong.content.decode()  # nothing lost: shown unfiltered


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.COMMITTEE, Role.PPK])
def test_R_9_10_other_roles_do_not_see_the_per_tender_flags(client, make_user, single_bid, role):
    signed_in(client, make_user, role)
    for url in (
        reverse("portal:red_flag_tender", args=[single_bid.ocid]),
        reverse("portal:red_flag_list"),
        reverse("portal:red_flag_agency", args=["DPUPR"]),
    ):
        assert client.get(url).status_code == 403


def test_R_9_10_an_anonymous_visitor_is_sent_to_sign_in(client, single_bid):
    page = client.get(reverse("portal:red_flag_tender", args=[single_bid.ocid]))
    assert page.status_code == 302 and "/akun/" in page["Location"]


def test_R_9_10_the_public_sees_counts_without_any_bidder(client, single_bid):
    page = client.get(reverse("portal:red_flags_public"))
    assert page.status_code == 200
    html = page.content.decode()
    assert NOT_PROOF in html
    row = html.split('id="count-LPSE-R018"')[1].split("</tr>")[0]
    assert '<td class="raised">1</td>' in row
    assert "Alfa Konstruksi" not in html and single_bid.tender.code not in html
    assert (
        reverse("portal:red_flags_public")
        in client.get(reverse("portal:transparency")).content.decode()
    )


def test_R_9_10_pages_only_read(client, make_user, single_bid):
    signed_in(client, make_user, Role.AUDITOR)
    assert client.post(reverse("portal:red_flag_list")).status_code == 405
    assert client.post(reverse("portal:red_flags_public")).status_code == 405


def test_R_9_10_an_unknown_tender_or_agency_is_404(client, make_user, single_bid):
    signed_in(client, make_user, Role.AUDITOR)
    assert client.get(reverse("portal:red_flag_tender", args=["ocds-lpsemr-X"])).status_code == 404
    assert client.get(reverse("portal:red_flag_agency", args=["NOPE"])).status_code == 404


def test_R_9_10_a_misspelt_or_malformed_threshold_is_refused_by_name():
    with pytest.raises(ImproperlyConfigured, match=r"unknown name.*hps_ratoi"):
        thresholds.from_mapping({"hps_ratoi": "0.9"})
    with pytest.raises(ImproperlyConfigured, match="late_change_days='soon' is not a whole number"):
        thresholds.from_mapping({"late_change_days": "soon"})
    with pytest.raises(ImproperlyConfigured, match="a share, 0 to 1"):
        thresholds.from_mapping({"hps_ratio": "95"})
    assert thresholds.from_mapping({"hps_ratio": "0.95"}).hps_ratio == 0.95
