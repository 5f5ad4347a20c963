"""Issue 3 end to end in Chromium: a package becomes a published tender that a provider joins,
asks about, and whose schedule is changed (SPEC 8, R-7.2, R-7.3, R-3.3)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lpse.core.calendar import WITA, add_working_days
from lpse.tenders.models import Package, Tender
from lpse.tenders.selectors.schedule import Schedule, problems_of
from lpse.tenders.services import preparation as services
from lpse.tenders.stages import STAGE_ORDER, Stage
from tests.conftest import PASSWORD
from tests.tender_fixtures import approve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class PackageInput:
    name: str = "Rehabilitasi Gedung SMP Negeri 3 Bantimurung"
    budget_ceiling: str = "1.500.000.000"
    owner_estimate: str = "1.425.750.000"
    category: str = "works"
    sub_field: str = "K01 Bangunan Gedung"
    location: str = "Kec. Bantimurung, Kabupaten Maros"
    funding_source: str = "apbd"


PACKAGE = PackageInput()
QUALIFICATION = "SBU BG001 (bangunan gedung pendidikan); pengalaman 1 pekerjaan 4 tahun terakhir"
DOCUMENT_TITLE = "Dokumen Pemilihan"
DOCUMENT_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n% Dokumen Pemilihan SMPN 3 Bantimurung\n%%EOF\n"
QUESTION = "Apakah pekerjaan atap termasuk penggantian rangka baja ringan?"
ANSWER = "Ya, rangka atap diganti seluruhnya dengan baja ringan sesuai gambar kerja."
REASON = "Addendum gambar struktur atap: peserta memerlukan waktu tambahan menyusun penawaran."
PROVIDER_EMAIL = "direktur@sinar.test"  # the verified_provider company's address


def test_a_tender_is_set_up_published_joined_clarified_and_rescheduled(
    new_page, agency_a, verified_provider, make_user, smtp_server
):
    """R-8.1 the PPK creates a package (rupiah typed the Indonesian way) and hands it to the
    committee; R-8.2 the committee sets up the tender (method, qualification, all twelve stages,
    the tender document); R-7.3 committee and PPK sign the integrity pact before publication;
    R-8.3 a verified provider finds the announcement, signs its pact, registers, downloads the
    document (R-7.2: the bytes received hash to the SHA-256 the page shows) and asks a question;
    the committee's answer is public without naming the asker and is e-mailed; R-3.3 the
    committee moves bid submission with a reason, the administrator applies it, the participant
    is e-mailed; R-8.5 the public page shows the change history."""
    admin_account = make_user("app_admin")  # before the browser starts using the database
    member = agency_a.members[0]
    schedule = schedule_open_now()
    ppk_page, pokja, provider, admin = new_page(), new_page(), new_page(), new_page()

    package_url = create_package_and_hand_it_over(ppk_page, agency_a)
    code = set_up_tender(pokja, member.username, schedule)
    upload_tender_document(pokja)
    sign_pacts(pokja, ppk_page, package_url, agency_a, code)
    publish(pokja)

    find_tender_sign_pact_and_register(provider, verified_provider.username, code)
    download_document_and_check_its_fingerprint(provider)
    ask_question(provider)

    answer_question(pokja)
    see_answer_without_the_asker(provider)
    answered = mail_body(smtp_server, PROVIDER_EMAIL, "a question was answered")
    assert QUESTION in answered and ANSWER in answered

    moved = moved_bid_deadline(schedule, working_days=2)
    request_schedule_change(pokja, moved)
    apply_schedule_change(admin, admin_account.username, code)
    changed = mail_body(smtp_server, PROVIDER_EMAIL, "schedule changed")
    assert REASON in changed
    assert "The bid submission deadline is now" in changed
    see_schedule_change_history(provider, moved)


# --- the schedule ----------------------------------------------------------------------------


def schedule_open_now() -> Schedule:
    """A schedule whose announcement, download and clarification opened minutes ago and whose
    bid submission opens in an hour: providers register from the announcement's start
    (participation.registration_window) and the committee may publish only before bid submission
    starts (services.tender_publish), so only such a schedule lets the whole story happen now.

    Later stages fall on the n-th working day after today (WITA), whatever day the test runs, so
    every stage keeps its minimum number of working days; ``problems_of`` confirms it. Minutes
    only: that is what a datetime-local field holds."""
    now = timezone.localtime(timezone=WITA).replace(second=0, microsecond=0)
    today = now.date()

    def day(n: int, hour: int) -> datetime:
        return datetime.combine(add_working_days(today, n), time(hour), tzinfo=WITA)

    schedule = {
        Stage.ANNOUNCEMENT: (now - timedelta(minutes=10), day(5, 16)),
        Stage.DOCUMENT_DOWNLOAD: (now - timedelta(minutes=10), day(5, 16)),
        Stage.CLARIFICATION: (now - timedelta(minutes=5), day(1, 16)),
        Stage.BID_SUBMISSION: (now + timedelta(hours=1), day(6, 10)),
        Stage.BID_OPENING: (day(6, 10), day(6, 12)),
        Stage.EVALUATION: (day(6, 12), day(8, 16)),
        Stage.QUALIFICATION_PROOF: (day(7, 9), day(8, 16)),
        Stage.WINNER_DETERMINATION: (day(9, 9), day(9, 16)),
        Stage.WINNER_ANNOUNCEMENT: (day(10, 9), day(10, 16)),
        Stage.OBJECTION_PERIOD: (day(10, 16), day(15, 16)),
        Stage.AWARD_LETTER: (day(16, 9), day(16, 16)),
        Stage.CONTRACT_SIGNING: (day(17, 9), day(19, 16)),
    }
    schedule = {str(stage): window for stage, window in schedule.items()}
    assert problems_of(schedule) == []
    return schedule


def moved_bid_deadline(schedule: Schedule, *, working_days: int) -> Schedule:
    """Bid submission closes ``working_days`` working days later, and every later stage moves
    with it; the stages already running keep their dates (R-3.3)."""

    def later(moment: datetime) -> datetime:
        local = moment.astimezone(WITA)
        return datetime.combine(
            add_working_days(local.date(), working_days), local.timetz()
        ).replace(tzinfo=WITA)

    after = STAGE_ORDER[STAGE_ORDER.index(Stage.BID_SUBMISSION) + 1 :]
    moved = dict(schedule)
    start, end = schedule[Stage.BID_SUBMISSION]
    moved[Stage.BID_SUBMISSION] = (start, later(end))
    for stage in after:
        moved[stage] = tuple(later(moment) for moment in schedule[stage])
    assert problems_of(moved) == []
    return moved


def field_value(moment: datetime) -> str:
    return moment.astimezone(WITA).strftime("%Y-%m-%dT%H:%M")


def shown(moment: datetime) -> str:
    """As the public schedule table shows a moment."""
    return moment.astimezone(WITA).strftime("%d-%m-%Y %H:%M")


def fill_schedule(page: Page, schedule: Schedule, stages=STAGE_ORDER) -> None:
    for stage in stages:
        start, end = schedule[stage]
        page.locator(f'input[name="{stage}_start"]').fill(field_value(start))
        page.locator(f'input[name="{stage}_end"]').fill(field_value(end))


# --- the steps, as the people involved do them ---------------------------------------------------


def create_package_and_hand_it_over(page: Page, setup) -> str:
    """R-8.1: the PPK's package, amounts typed as Indonesian rupiah, approved by the PA/KPA and
    handed to the committee."""
    sign_in(page, setup.ppk.username)
    page.goto("/kelola/paket/baru/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New procurement package")
    page.get_by_label("Package name").fill(PACKAGE.name)
    page.get_by_label("Fiscal year").fill(str(timezone.localdate().year))
    page.get_by_label("Budget ceiling (pagu), Rp").fill(PACKAGE.budget_ceiling)
    page.get_by_label("Owner estimate (HPS), Rp").fill(PACKAGE.owner_estimate)
    page.get_by_label("Category").select_option(PACKAGE.category)
    page.get_by_label("Business sub-field").select_option(label=PACKAGE.sub_field)
    page.get_by_label("Location").fill(PACKAGE.location)
    page.get_by_label("Funding source").select_option(PACKAGE.funding_source)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(PACKAGE.name)
    expect(page.locator(".messages")).to_contain_text("Package created")
    expect(page.get_by_role("row", name="Budget ceiling (pagu)")).to_contain_text("1,500,000,000")
    expect(page.get_by_role("row", name="Owner estimate (HPS)")).to_contain_text("1,425,750,000")
    expect(page.get_by_label("Committee (Pokja)")).to_have_count(0)  # not before the approval
    approve(setup, Package.objects.get(name=PACKAGE.name))  # the PA/KPA's queue: its own tests
    page.reload()
    page.get_by_label("Committee (Pokja)").select_option(label="Pokja 1 DPUPR (DPUPR)")
    page.get_by_role("button", name="Hand over").click()
    expect(page.locator(".messages")).to_contain_text("handed to the committee")
    expect(page.get_by_role("row", name="Committee")).to_contain_text("Pokja 1 DPUPR")
    return page.url


def set_up_tender(page: Page, member: str, schedule: Schedule) -> str:
    """R-8.2: method, qualification requirements and the schedule of every stage."""
    sign_in(page, member)
    page.goto("/kelola/tender/")
    page.get_by_role("row", name=PACKAGE.name).get_by_role("link", name="Set up the tender").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PACKAGE.name)
    page.get_by_label("Method").select_option("postqual_1file_lowest")
    page.get_by_label("Qualification requirements").fill(QUALIFICATION)
    fill_schedule(page, schedule)
    page.get_by_role("button", name="Save as draft").click()

    expect(page).to_have_url(re.compile(r"/kelola/tender/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("created as a draft")
    expect(page.locator(".state")).to_have_text("Draft")
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def upload_tender_document(page: Page) -> None:
    """R-8.2 documents; R-7.2 the page shows both fingerprints of what was stored."""
    page.get_by_label("Title").fill(DOCUMENT_TITLE)
    page.get_by_label("File").set_input_files(
        files=[
            {"name": "dokumen-pemilihan.pdf", "mimeType": "application/pdf", "buffer": DOCUMENT_PDF}
        ]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".messages")).to_contain_text("Document uploaded")
    document = page.get_by_role("listitem").filter(has_text=DOCUMENT_TITLE)
    expect(document).to_contain_text(hashlib.sha256(DOCUMENT_PDF).hexdigest())
    expect(document).to_contain_text(hashlib.md5(DOCUMENT_PDF).hexdigest())


def sign_pacts(pokja: Page, ppk: Page, package_url: str, setup, code: str) -> None:
    """R-7.3: the first member and the PPK sign in the browser; the two other members sign
    through the services, as they would on their own pages, to keep the test short."""
    pacts = pokja.locator("#pacts")
    pacts.get_by_role("button", name="Sign the integrity pact").click()
    expect(pokja.locator(".messages")).to_contain_text("You signed the integrity pact")
    expect(pacts).to_contain_text(f"{setup.members[0].username} (Committee member)")
    expect(pacts).to_contain_text(f"Not yet signed: {setup.ppk.username}")

    ppk.goto(package_url)
    ppk.get_by_role("button", name="Sign the integrity pact as PPK").click()
    expect(ppk.locator(".messages")).to_contain_text("You signed the integrity pact")

    tender = Tender.objects.get(code=code)
    for other in setup.members[1:]:
        services.pact_sign(actor=other, tender=tender)

    pokja.reload()
    expect(pacts).to_contain_text(f"{setup.ppk.username} (PPK)")
    expect(pacts).not_to_contain_text("Not yet signed")


def publish(page: Page) -> None:
    # the tender's key is made in this member's browser first; the server makes none.
    page.get_by_role("link", name="Make the tender's key").click()
    page.get_by_role("button", name="Make the key in this browser").click()
    expect(page.locator(".messages")).to_contain_text("The tender's key is stored")
    page.get_by_role("link", name="tender", exact=True).click()
    page.get_by_role("button", name="Publish the tender").click()
    expect(page.locator(".messages")).to_contain_text("The tender is published")
    expect(page.locator(".state")).to_have_text("Published")


def find_tender_sign_pact_and_register(page: Page, provider: str, code: str) -> None:
    """R-8.3, R-8.5: the announcement on the public portal, the provider's pact (R-7.3), then
    registration (open since the announcement started)."""
    sign_in(page, provider)
    page.goto("/tender/")
    page.get_by_role("textbox", name="Search").fill("SMP Negeri 3 Bantimurung")
    page.get_by_role("button", name="Search").click()
    row = page.locator("#tender-list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(code)
    row.get_by_role("link", name=PACKAGE.name).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(PACKAGE.name)
    expect(page.locator("#stage-now")).to_contain_text("Announcement")
    expect(page.get_by_role("row", name="Qualification requirements")).to_contain_text("SBU BG001")
    participation = page.locator("#participation")
    participation.get_by_role("button", name="Sign the integrity pact").click()
    expect(page.locator(".messages")).to_contain_text("You signed the integrity pact")
    participation.get_by_role("button", name="Register for this tender").click()
    expect(page.locator(".messages")).to_contain_text("You are registered for this tender")
    expect(participation).to_contain_text("You are registered for this tender")


def download_document_and_check_its_fingerprint(page: Page) -> None:
    """R-7.2: what the provider receives hashes to the SHA-256 (and MD5) the page publishes."""
    row = page.locator("#documents tbody tr").filter(has_text=DOCUMENT_TITLE)
    fingerprints = row.locator("td.mono").inner_text().split()
    shown_md5, shown_sha256 = fingerprints
    with page.expect_download() as download_info:
        row.get_by_role("link", name=DOCUMENT_TITLE).click()
    received = Path(download_info.value.path()).read_bytes()
    assert hashlib.sha256(received).hexdigest() == shown_sha256
    assert hashlib.md5(received).hexdigest() == shown_md5
    assert received == DOCUMENT_PDF


def ask_question(page: Page) -> None:
    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_role("button", name="Ask").click()
    expect(page.locator(".messages")).to_contain_text("Your question was sent to the committee")
    expect(page.locator("#questions")).to_contain_text(QUESTION)
    expect(page.locator("#questions")).to_contain_text("Not answered yet")


def answer_question(page: Page) -> None:
    page.reload()
    questions = page.locator("#questions")
    expect(questions).to_contain_text(QUESTION)
    questions.get_by_label("Answer").fill(ANSWER)
    questions.get_by_role("button", name="Publish the answer").click()
    expect(page.locator(".messages")).to_contain_text("Answer published to all participants")


def see_answer_without_the_asker(page: Page) -> None:
    page.reload()
    questions = page.locator("#questions")
    expect(questions).to_contain_text(ANSWER)
    for who in ("Sinar Maros", "cv-sinar", PROVIDER_EMAIL):
        expect(questions).not_to_contain_text(who)


def request_schedule_change(page: Page, moved: Schedule) -> None:
    """R-3.3: the committee submits the new schedule with its mandatory reason."""
    page.get_by_role("link", name="schedule", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Schedule")
    changed = STAGE_ORDER[STAGE_ORDER.index(Stage.BID_SUBMISSION) + 1 :]
    page.locator('input[name="bid_submission_end"]').fill(
        field_value(moved[Stage.BID_SUBMISSION][1])
    )
    fill_schedule(page, moved, changed)
    page.get_by_label("Reason for the change (published)").fill(REASON)
    page.get_by_role("button", name="Submit the change").click()
    expect(page.locator(".messages")).to_contain_text("Change submitted to the LPSE administrator")


def apply_schedule_change(page: Page, admin: str, code: str) -> None:
    sign_in(page, admin)
    page.goto("/kelola/perubahan-jadwal/")
    change = page.locator(".card").filter(has_text=code)
    expect(change).to_contain_text(REASON)
    change.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("Schedule change applied")
    expect(page.get_by_text("No change is waiting.")).to_be_visible()


def see_schedule_change_history(page: Page, moved: Schedule) -> None:
    """R-8.5: the public sees the new schedule and the change with its reason."""
    page.reload()
    bids = page.locator("#schedule tbody tr").filter(has_text="Bid submission")
    expect(bids).to_contain_text(shown(moved[Stage.BID_SUBMISSION][1]))
    history = page.locator("#schedule-changes")
    expect(history).to_contain_text(REASON)
    history.get_by_text("Old and new schedule").click()
    expect(history.locator("tr.changed").filter(has_text="Bid submission")).to_be_visible()


def sign_in(page: Page, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def mail_body(mailbox, address: str, subject_contains: str) -> str:
    return mailbox.body(mailbox.wait_for(address, subject_contains))
