"""The throw-away site, the `lpse serve` process and the provider's HTTP client that every bid
benchmark shares (bid_intake.py, deadline_rush.py, opening.py): a site in a temporary folder
(SQLite there, or a fresh PostgreSQL database), a tender published through the services with a
3-of-5 key, verified providers, real age envelopes, the server's workers with their memory and
CPU, and the upload protocol of bid.js."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

HOST = "127.0.0.1"
LOCAL_DB_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
MiB = 1024 * 1024


# --- the site -------------------------------------------------------------------------------


def postgres_urls(url: str, name: str) -> tuple[str, str]:
    """(URL of the server's maintenance database, URL of the benchmark database)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"error: --database-url must be a postgres:// URL, not {parts.scheme}://")
    if (parts.hostname or "") not in LOCAL_DB_HOSTS:
        raise SystemExit(
            "error: --database-url must point to a local server (127.0.0.1): the benchmark "
            "drops and creates a database there"
        )
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{name}"))


def postgres_recreate(admin_url: str, name: str, *, create: bool) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def site_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment of the site's processes: production defaults, this run's data."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "LPSE_DEMO", "DEBUG", "LPSE_HTTPS", "CELERY_BROKER_URL"):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "lpse.settings"
    env["LPSE_DATA_DIR"] = str(data_dir)
    env["LPSE_LOG_LEVEL"] = "WARNING"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def migrate(env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "lpse", "migrate", "--verbosity", "0"]
    subprocess.run(command, env=env, check=True, timeout=600)  # noqa: S603 — our own CLI


def django_setup(env: dict[str, str]) -> None:
    """Django in this process, on the benchmark's site."""
    os.environ.update(env)
    import django

    django.setup()


@contextmanager
def cheap_password_hashing() -> Iterator[None]:
    """Argon2id with a small cost, as the tests do: the accounts made here would otherwise spend
    most of a second each hashing a password nobody types."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    saved = (
        Argon2PasswordHasher.time_cost,
        Argon2PasswordHasher.memory_cost,
        Argon2PasswordHasher.parallelism,
    )
    Argon2PasswordHasher.time_cost, Argon2PasswordHasher.memory_cost = 1, 1024
    Argon2PasswordHasher.parallelism = 1
    try:
        yield
    finally:
        (
            Argon2PasswordHasher.time_cost,
            Argon2PasswordHasher.memory_cost,
            Argon2PasswordHasher.parallelism,
        ) = saved


def reference_data() -> None:
    """Agencies and business fields of the demo (as tests/conftest.py loads them)."""
    from lpse.accounts.models import Agency
    from lpse.catalog.models import BusinessField, BusinessSubField
    from lpse.demo import loader as demo

    for code, name in demo.AGENCIES:
        Agency.objects.get_or_create(code=code, defaults={"name": name})
    for code, name, subs in demo.BUSINESS_FIELDS:
        business_field, _ = BusinessField.objects.get_or_create(code=code, defaults={"name": name})
        for sub_code, sub_name in subs:
            BusinessSubField.objects.get_or_create(
                code=sub_code, defaults={"field": business_field, "name": sub_name}
            )


def live_schedule(bid_start: datetime) -> dict:
    """A valid schedule on the real calendar whose bid submission opens at ``bid_start``:
    announcement, download and clarification from now, the later stages of
    ``lpse.tenders.selectors.sample`` a week or more ahead; checked with ``problems_of``."""
    from django.utils import timezone

    from lpse.tenders.selectors.sample import sample_schedule
    from lpse.tenders.selectors.schedule import problems_of

    now = timezone.now()
    problems: list[str] = []
    for extra in range(30):  # the first week without a holiday in the way
        later = sample_schedule(now + timedelta(days=7 + extra))
        schedule = dict(later)
        for stage in ("announcement", "document_download", "clarification"):
            schedule[stage] = (now, later[stage][1])
        schedule["bid_submission"] = (bid_start, later["bid_submission"][1])
        problems = problems_of(schedule)
        if not problems:
            return schedule
    raise RuntimeError(f"no valid schedule from now: {problems}")


@dataclass
class Site:
    tender: object
    members: list
    identities: dict  # member pk → the AGE-SECRET-KEY of their personal opening key
    ppk: object

    @property
    def recipient(self) -> str:
        return self.tender.bid_key.recipient


def make_tender(*, opens_in: float = 20.0, agency_code: str = "DPUPR") -> Site:
    """A five-member committee (each with an opening key made 'offline'), a tender created,
    documented, signed and published through the services: its bid key opens 3 of 5. Bid
    submission opens ``opens_in`` seconds from now."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from pyrage import x25519

    from lpse.accounts.models import Agency
    from lpse.accounts.roles import Role
    from lpse.accounts.services import user_bootstrap
    from lpse.bids import offline
    from lpse.bids.services.opening_keys import opening_key_set
    from lpse.catalog.models import BusinessSubField
    from lpse.tenders.services import approval
    from lpse.tenders.services import preparation as services

    agency = Agency.objects.get(code=agency_code)
    password = secrets.token_urlsafe(18)
    code = agency_code.lower()

    def user(role: str, username: str):
        return user_bootstrap(
            username=username,
            email=f"{username}@lpse.localhost",
            roles={role},
            password=password,
            agency=agency,
        )

    with cheap_password_hashing():
        admin = user(Role.AGENCY_ADMIN, f"bench-admin-{code}")
        ppk = user(Role.PPK, f"bench-ppk-{code}")
        budget_user = user(Role.BUDGET_USER, f"bench-pa-{code}")
        members = [user(Role.COMMITTEE, f"bench-pokja{i}-{code}") for i in range(1, 6)]
    committee = services.committee_create(actor=admin, name="Pokja Benchmark", members=members)
    identities = {}
    for member in members:
        identity = x25519.Identity.generate()
        opening_key_set(actor=member, recipient=str(identity.to_public()))
        identities[member.pk] = str(identity)
    package = services.package_create(
        actor=ppk,
        data=services.PackageData(
            name="Rehabilitasi Gedung Kantor (benchmark)",
            fiscal_year=timezone.now().year,
            budget_ceiling="1.500.000.000",
            owner_estimate="1.425.750.000,50",
            category="works",
            sub_field_id=BusinessSubField.objects.get(code="K01").pk,
            location="Kec. Turikale, Kabupaten Maros",
            funding_source="apbd",
        ),
    )
    approval.package_approve(actor=budget_user, package=package)
    services.package_assign(actor=ppk, package=package, committee=committee)
    tender = services.tender_create(
        actor=members[0],
        package=package,
        method="postqual_1file_lowest",
        qualification_requirements="SBU BG001; pengalaman 1 pekerjaan 4 tahun terakhir",
        schedule=live_schedule(timezone.now() + timedelta(seconds=opens_in)),
    )
    services.document_add(
        actor=members[0],
        tender=tender,
        title="Dokumen Tender",
        upload=SimpleUploadedFile("dokumen-tender.pdf", b"%PDF-1.4 tender"),
    )
    services.pact_sign(actor=ppk, tender=tender)
    for member in members:
        services.pact_sign(actor=member, tender=tender)
    offline.make_tender_key(actor=members[0], tender=tender)
    tender = services.tender_publish(actor=members[0], tender=tender)
    tender.refresh_from_db()
    assert tender.bid_key.threshold == 3, tender.bid_key.threshold
    return Site(tender=tender, members=members, identities=identities, ppk=ppk)


def make_providers(tender, count: int, *, prefix: str, password: str) -> list:
    """Verified providers in the tender's sub-field who sign its pact and register through the
    services. The company row is written directly as verified (tests/tender_fixtures.py does the
    same): verification is a procedure at the LPSE office, not what is measured here."""
    from django.utils import timezone

    from lpse.accounts.models import User
    from lpse.accounts.roles import Role
    from lpse.accounts.services import user_bootstrap
    from lpse.providers.models import Company
    from lpse.tenders.services import participation
    from lpse.tenders.services import preparation as services

    users = []
    now = timezone.now()
    with cheap_password_hashing():
        for i in range(count):
            username = f"{prefix}-{i:04d}"
            user = user_bootstrap(
                username=username,
                email=f"{username}@penyedia.test",
                roles={Role.PROVIDER},
                password=password,
                first_name=f"Direktur {i}",
            )
            company = Company.objects.create(
                user=user,
                state=Company.State.VERIFIED,
                legal_form="cv",
                name=f"CV {prefix.title()} {i:04d}",
                npwp=f"{7 * 10**13 + i:015d}",
                nib=f"{912 * 10**10 + i:013d}",
                address=f"Jl. Benchmark {i}",
                city="Maros",
                phone="0411-1",
                email=f"{username}@penyedia.test",
                director_name=f"Direktur {i}",
                registered_at=now,
                verify_by=now,
                forms_ref=secrets.token_urlsafe(24),
            )
            company.sub_fields.set([tender.package.sub_field])
            bind_signing_key(company)
            user = User.objects.get(pk=user.pk)
            services.pact_sign(actor=user, tender=tender)
            participation.participation_register(actor=user, tender=tender)
            users.append(user)
    return users


# --- the providers' signing keys (R-9.7) --------------------------------------------------------

# username → (the company's NPWP, its private signing key): in a real site each key stays on its
# provider's device; here the benchmark plays every provider's browser, so it holds them all.
SIGNERS: dict[str, tuple[str, object]] = {}
# session cookie → username, for the providers signed in with ``session_cookie``
_USER_OF_SESSION: dict[str, str] = {}


def bind_signing_key(company) -> None:
    """The company's key bound as two verifiers bind it, written directly (the binding is a
    procedure at the LPSE office, not what is measured), with the audit event the opening reads
    "bound when the bid arrived" from, as the service writes it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.utils import timezone

    from lpse.bids import signatures
    from lpse.core import audit
    from lpse.providers import key_material
    from lpse.providers.models import SigningKey

    private = Ed25519PrivateKey.generate()
    public = signatures.public_key_of(private)
    now = timezone.now()
    key = SigningKey.objects.create(
        company=company,
        state=SigningKey.State.BOUND,
        public_key=public,
        fingerprint=key_material.fingerprint(key_material.public_key_bytes(public)),
        proposed_by=company.user,
        proposed_at=now,
        bound_at=now,
    )
    audit.record(
        actor=None,
        action="signing_key.bind",
        obj=key,
        data={"company": company.pk, "fingerprint": key.fingerprint, "revoked": []},
    )
    SIGNERS[company.user.username] = (company.npwp, private)


def envelope_signature(username: str, tender_code: str, envelope: Envelope) -> str:
    """What the provider's browser sends with the last byte (lpse.bids.signatures)."""
    from lpse.bids import signatures

    npwp, private = SIGNERS[username]
    return signatures.sign(
        private, tender_code=tender_code, npwp=npwp, sha256=envelope.sha256, size=envelope.size
    )


def wait_until_open(tender, max_seconds: float = 120) -> None:
    """Sleep until the tender's bid submission has opened (bounded)."""
    from django.utils import timezone

    from lpse.tenders.services.preparation import schedule_of

    start = schedule_of(tender)["bid_submission"][0]
    wait = (start - timezone.now()).total_seconds()
    if wait > max_seconds:
        raise RuntimeError(f"bid submission opens in {wait:.0f} s, later than {max_seconds} s")
    if wait > 0:
        time.sleep(wait + 0.2)


def session_cookie(user) -> str:
    """A signed-in session for ``user``, made the way Django's test client does (a real session
    row, with the auth hash), without typing a password: for the many providers of the rush."""
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    from django.conf import settings

    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    _USER_OF_SESSION[cookie] = user.username
    return cookie


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def close_db() -> None:
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: S110 — Django may not be set up yet
        pass


def machine_line(db_version: str) -> str:
    return (
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · {platform.node()} · "
        f"{os.cpu_count()} CPUs · {platform.platform()} · Python {platform.python_version()} · "
        f"{db_version} · load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


# --- envelopes ------------------------------------------------------------------------------


class _PlainBid(io.RawIOBase):
    """A bid's plaintext made on the fly: a ustar archive of offer.json and one document of
    ``document_size`` pseudo-random bytes (a random 1 MiB block, each copy stamped with its
    number), never whole in memory."""

    def __init__(self, offer: bytes, document_size: int, seed: int):
        super().__init__()
        block = bytearray(random.Random(seed).randbytes(MiB))  # noqa: S311 — filler, not a secret
        self._block = block
        self._parts = self._generate(offer, document_size)
        self._pending = b""

    @staticmethod
    def _header(name: str, size: int) -> bytes:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o644, int(time.time())
        return info.tobuf(format=tarfile.USTAR_FORMAT)

    def _generate(self, offer: bytes, document_size: int) -> Iterator[bytes]:
        yield self._header("offer.json", len(offer)) + offer + b"\0" * (-len(offer) % 512)
        yield self._header("documents/penawaran.bin", document_size)
        left, number = document_size, 0
        while left > 0:
            self._block[:8] = number.to_bytes(8, "little")
            piece = bytes(self._block[: min(MiB, left)])
            yield piece
            left -= len(piece)
            number += 1
        yield b"\0" * (-document_size % 512) + b"\0" * 1024

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            self._pending = next(self._parts, b"")
            if not self._pending:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class _HashingWriter:
    def __init__(self, out):
        self.out, self.sha256, self.size = out, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


@dataclass(frozen=True)
class Envelope:
    path: Path
    size: int
    sha256: str
    price: str


def make_envelope(
    path: Path, *, recipient: str, tender_code: str, size: int, price: str, seed: int = 0
) -> Envelope:
    """A sealed bid of about ``size`` bytes, streamed through pyrage.encrypt_io to a file."""
    import pyrage
    from pyrage import x25519

    from lpse.bids.envelope import Offer

    offer = Offer(
        tender=tender_code, total_price=Decimal(price), validity_days=60, declarations=["integrity"]
    ).to_json()
    # age adds a ~200-byte header and 16 bytes per 64 KiB chunk; tar adds its headers.
    document = max(1, size * 65536 // 65552 - 4096)
    plain = io.BufferedReader(_PlainBid(offer, document, seed), MiB)
    with open(path, "wb") as out:
        writer = _HashingWriter(out)
        pyrage.encrypt_io(plain, writer, [x25519.Recipient.from_str(recipient)])
    return Envelope(path=path, size=writer.size, sha256=writer.sha256.hexdigest(), price=price)


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _status_kib(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def process_cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def all_process_cpu() -> dict[int, tuple[str, float]]:
    """pid → (command name, CPU seconds) of every process on the machine."""
    result = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat.rsplit(")", 1)[1].split()
            result[int(entry)] = (
                name,
                (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"),
            )
    return result


def top_other_cpu(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], exclude: set[int]
) -> list[tuple[str, float]]:
    """CPU seconds used between two snapshots by other processes, grouped by command name."""
    by_name: dict[str, float] = {}
    for pid, (name, cpu) in after.items():
        if pid not in exclude:
            by_name[name] = by_name.get(name, 0.0) + cpu - before.get(pid, (name, 0.0))[1]
    return sorted(by_name.items(), key=lambda item: -item[1])


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values) - idle) / tick, sum(values) / tick


class Server:
    """``lpse serve`` in its own process group, so stopping it also stops its scheduler."""

    def __init__(self, env: dict[str, str], port: int, workers: int | None, log: Path):
        self.port = port
        self.log = log
        env = dict(env, LPSE_BIND=f"{HOST}:{port}")
        if workers:
            env["LPSE_WORKERS"] = str(workers)
        else:
            env.pop("LPSE_WORKERS", None)  # lpse serve's production default: 2 × CPUs + 1
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lpse", "serve"],
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_healthy(self, timeout: float, workers: int | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"lpse serve exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/health/")
                healthy = conn.getresponse().status == 200
                conn.close()
                if healthy and (not workers or len(self.worker_pids()) >= workers):
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"lpse serve did not answer /health/ within {timeout:.0f} s")

    def wait_settled(self, timeout: float = 180) -> None:
        """Wait until the workers have finished booting (each loads Django, seconds of CPU on a
        busy machine): no worker used more than 50 ms of CPU in the last 2 s."""

        def cpu() -> dict[int, float]:
            return {pid: process_cpu_seconds(pid) for pid in self.worker_pids()}

        deadline = time.monotonic() + timeout
        before = cpu()
        while time.monotonic() < deadline:
            time.sleep(2)
            now = cpu()
            if now.keys() == before.keys() and all(now[p] - before[p] < 0.05 for p in now):
                return
            before = now
        raise RuntimeError(f"the gunicorn workers were still busy after {timeout:.0f} s")

    def cpu_seconds(self) -> float:
        """User + system CPU time of all workers so far."""
        return sum(process_cpu_seconds(pid) for pid in self.worker_pids())

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: children of the master except the embedded scheduler."""
        master = self.process.pid
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
                ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
                if ppid != master:
                    continue
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if b"run_scheduler" in f.read():
                        continue
            except (OSError, ValueError):
                continue
            pids.append(int(entry))
        return sorted(pids)

    def memory(self) -> dict[int, tuple[int, int]]:
        """pid → (VmRSS, VmHWM) in KiB of every worker."""
        result = {}
        for pid in self.worker_pids():
            with suppress(OSError, KeyError):
                result[pid] = (_status_kib(pid, "VmRSS"), _status_kib(pid, "VmHWM"))
        return result

    def reset_peaks(self) -> bool:
        """Reset each worker's VmHWM to its current RSS (Linux ``clear_refs`` 5)."""
        ok = True
        for pid in self.worker_pids():
            try:
                with open(f"/proc/{pid}/clear_refs", "w") as f:
                    f.write("5")
            except OSError:
                ok = False
        return ok

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self._log_file.close()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def warm_workers(
    server: Server, cookies: dict, paths: list[str], *, rounds: int = 3, timeout: float = 60
) -> None:
    """Rounds of concurrent GETs, so that every worker (the kernel picks which one takes a
    connection) has served a few requests before anything is measured."""
    import threading

    def fetch() -> None:
        browser = Browser(server.port, timeout)
        browser.cookies = dict(cookies)
        with suppress(OSError, http.client.HTTPException):
            for path in paths:
                browser.request("GET", path)
        browser.close()

    for _ in range(rounds):  # bounded
        threads = [threading.Thread(target=fetch) for _ in range(4 * len(server.worker_pids()))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout * len(paths) + 5)


# --- the client -----------------------------------------------------------------------------


class HttpError(Exception):
    pass


class Browser:
    """One provider's connection: keep-alive, cookies, the CSRF header of bid.js."""

    def __init__(self, port: int, timeout: float):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.username = ""  # who signed in here (``sign_in``), to sign bids as bid.js does
        self._conn: http.client.HTTPConnection | None = None
        self._used = 0.0

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self, method: str, path: str, body=None, headers: dict | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies and method not in ("GET", "HEAD"):
            headers.setdefault("X-CSRFToken", self.cookies["csrftoken"])
        if self._conn is not None and time.monotonic() - self._used > 1.0:
            self.close()  # gunicorn drops a keep-alive connection idle for 2 s
        if self._conn is None:
            self._conn = http.client.HTTPConnection(
                HOST, self.port, timeout=self.timeout, blocksize=MiB
            )
        try:
            self._conn.request(method, path, body=body, headers=headers)
            response = self._conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        self._used = time.monotonic()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        return response.status, response.headers, data

    def sign_in(self, username: str, password: str) -> None:
        """The sign-in page and its form, as a person would (CSRF token included)."""
        status, _h, page = self.request("GET", "/akun/masuk/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise HttpError(f"sign-in page: HTTP {status}")
        form = urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": match.group(1).decode(),
            }
        )
        status, headers, _b = self.request(
            "POST",
            "/akun/masuk/",
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "/akun/masuk/"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise HttpError(f"sign-in refused: HTTP {status} {headers.get('Location')}")
        self.username = username


@dataclass
class UploadResult:
    outcome: str = "error"  # accepted | closed (refused: deadline) | refused | error
    code: str = ""  # the server's error code, or the exception
    where: str = ""  # create | patch | final
    bid: int | None = None
    receipt: dict = field(default_factory=dict)
    started: float = 0.0  # perf_counter at the POST
    final_start: float = 0.0  # perf_counter at the start of the last PATCH
    finished: float = 0.0  # perf_counter when the answer to the last request arrived
    patches: int = 0
    retries: int = 0
    patch_seconds: list[float] = field(default_factory=list)

    @property
    def receipt_seconds(self) -> float:
        return self.finished - self.final_start

    @property
    def total_seconds(self) -> float:
        return self.finished - self.started


def upload_envelope(
    browser: Browser,
    tender_code: str,
    envelope: Envelope,
    *,
    chunk: int,
    retries: int = 3,
    give_up_at: float | None = None,
) -> UploadResult:
    """The upload protocol of bid.js: create, then PATCH chunks at known offsets; after a broken
    connection or a 409/5xx ask the server where it is and go on, at most ``retries`` times."""
    result = UploadResult(started=time.perf_counter())

    def fail(outcome: str, code: str, where: str) -> UploadResult:
        result.outcome, result.code, result.where = outcome, code, where
        result.finished = time.perf_counter()
        return result

    try:
        status, _h, body = browser.request(
            "POST",
            f"/tender/{tender_code}/penawaran/unggah/",
            json.dumps({"length": envelope.size}).encode(),
            {"Content-Type": "application/json"},
        )
    except (OSError, http.client.HTTPException) as exc:
        return fail("error", type(exc).__name__, "create")
    if status != 201:
        code = _error_code(body, status)
        return fail("closed" if code == "closed" else "refused", code, "create")
    url = json.loads(body)["url"]
    offset, failures = 0, 0
    # the last PATCH carries the company's signature, as bid.js sends it.
    signer = browser.username or _USER_OF_SESSION.get(browser.cookies.get("sessionid", ""), "")
    signature = envelope_signature(signer, tender_code, envelope) if signer in SIGNERS else ""
    with open(envelope.path, "rb") as source:
        for _attempt in range(envelope.size // chunk + 2 + retries):  # bounded
            if give_up_at is not None and time.perf_counter() > give_up_at:
                return fail("error", "gave up (--max-seconds)", "patch")
            source.seek(offset)
            data = source.read(chunk)
            final = offset + len(data) >= envelope.size
            t0 = time.perf_counter()
            if final:
                result.final_start = t0
            try:
                status, _h, body = browser.request(
                    "PATCH",
                    url,
                    data,
                    {
                        "Upload-Offset": str(offset),
                        "Content-Type": "application/offset+octet-stream",
                        **({"Upload-Signature": signature} if final and signature else {}),
                    },
                )
            except (OSError, http.client.HTTPException) as exc:
                status, body = 0, type(exc).__name__.encode()
            result.patches += 1
            result.patch_seconds.append(time.perf_counter() - t0)
            if status in (200, 201):
                answer = json.loads(body)
                if answer.get("state") == "accepted":
                    result.outcome, result.where = "accepted", "final"
                    result.bid, result.receipt = answer["bid"], answer["receipt"]
                    result.finished = time.perf_counter()
                    return result
                offset = int(answer["offset"])
                continue
            code = _error_code(body, status) if status else body.decode()
            where = "final" if final else "patch"
            if status in (403, 400, 507) or (status == 409 and code == "finished"):
                return fail("closed" if code == "closed" else "refused", code, where)
            failures += 1
            result.retries += 1
            if failures > retries:
                return fail("error", f"HTTP {status} {code}".strip(), where)
            time.sleep(min(0.5 * 2**failures, 4))
            try:  # where is the server? (bid.js does the same)
                status, _h, body = browser.request("GET", url)
                answer = json.loads(body) if status == 200 else {}
            except (OSError, http.client.HTTPException, ValueError):
                answer = {}
            if answer.get("state") == "accepted":
                return fail("accepted_no_receipt", code, where)
            if answer.get("state") == "refused":
                return fail("refused", "refused", where)
            offset = int(answer.get("offset", offset))
    return fail("error", "too many requests", "patch")


def _error_code(body: bytes, status: int) -> str:
    try:
        return json.loads(body).get("code") or f"HTTP {status}"
    except ValueError:
        return f"HTTP {status}"


def sink_send(browser: Browser, envelope: Envelope) -> tuple[float, dict]:
    """The whole envelope in one PATCH to /bench/sink/; returns (seconds, answer)."""
    with open(envelope.path, "rb") as source:
        t0 = time.perf_counter()
        status, _h, body = browser.request(
            "PATCH",
            "/bench/sink/",
            source,
            {"Content-Length": str(envelope.size), "Content-Type": "application/octet-stream"},
        )
        seconds = time.perf_counter() - t0
    if status != 200:
        raise HttpError(f"sink: HTTP {status} {body[:200]!r}")
    return seconds, json.loads(body)


def check_bid(bid_pk: int, envelope: Envelope, *, rehash: bool = True) -> str:
    """'' when the Bid row exists, is active and its stored file is complete; else why not."""
    from django.conf import settings

    from lpse.bids.models import Bid

    bid = Bid.objects.select_related("envelope").filter(pk=bid_pk).first()
    if bid is None:
        return "no Bid row"
    if bid.envelope.sha256 != envelope.sha256 or bid.envelope.size != envelope.size:
        return "Bid's blob is not the envelope sent"
    return check_blob(Path(settings.MEDIA_ROOT) / bid.envelope.storage_name, bid.envelope, rehash)


def check_blob(path: Path, blob, rehash: bool) -> str:
    if not path.exists():
        return "stored file missing"
    if path.stat().st_size != blob.size:
        return f"stored file has {path.stat().st_size} of {blob.size} bytes"
    if rehash:
        sha = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(MiB):
                sha.update(chunk)
        if sha.hexdigest() != blob.sha256:
            return "stored file does not match its SHA-256"
    return ""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


# --- main -----------------------------------------------------------------------------------


@dataclass
class Run:
    kind: str  # sink | upload
    seconds: float
    size: int
    peak_growth_kib: int  # max over workers of VmHWM after − VmRSS before
    rss_growth_kib: int  # max over workers of VmRSS after − VmRSS before
    detail: str = ""

    @property
    def mb_s(self) -> float:
        return self.size / MiB / self.seconds
