"""Shared fixtures: demo-like reference data, one user per role, a real SMTP server."""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import translation

from lpse.accounts.models import Agency
from lpse.accounts.roles import AGENCY_ROLES, Role
from lpse.accounts.services import user_bootstrap
from tests.live_server import serialise_live_server

pytest_plugins = [
    "tests.tender_fixtures",
    "tests.bid_fixtures",
    "tests.evaluation_fixtures",
    "tests.fault_fixtures",
]

PASSWORD = "Correct-Horse-42!"

serialise_live_server()


@pytest.fixture(autouse=True)
def _api_rate_limit_off(settings):
    """The API's rate limit counts in the shared cache, which outlives one test: off unless a
    test sets its own limit (tests/test_api_contract.py, tests/test_public_limits.py); likewise
    the public forms' and proofs' limits."""
    settings.LPSE_API_RATE_PER_MINUTE = 0
    settings.LPSE_PUBLIC_FORM_RATE_PER_MINUTE = 0
    settings.LPSE_PUBLIC_PROOF_RATE_PER_MINUTE = 0


@pytest.fixture(autouse=True)
def _fresh_public_pages():
    """Cached public pages live in the shared cache, which outlives one test, and a test's
    writes never commit (so never announce themselves): each test starts with a new version,
    and without the fragments its process kept for an earlier test (CACHES["local"])."""
    from django.core.cache import caches

    from lpse.core.public_cache import _bump

    _bump()
    caches["local"].clear()


@pytest.fixture(autouse=True)
def _english_and_plain_settings(settings, tmp_path):
    """Tests read messages in English (the Indonesian UI has its own test) and start with the
    embedded defaults: no second factor unless a test asks for it, no mail server."""
    settings.LPSE_STAFF_2FA = False
    # Walk-in hours would make a verification depend on the hour the suite runs at;
    # tests/test_verification_hours.py sets them and travels in time.
    settings.LPSE_VERIFICATION_HOURS = ""
    settings.EMAIL_HOST = ""
    # Django's test runner swaps in the locmem backend; we test the real one (records every
    # message, delivers over SMTP when EMAIL_HOST is set, as the smtp_server fixture does).
    settings.EMAIL_BACKEND = "lpse.core.mail.RecordingBackend"
    settings.LPSE_BASE_URL = "http://testserver"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Files and keys of each test in a folder of its own, never in the developer's ./data.
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    # The embedded default's file cache lives in the data folder, which settings named once at
    # import: one folder for every xdist worker, so one worker's cached pages and counters
    # showed in another's test. A cache of this test's own (a shared one, where a test sets it).
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "LOCATION": str(tmp_path / "data" / "cache")},
        }
    settings.DATA_DIR.mkdir()
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _cheaper_argon2(monkeypatch):
    """Still argon2id, with a small memory and time cost: the production cost (most of a second
    per hash on a small machine) would make the sign-in-heavy tests very slow."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    monkeypatch.setattr(Argon2PasswordHasher, "time_cost", 1)
    monkeypatch.setattr(Argon2PasswordHasher, "memory_cost", 1024)
    monkeypatch.setattr(Argon2PasswordHasher, "parallelism", 1)


@pytest.fixture
def client(client):
    return in_english(client)


def in_english(client):
    """Choose English with the language switch's cookie, as a person would."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def reference_data(db):
    """Agencies, business fields and the verification checklist of the demo."""
    from lpse.catalog.models import BusinessField, BusinessSubField
    from lpse.demo import loader as demo
    from lpse.providers.models import VerificationItem

    for code, name in demo.AGENCIES:
        Agency.objects.get_or_create(code=code, defaults={"name": name})
    for code, name, subs in demo.BUSINESS_FIELDS:
        bf, _ = BusinessField.objects.get_or_create(code=code, defaults={"name": name})
        for sub_code, sub_name in subs:
            BusinessSubField.objects.get_or_create(
                code=sub_code, defaults={"field": bf, "name": sub_name}
            )
    # Seeded by migration catalog/0004, but a transactional (browser) test flushes every table
    # after it: put the regulation's four goods categories back as the migration wrote them.
    from lpse.catalog import reference
    from lpse.catalog.models import GoodsCategory

    if not GoodsCategory.objects.exists():
        [goods] = [d for d in reference.manifest() if d.key == "goods-categories"]
        for row in reference.rows_of(goods):
            GoodsCategory.objects.create(
                code=row["code"],
                name=row["name"],
                name_2010=row["name_2010"],
                order=int(row["order"]),
                origin="reference",
                reference_version=goods.version,
            )
    # Thresholds: seeded by migration operations/0002, flushed the same way.
    from lpse.operations.defaults import create_default_thresholds
    from lpse.operations.models import Threshold

    create_default_thresholds(Threshold)
    # The annex V duty catalogue: seeded by migration operations/0004, flushed the same way.
    from lpse.operations.duty_catalogue import load_catalogue
    from lpse.operations.models import Duty

    if not Duty.objects.exists():
        load_catalogue()
    if not VerificationItem.objects.exists():
        for order, (label, description) in enumerate(demo.CHECKLIST, start=1):
            VerificationItem.objects.create(label=label, description=description, order=order)


@pytest.fixture
def make_user(db, reference_data):
    """make_user(role, username=None, agency_code="DPUPR") → an active user with PASSWORD."""

    def make(role: str, username: str | None = None, agency_code: str = "DPUPR"):
        agency = Agency.objects.get(code=agency_code) if role in AGENCY_ROLES else None
        return user_bootstrap(
            username=username or f"{role.replace('_', '-')}-{agency_code.lower()}",
            email=f"{username or role}@example.test",
            roles={role},
            password=PASSWORD,
            agency=agency,
        )

    return make


@pytest.fixture
def users_by_role(make_user):
    return {role.value: make_user(role.value) for role in Role}


# --- a real SMTP server --------------------------------------------------------------------------


@dataclass
class Mailbox:
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # An SMTP reply to give instead of accepting (e.g. "451 4.3.0 Try again later"): a server
    # that refuses, for the outbox's retries.
    refuse_with: str = ""

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        if self.refuse_with:
            return self.refuse_with
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if address in m["To"]]

    def wait_for(self, address: str, subject_contains: str = "", timeout: float = 10.0):
        """The newest message to ``address`` whose subject contains the text, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.to(address) if subject_contains in m["Subject"]]
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(
            f"no e-mail to {address} with {subject_contains!r} within {timeout}s; "
            f"got {[m['Subject'] for m in self.messages]}"
        )

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free local port; the app delivers to it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    try:
        yield mailbox
    finally:
        controller.stop()


def link_in(body: str, path_fragment: str) -> str:
    """The first URL in an e-mail body that contains ``path_fragment``."""
    for word in body.split():
        if word.startswith("http") and path_fragment in word:
            return word.strip(".,)")
    raise AssertionError(f"no link with {path_fragment!r} in:\n{body}")


# ----- a real S3 server (SeaweedFS) for the backup target and, later, the blob store --------


def _clamd_or_skip():
    from tests.clamd import clamd_binary

    if clamd_binary() is None:
        reason = "clamd is not installed (apt-get install clamav-daemon; scripts/test does it)"
        if os.environ.get("LPSE_REQUIRE_CLAMD") == "1":
            pytest.fail(f"{reason} (LPSE_REQUIRE_CLAMD=1 requires the scanner tests to run)")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def clamd_server(tmp_path_factory):
    """One real clamd on loopback for the session, with the EICAR signatures (tests/clamd.py)."""
    from tests.clamd import Clamd

    _clamd_or_skip()
    server = Clamd(tmp_path_factory.mktemp("clamd")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def scanner(clamd_server, settings):
    """Uploads are scanned by the session's clamd in this test."""
    settings.LPSE_CLAMD = clamd_server.address
    return clamd_server


@pytest.fixture
def own_clamd(tmp_path, settings):
    """A clamd of this test's own, which the test may stop ("scanner down") and start again."""
    from tests.clamd import Clamd

    _clamd_or_skip()
    server = Clamd(tmp_path / "clamd").start()
    settings.LPSE_CLAMD = server.address
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """One SeaweedFS ``weed server -s3`` on loopback for the whole session (tests/s3server.py)."""
    from tests.s3server import SeaweedS3

    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server):
    """A fresh, empty bucket of ``s3_server`` for one test, removed with its content after."""
    import uuid

    name = s3_server.make_bucket(f"test-{uuid.uuid4().hex[:16]}")
    yield name
    s3_server.delete_bucket(name)


def use_s3_storage(settings, server, bucket: str) -> None:
    """Keep this test's blobs in ``bucket`` of ``server`` (core.storage's S3 backend)."""
    settings.LPSE_STORAGE_URL = f"s3://{bucket}/lpse?endpoint={server.endpoint}"
    settings.LPSE_STORAGE_S3_ACCESS_KEY = server.access_key
    settings.LPSE_STORAGE_S3_SECRET_KEY = server.secret_key
    settings.LPSE_SCRATCH_DIR = str(settings.DATA_DIR.parent / "scratch")


@pytest.fixture(params=["local", "s3"])
def file_store(request, settings):
    """Run the test once with blobs in the data folder and once in a SeaweedFS bucket
    (issue 19): returns "local" or "s3"."""
    if request.param == "s3":
        server = request.getfixturevalue("s3_server")
        use_s3_storage(settings, server, request.getfixturevalue("s3_bucket"))
    return request.param


@pytest.fixture
def s3_store(settings, s3_server, s3_bucket):
    """Blobs in a SeaweedFS bucket of this test's own; returns the server."""
    use_s3_storage(settings, s3_server, s3_bucket)
    return s3_server
