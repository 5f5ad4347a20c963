"""The user interface is Indonesian by default, with English available (DESIGN: i18n).

The users are Indonesian government staff and companies, so a visitor who states no language
preference reads Indonesian: the public pages of provider registration (R-1.1, R-1.2, R-1.6),
the messages services refuse with (DESIGN rule 5) and the e-mails (R-1.1, R-1.3). English is
one click away through the language switch in the header.

tests/conftest.py makes every other test read English (``translation.override("en")`` and a
``client`` that sends ``Accept-Language: en``); these tests build their own clients and override
the language themselves.

The message catalogue itself is pinned too: every entry translated, none fuzzy, the committed
``.mo`` compiled from the committed ``.po`` (so a fresh clone needs no gettext), and, where
gettext is installed, no string in the code missing from the catalogue. ``scripts/update-
translations`` fixes the last three.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from lpse.core.errors import DomainError
from lpse.core.models import SentEmail
from lpse.providers.services import registration as services

PACKAGE_DIR = Path(settings.LOCALE_PATHS[0]).parent
PO_PATH = Path(settings.LOCALE_PATHS[0]) / "id" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
FIX_IT = "Run scripts/update-translations and translate what it reports."


def html(response) -> str:
    return response.content.decode()


# --- pages: Indonesian unless the visitor asks for English ---------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_ACCEPT_LANGUAGE": "id"}, {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}],
    ids=["no-preference", "indonesian", "unsupported-language"],
)
def test_the_home_page_is_indonesian_by_default(headers):
    page = html(Client(**headers).get("/"))
    assert '<html lang="id">' in page
    assert "Daftar sebagai Penyedia" in page
    assert "Masuk" in page
    assert "Persyaratan verifikasi" in page
    assert "Waktu dalam WITA (Asia/Makassar)." in page
    assert "Register as a provider" not in page
    # The way out to English is offered, in English.
    assert '<button name="language" value="en" class="link">English</button>' in page


@pytest.mark.django_db
def test_R_1_1_the_registration_page_is_indonesian_by_default():
    page = html(Client(HTTP_ACCEPT_LANGUAGE="id").get("/daftar/"))
    assert '<html lang="id">' in page
    assert "Alamat e-mail perusahaan" in page  # the company e-mail
    assert "Kirim tautan pendaftaran" in page
    assert "Formulir pendaftaran (PDF)" in page  # both forms offered
    assert "Formulir keikutsertaan (PDF)" in page
    assert "7 hari kerja" in page and "09.00–15.00 WITA" in page  # warnings
    assert "Dokumen yang tidak lengkap memperlambat verifikasi." in page
    assert "Send me the registration link" not in page


@pytest.mark.django_db
def test_R_1_1_a_refused_registration_reads_in_indonesian_on_the_page():
    response = Client().post("/daftar/", {"email": "bukan-email", "email_control": "on"})
    assert "“bukan-email” bukan alamat e-mail yang valid." in html(response)


@pytest.mark.django_db
def test_the_language_switch_shows_english_and_back_to_indonesian():
    client = Client()  # no preference: starts in Indonesian
    assert "Daftar sebagai Penyedia" in html(client.get("/daftar/"))

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/daftar/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/daftar/"
    page = html(response)
    assert '<html lang="en">' in page
    assert "Register as a provider" in page
    assert "Send me the registration link" in page
    assert "Company e-mail address" in page
    assert '<button name="language" value="id" class="link">Bahasa Indonesia</button>' in page
    # The choice sticks for the next pages.
    assert "Verification requirements" in html(client.get("/"))

    response = client.post("/i18n/setlang/", {"language": "id", "next": "/"}, follow=True)
    assert '<html lang="id">' in html(response)
    assert "Daftar sebagai Penyedia" in html(response)


@pytest.mark.django_db
def test_a_browser_set_to_english_still_gets_indonesian_until_the_person_switches():
    """Many Indonesian offices run English browsers; the service speaks Indonesian to them."""
    page = html(Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/daftar/"))
    assert '<html lang="id">' in page and "Register as a provider" not in page


# --- messages and e-mails ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_service_refusal_reads_in_indonesian():
    """DESIGN rule 5: a DomainError says what happened and what to do, in the user's language."""
    with translation.override("id"), pytest.raises(DomainError) as err:
        services.registration_start(email="not-an-email")
    assert str(err.value) == (
        "“not-an-email” bukan alamat e-mail yang valid. Periksa kembali, contohnya "
        "nama@perusahaan.co.id."
    )
    assert err.value.field == "email"

    with translation.override("en"), pytest.raises(DomainError) as err:
        services.registration_start(email="not-an-email")
    assert "is not a valid e-mail address" in str(err.value)


@pytest.mark.django_db
def test_R_1_1_the_registration_link_email_is_indonesian(
    settings, django_capture_on_commit_callbacks
):
    settings.LPSE_DEMO = True  # the outbox keeps the link in demo mode
    with translation.override("id"), django_capture_on_commit_callbacks(execute=True):
        token = services.registration_start(email="direktur@sinar.test")
    mail = SentEmail.objects.get()
    assert mail.subject == f"{settings.LPSE_SITE_NAME}: tautan pendaftaran Anda"
    assert mail.body.startswith("Yth. Bapak/Ibu,\n\n")
    assert "Buka tautan berikut untuk mengisi formulir pendaftaran." in mail.body
    assert f"/daftar/isi/{token}/" in mail.body
    assert "Jika Anda tidak memintanya, abaikan e-mail ini." in mail.body


def test_role_names_use_the_regulation_s_indonesian_terms():
    from lpse.accounts.roles import Role

    with translation.override("id"):
        assert str(Role.PROVIDER.label) == "Penyedia Barang/Jasa"
        assert str(Role.VERIFIER.label) == "Verifikator"
        assert str(Role.PPK.label) == "Pejabat Pembuat Komitmen (PPK)"
        assert str(Role.COMMITTEE.label) == "Kelompok Kerja Pemilihan (Pokja)"


# --- the catalogue -------------------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """The live entries of a .po file: msgid, msgstr (or msgstr[n]), flags. Obsolete ones skipped."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines or all(line.startswith("#~") for line in lines):
            continue
        entry: dict = {"flags": set()}
        key = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        entries.append(entry)
    return entries


def translations_of(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


# The pages' catalogue, and the scripts' (gettext() in static/lpse/*.js, served by /jsi18n/).
DOMAINS = ["django", "djangojs"]


def po_path(domain: str) -> Path:
    return PO_PATH.with_name(f"{domain}.po")


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogue_has_no_untranslated_or_fuzzy_entries(domain):
    entries = read_po(po_path(domain))
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "Language: id\n" in header["msgstr"]
    assert len(messages) > (250 if domain == "django" else 20)
    untranslated = [e["msgid"] for e in messages if not all(translations_of(e))]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert not untranslated, f"untranslated: {untranslated}. {FIX_IT}"
    assert not fuzzy, f"fuzzy: {fuzzy}. {FIX_IT}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_every_placeholder_and_the_shape_of_multi_line_messages(domain):
    for entry in read_po(po_path(domain))[1:]:
        source = entry["msgid"]
        for translated in translations_of(entry):
            assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(source)), (
                source
            )
            assert translated.startswith("\n") == source.startswith("\n"), source
            assert translated.endswith("\n") == source.endswith("\n"), source
            assert translated.count("\n") == source.count("\n"), source


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_mo_file_is_compiled_from_the_committed_po_file(domain):
    mo_path = po_path(domain).with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing. {FIX_IT}"
    with mo_path.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = [
        e["msgid"]
        for e in read_po(po_path(domain))[1:]
        if "msgid_plural" not in e and compiled.gettext(e["msgid"]) != e["msgstr"]
    ]
    assert not stale, f"{domain}.mo differs from {domain}.po for {stale}. {FIX_IT}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_every_translatable_string_in_the_code_is_in_the_catalogue(tmp_path):
    """Extract the strings from a copy of the package (makemessages, as the script does) and
    compare: a string added to the code without a translation would show in English."""
    copy = tmp_path / "lpse"
    shutil.copytree(
        PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("locale", "static", "data", "__pycache__")
    )
    (copy / "locale").mkdir()
    # Minimal settings, so that nothing is written next to the real catalogue.
    (tmp_path / "extract_settings.py").write_text("USE_I18N = True\nLOCALE_PATHS = []\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "extract_settings", "PYTHONPATH": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "id", "-e", "html,txt,py"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    in_code = {e["msgid"] for e in read_po(copy / "locale/id/LC_MESSAGES/django.po")[1:]}
    in_catalogue = {e["msgid"] for e in read_po(PO_PATH)[1:]}
    missing = sorted(in_code - in_catalogue)
    assert not missing, f"not in django.po: {missing}. {FIX_IT}"
    # The scripts: extracted from our own static/lpse/*.js as the script does.
    shutil.copytree(PACKAGE_DIR / "static" / "lpse", copy / "static" / "lpse")
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-d", "djangojs", "-l", "id"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    in_scripts = {e["msgid"] for e in read_po(copy / "locale/id/LC_MESSAGES/djangojs.po")[1:]}
    missing = sorted(in_scripts - {e["msgid"] for e in read_po(po_path("djangojs"))[1:]})
    assert not missing, f"not in djangojs.po: {missing}. {FIX_IT}"
