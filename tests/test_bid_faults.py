"""Faults during bid submission (R-9.6): the server killed mid-upload, a full disk, a connection
cut in the middle of a chunk. None of them may lose a confirmed byte, leave half a bid, or stop
the provider from finishing the upload.

The killed server and the cut connection run against a real ``lpse serve`` (gunicorn) in a
process group of its own, with its own data folder and database (never the test database):
SQLite in the data folder, or a throw-away PostgreSQL database when DATABASE_URL is PostgreSQL.
The full disk is a real tmpfs of a few MiB, mounted as root.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import time
import uuid
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import time_machine

from lpse.bids import signatures
from lpse.bids.models import Bid, Upload
from lpse.bids.services import submission
from lpse.core.errors import DomainError
from tests.bid_fixtures import DURING_BIDDING, fixture_signing_key, seal, signed

ROOT = Path(__file__).resolve().parents[1]
MiB = 1024 * 1024
PROVIDERS = ("killed", "closed", "reset")  # one provider (and company) per server test

# Run in a subprocess on the server's own database (one Django start-up for both steps, which
# are slow here): `python -m lpse migrate`, then the reference data, a tender of a three-member
# committee whose bid submission is open now (a schedule laid out from a past day so that it
# is valid, published before that day with the clock moved back), and a registered verified
# provider per test; it prints the tender, its bid key and each provider's session cookie.
SCRIPT = r'''
import json, os, sys
from datetime import datetime, time, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lpse.settings")
django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.management import call_command
from django.utils import timezone

# A cheaper argon2id, as in the tests: the production cost would slow the setup down.
Argon2PasswordHasher.time_cost, Argon2PasswordHasher.memory_cost = 1, 1024
Argon2PasswordHasher.parallelism = 1


def stretched_schedule(base):
    """The sample schedule with two more weeks of bid submission: some day in the three weeks
    before any moment gives a valid one whose bid submission is open then, holidays or not."""
    from lpse.tenders.selectors.sample import sample_schedule
    from lpse.tenders.stages import STAGE_ORDER, Stage

    longer, later, schedule = timedelta(days=14), False, sample_schedule(base)
    for stage in STAGE_ORDER:
        start, end = schedule[stage]
        if stage == Stage.BID_SUBMISSION:
            schedule[stage], later = (start, end + longer), True
        elif later:
            schedule[stage] = (start + longer, end + longer)
    return schedule


def setup(providers):
    import time_machine
    from django.test import Client

    from lpse.accounts.models import Agency
    from lpse.accounts.roles import Role
    from lpse.accounts.services import user_bootstrap
    from lpse.catalog.models import BusinessField, BusinessSubField
    from lpse.core.calendar import WITA
    from lpse.demo import loader as demo
    from lpse.providers.models import Company
    from lpse.tenders.services import participation, preparation as services
    from lpse.tenders.selectors import schedule as sched
    from tests.bid_fixtures import bind_signing_key
    from tests.tender_fixtures import PREPARED_AT, approve, make_agency_setup, package_data, publish

    for code, name in demo.AGENCIES:
        Agency.objects.get_or_create(code=code, defaults={"name": name})
    for code, name, subs in demo.BUSINESS_FIELDS:
        bf, _ = BusinessField.objects.get_or_create(code=code, defaults={"name": name})
        for sub_code, sub_name in subs:
            BusinessSubField.objects.get_or_create(
                code=sub_code, defaults={"field": bf, "name": sub_name}
            )

    now = timezone.now()
    for days_back in range(1, 22):
        base = datetime.combine(
            now.astimezone(WITA).date() - timedelta(days=days_back), time(8), tzinfo=WITA
        )
        schedule = stretched_schedule(base)
        opens, closes = schedule["bid_submission"]
        if opens < now - timedelta(minutes=1) and now + timedelta(hours=1) < closes:
            if not sched.problems_of(schedule):
                break
    else:
        raise SystemExit("no valid schedule with bid submission open now")

    def make_user(role, username=None, agency_code="DPUPR"):
        agency = Agency.objects.get(code=agency_code) if role != Role.PROVIDER else None
        return user_bootstrap(username=username, email=f"{username}@example.test",
                              roles={role}, password="Correct-Horse-42!", agency=agency)

    prepared = base - timedelta(days=3) + timedelta(hours=2)
    with time_machine.travel(prepared, tick=False):
        setup = make_agency_setup(make_user, "DPUPR", size=3)
        package = services.package_create(actor=setup.ppk, data=package_data())
        approve(setup, package)  # R-8.1: the PA/KPA approves before the hand-over
        services.package_assign(actor=setup.ppk, package=package, committee=setup.committee)
        tender = services.tender_create(
            actor=setup.members[0], package=package, method="postqual_1file_lowest",
            qualification_requirements="SBU BG001", schedule=schedule,
        )
        tender = publish(setup, tender)
    cookies = {}
    for i, name in enumerate(providers):
        user = make_user(Role.PROVIDER, username=f"cv-{name}")
        company = Company.objects.create(
            user=user, state=Company.State.VERIFIED, legal_form="cv", name=f"CV {name}",
            npwp=f"01234567890{i:04d}", nib=f"912000123{i:04d}", address="Jl. Ratulangi 5",
            city="Maros", phone="0411-1", email=user.email, director_name="Andi",
            registered_at=PREPARED_AT, verify_by=PREPARED_AT, forms_ref=f"ref-{name}",
        )
        company.sub_fields.set(BusinessSubField.objects.filter(code="K01"))
        bind_signing_key(company)  # R-9.7: bids are signed with the company's bound key
        services.pact_sign(actor=user, tender=tender)
        participation.participation_register(actor=user, tender=tender)
        client = Client()
        client.force_login(user)
        cookies[name] = {"session": client.cookies["sessionid"].value, "npwp": company.npwp}
    members = []  # who can open the bids: their session and their own opening key
    for member in setup.members:
        client = Client()
        client.force_login(member)
        members.append({"username": member.username, "session": client.cookies["sessionid"].value,
                        "identity": setup.identity_of(member)})
    tender.refresh_from_db()
    return {"tender": tender.code, "recipient": tender.bid_key.recipient, "providers": cookies,
            "members": members}


call_command("migrate", interactive=False, verbosity=0)
print(json.dumps(setup(sys.argv[1:])))
'''


# --- a real `lpse serve` of its own -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """`lpse serve` with one worker, in a process group of its own so that kill -9 takes the
    gunicorn master and its worker at once, as a crash of the machine's server would."""

    env: dict
    data_dir: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.data_dir.parent / f"serve-{self.starts}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lpse", "serve"],
            env={**self.env, "LPSE_BIND": f"127.0.0.1:{self.port}", "LPSE_WORKERS": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60  # a Django start-up on a busy CI machine
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"lpse serve stopped:\n{self.log()}"
            try:
                if self.request("GET", "/ping/", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"lpse serve did not answer within 60 s:\n{self.log()}")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=10)
        # The worker is gone with the master: nothing of the group is left.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.process = None

    def log(self) -> str:
        return (self.data_dir.parent / f"serve-{self.starts}.log").read_text(errors="replace")

    def request(self, method, path, body=None, headers=None, *, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        return response.status, json.loads(data) if is_json else data


@dataclass
class Site:
    server: Server
    env: dict
    tender: str
    recipient: str
    providers: dict
    members: list = field(default_factory=list)

    def media(self) -> Path:
        return self.server.data_dir / "media"

    def bids_of(self, provider: str) -> list[tuple]:
        """(id, state, sha256) of the provider's bids, read from the server's database."""
        query = (
            "SELECT b.id, b.state, b.envelope_id FROM bids_bid b JOIN providers_company c "
            "ON c.id = b.company_id WHERE c.npwp = %s ORDER BY b.id"
        )
        npwp = self.providers[provider]["npwp"]
        url = self.env.get("DATABASE_URL")
        if url:
            import psycopg

            with psycopg.connect(url) as conn:
                return [tuple(row) for row in conn.execute(query, [npwp])]
        database = self.server.data_dir / "lpse.sqlite3"
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
            return conn.execute(query.replace("%s", "?"), [npwp]).fetchall()


@dataclass
class Provider:
    """A provider's browser: its session and CSRF cookies, and the upload protocol of bid.js."""

    site: Site
    name: str
    csrf: str = field(default_factory=lambda: uuid.uuid4().hex)  # 32 characters, as Django's

    def headers(self, **extra) -> dict:
        session = self.site.providers[self.name]["session"]
        return {
            "Cookie": f"sessionid={session}; csrftoken={self.csrf}; django_language=en",
            "X-CSRFToken": self.csrf,
            **extra,
        }

    def create(self, length: int) -> str:
        status, data = self.site.server.request(
            "POST",
            f"/tender/{self.site.tender}/penawaran/unggah/",
            json.dumps({"length": length}),
            self.headers(**{"Content-Type": "application/json"}),
        )
        assert status == 201, data
        return data["url"]

    def offset(self, url: str) -> int:
        status, data = self.site.server.request("GET", url, headers=self.headers())
        assert status == 200, data
        return data["offset"]

    def signature(self, data: bytes) -> str:
        """What bid.js sends with the last byte: the company's signature over the envelope."""
        npwp = self.site.providers[self.name]["npwp"]
        return signatures.sign(
            fixture_signing_key(npwp),
            tender_code=self.site.tender,
            npwp=npwp,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
        )

    def patch(self, url: str, offset: int, piece: bytes, *, signature: str = ""):
        return self.site.server.request(
            "PATCH",
            url,
            piece,
            self.headers(
                **{"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
                **({"Upload-Signature": signature} if signature else {}),
            ),
        )

    def start_patch(self, url: str, offset: int, length: int) -> socket.socket:
        """A PATCH that promises ``length`` bytes; the caller sends (some of) them."""
        sock = socket.create_connection(("127.0.0.1", self.site.server.port), timeout=30)
        head = [f"PATCH {url} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}"]
        head += [f"{k}: {v}" for k, v in self.headers(**{"Upload-Offset": str(offset)}).items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        return sock


def _postgres_database(url: str):
    """A throw-away database on the same PostgreSQL server: (its URL, a function that drops it)."""
    import psycopg

    parts = urlsplit(url)
    name = f"lpse_fault_{uuid.uuid4().hex[:12]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A migrated database of its own with a tender open for bids now, and `lpse serve` on it."""
    data_dir = tmp_path_factory.mktemp("fault-site") / "data"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        LPSE_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="lpse.settings",
        # A broker that nothing reads: `lpse serve` starts no job scheduler beside gunicorn (no
        # bid job needs one), which spares a Django start-up each time the server starts.
        CELERY_BROKER_URL="memory://",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    drop = None
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"], drop = _postgres_database(os.environ["DATABASE_URL"])
    server = Server(env=env, data_dir=data_dir)
    try:
        setup = subprocess.run(
            [sys.executable, "-c", SCRIPT, *PROVIDERS],
            env=env,
            capture_output=True,
            text=True,
            # A fresh database migrated from nothing: a minute when quiet, more on a loaded
            # shared machine (seen: over 120 s at load average 16).
            timeout=600,
        )
        assert setup.returncode == 0, setup.stderr
        info = json.loads(setup.stdout.strip().splitlines()[-1])
        server.start()
        yield Site(server=server, env=env, **info)
    finally:
        server.kill()
        if drop is not None:
            drop()


def _envelope(site: Site, size: int) -> bytes:
    """A sealed envelope of about ``size`` bytes (random documents do not compress)."""
    return seal(site.recipient, site.tender, documents={"penawaran.pdf": os.urandom(size)})


def _wait_for(predicate, what: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _part_size(site: Site, url: str) -> int:
    part = site.media() / "uploads" / f"{url.rstrip('/').rsplit('/', 1)[-1]}.part"
    return part.stat().st_size if part.exists() else -1


def _assert_receipt(site: Site, data: bytes, status: int, body, provider: str) -> None:
    assert status == 201, body
    sha256 = hashlib.sha256(data).hexdigest()
    assert body["receipt"]["sha256"] == sha256 and body["receipt"]["size"] == len(data)
    assert site.bids_of(provider) == [(body["bid"], "active", sha256)]  # exactly one bid
    stored = site.media() / "blobs" / sha256[:2] / sha256
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha256


# --- the tests --------------------------------------------------------------------------------


def test_R_9_6_the_server_process_killed_mid_upload_then_the_upload_resumed_to_completion(site):
    provider = Provider(site, "killed")
    data = _envelope(site, 3 * MiB)
    half = len(data) // 2
    url = provider.create(len(data))
    status, body = provider.patch(url, 0, data[:half])
    assert (status, body["offset"]) == (200, half), body

    # The second half is on its way, the server has written a part of it but not confirmed it,
    # when the whole server — gunicorn master and worker — dies with kill -9.
    sock = provider.start_patch(url, half, len(data) - half)
    sock.sendall(data[half : half + MiB + MiB // 4])
    _wait_for(lambda: _part_size(site, url) >= half + MiB, "the server to write the chunk")
    site.server.kill(signal.SIGKILL)
    sock.close()
    assert site.bids_of("killed") == []

    site.server.start()
    offset = provider.offset(url)
    assert half <= offset < len(data)
    status, body = provider.patch(url, offset, data[offset:], signature=provider.signature(data))
    _assert_receipt(site, data, status, body, "killed")
    assert _part_size(site, url) == -1  # the part file became the stored envelope


@pytest.mark.parametrize("how", ["closed", "reset"])
def test_R_9_6_a_connection_cut_mid_chunk_keeps_what_arrived_and_resumes(site, how):
    """The client promises the whole envelope in one PATCH and goes away after half of it:
    closing its socket (FIN), or resetting it (RST) as a dropped network or a killed browser."""
    provider = Provider(site, how)
    data = _envelope(site, 3 * MiB)
    sent = len(data) // 2
    url = provider.create(len(data))
    sock = provider.start_patch(url, 0, len(data))
    sock.sendall(data[:sent])
    if how == "reset":
        # Let the bytes arrive before the reset, which would otherwise discard them unsent.
        _wait_for(lambda: _part_size(site, url) >= MiB, "the server to write the first MiB")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()

    offset = _wait_for(lambda: provider.offset(url), "the server to keep what arrived")
    assert 0 < offset <= sent
    assert _part_size(site, url) == offset
    status, body = provider.patch(url, offset, data[offset:], signature=provider.signature(data))
    _assert_receipt(site, data, status, body, how)


# The full disk: tests/fault_fixtures.py's ``full_disk`` (a real 4 MiB tmpfs), shared with
# tests/test_storage_faults.py.


@pytest.mark.django_db
def test_R_9_6_storage_full_gives_a_clear_error_and_no_bid_row(bidding, settings, full_disk):
    settings.MEDIA_ROOT = full_disk
    ballast = full_disk / "ballast"
    ballast.write_bytes(b"\0" * (2 * MiB + MiB // 2))  # leaves about 1.5 MiB free
    data = seal(
        bidding.recipient, bidding.tender.code, documents={"penawaran.pdf": os.urandom(3 * MiB)}
    )
    provider = bidding.provider

    def append(upload, offset, piece):
        return submission.upload_append(
            actor=provider,
            upload=upload,
            offset=offset,
            stream=io.BytesIO(piece),
            length=len(piece),
            signature=signed(bidding, data),
        )

    with time_machine.travel(DURING_BIDDING, tick=False):
        upload = submission.upload_start(actor=provider, tender=bidding.tender, length=len(data))
        append(upload, 0, data[: MiB // 2])  # confirmed
        with pytest.raises(DomainError) as err:
            append(upload, MiB // 2, data[MiB // 2 :])
        assert err.value.code == "storage"
        assert "The server could not store the upload" in str(err.value)
        assert "No space left on device" in str(err.value)
        assert not Bid.objects.exists()
        upload.refresh_from_db()
        assert (upload.state, upload.offset) == (Upload.State.RECEIVING, MiB // 2)
        part = submission.part_path(upload)
        assert part.stat().st_size == MiB // 2 and part.read_bytes() == data[: MiB // 2]

        ballast.unlink()  # the operator frees space; the provider retries from the same byte
        bid = append(upload, MiB // 2, data[MiB // 2 :])
    assert isinstance(bid, Bid) and Bid.objects.get() == bid
    stored = full_disk / bid.envelope.storage_name
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert bid.receipt["sha256"] == hashlib.sha256(data).hexdigest()
    assert not part.exists()
