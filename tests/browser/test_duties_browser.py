"""R-5.6 in Chromium: a hardware engineer opens their duties, marks this week's "check the hubs"
done with a note and an evidence file, and sees it done with the file listed.

Needs the duty register's tables: run it after the operations migration that adds them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lpse.accounts.roles import Role
from lpse.operations.duty_catalogue import load_catalogue
from lpse.operations.services import duties
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def test_R_5_6_a_hardware_engineer_marks_a_duty_done_with_evidence(new_page, make_user, tmp_path):
    load_catalogue()  # a transactional test starts with empty tables
    duties.generate_occurrences()
    engineer = make_user(Role.TECH_HARDWARE)
    evidence = tmp_path / "hub-ruang-server.txt"
    evidence.write_text("Hub 1: semua port menyala.\n")

    page = new_page()
    sign_in(page, engineer.username)
    page.goto("/operasi/tugas/")
    row = page.locator("#my-duties tr[data-duty='hw-hubs']")
    expect(row).to_contain_text("Check the hubs and switches")
    row.get_by_role("link", name="Do it").click()
    page.get_by_label("What you checked or did").fill("Semua hub di ruang server diperiksa.")
    page.get_by_label("Evidence (optional)").set_input_files(str(evidence))
    page.get_by_role("button", name="Mark done").click()

    expect(page.get_by_text("Recorded: the duty is done.")).to_be_visible()
    expect(page.locator("#occurrence-state")).to_have_text("done on time")
    expect(page.locator("#evidence")).to_contain_text("hub-ruang-server.txt")
    expect(page.get_by_role("button", name="Mark done")).to_have_count(0)
    page.goto("/operasi/tugas/")
    expect(page.locator("#my-duties tr[data-duty='hw-hubs']")).to_have_count(0)
