"""R-2.2: "trainings run on a training environment (a separate sandbox with demo data), never on
production data" — ``lpse training_sandbox reset`` builds it and leaves production untouched; and
two heads scheduling at the same moment cannot double-book a room (on SQLite, in real processes
with the production database settings)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command

from lpse.accounts.roles import Role
from lpse.core.models import AuditEvent, Blob
from lpse.training import sandbox
from lpse.training.models import TrainingRequest
from tests.training_helpers import NOW, at, confirmed

pytestmark = pytest.mark.django_db


def production_snapshot() -> tuple[dict, dict]:
    """Row count and a hash of every row of every production table, and the SHA-256 of every
    production file (everything in the data folder but the sandbox's own)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        rows = list(model._base_manager.order_by("pk").values_list())
        tables[model._meta.db_table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    data_dir = Path(settings.DATA_DIR)
    files = {
        str(path.relative_to(data_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(data_dir.rglob("*"))
        if path.is_file() and not path.relative_to(data_dir).parts[0].startswith(sandbox.NAME)
    }
    return tables, files


def query(database: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute(sql, args).fetchall()


def test_R_2_2_the_sandbox_reset_loads_demo_data_and_leaves_production_untouched(
    make_user, monkeypatch, capsys
):
    # Production: a training request with its letter file, staff, the audit chain.
    helpdesk = make_user(Role.HELPDESK, username="helpdesk-produksi")
    with time_machine.travel(NOW, tick=False):
        production_request = confirmed(helpdesk, at(7, 9), at(7, 12), number="PRODUKSI/1")
    before = production_snapshot()
    tables, files = before
    assert tables["training_trainingrequest"][0] == 1 and tables["accounts_user"][0] >= 1
    assert any(name.startswith("media/blobs/") for name in files)
    assert AuditEvent.objects.exists()

    call_command("training_sandbox", "reset")

    assert production_snapshot() == before  # every table, every row, every file
    root = sandbox.sandbox_dir()
    assert root.parent == Path(settings.DATA_DIR)
    database = root / "lpse.sqlite3"
    # The demo data: the agencies, an account for every role, the demo tenders.
    demo_users = query(database, "SELECT username FROM accounts_user WHERE username LIKE 'demo.%'")
    assert {"demo.helpdesk", "demo.trainer", "demo.provider", "demo.lpse-head"} <= {
        u for (u,) in demo_users
    }
    assert query(database, "SELECT count(*) FROM accounts_agency")[0][0] == 7
    assert query(database, "SELECT count(*) FROM tenders_tender")[0][0] > 0
    # Nothing of production: not its rows, not its files, not its secret key.
    assert query(database, "SELECT count(*) FROM training_trainingrequest") == [(0,)]
    assert (
        query(database, "SELECT 1 FROM accounts_user WHERE username = ?", helpdesk.username) == []
    )
    assert not (root / "media" / production_request.letter.storage_name).exists()
    assert (root / "secret_key").read_text().strip() != settings.SECRET_KEY
    status = sandbox.status()
    assert status.exists and status.users == len(demo_users)  # demo accounts only
    call_command("training_sandbox", "status")
    assert str(database) in capsys.readouterr().out

    # Trainees change the sandbox (through `run`, which works on the sandbox only) …
    call_command(
        "training_sandbox",
        "run",
        "shell",
        "-c",
        "from lpse.accounts.models import User; User.objects.create(username='peserta.latih')",
    )
    assert query(database, "SELECT 1 FROM accounts_user WHERE username = 'peserta.latih'")
    assert production_snapshot() == before

    # … a failed reset keeps the sandbox as it was, and leaves no half-built folder …
    failing = [sys.executable, "-c", "import sys; sys.exit('migration exploded')"]
    with monkeypatch.context() as patch:
        patch.setattr(sandbox, "_lpse", lambda args: failing)
        with pytest.raises(CommandError, match="migration exploded"):
            call_command("training_sandbox", "reset")
    assert query(database, "SELECT 1 FROM accounts_user WHERE username = 'peserta.latih'")
    assert sorted(p.name for p in root.parent.iterdir() if p.name.startswith(sandbox.NAME)) == [
        sandbox.NAME,
        f"{sandbox.NAME}.lock",
    ]

    # … and the next reset gives the demo data back, production still untouched.
    call_command("training_sandbox", "reset")
    assert query(database, "SELECT 1 FROM accounts_user WHERE username = 'peserta.latih'") == []
    assert query(database, "SELECT 1 FROM accounts_user WHERE username = 'demo.trainer'")
    assert production_snapshot() == before
    assert TrainingRequest.objects.get().letter_number == "PRODUKSI/1"


def test_R_2_2_the_sandbox_never_replaces_or_builds_into_production(monkeypatch, settings):
    with pytest.raises(sandbox.SandboxError, match="holds the production data folder"):
        sandbox.reset(directory=Path(settings.DATA_DIR))
    with pytest.raises(sandbox.SandboxError, match="holds the production data folder"):
        sandbox.reset(directory=Path(settings.DATA_DIR).parent)
    with pytest.raises(sandbox.SandboxError, match="not a training sandbox folder"):
        sandbox._remove(Path(settings.MEDIA_ROOT), Path(settings.DATA_DIR))
    # The child's build step refuses to run in a process that was not started on a sandbox.
    with pytest.raises(CommandError, match="runs only inside a sandbox"):
        call_command("training_sandbox", "build")
    # And inside the sandbox, nobody resets or nests another one.
    monkeypatch.setenv(sandbox.MARKER, str(sandbox.sandbox_dir()))
    with pytest.raises(CommandError, match="inside the training sandbox"):
        call_command("training_sandbox", "reset")
    assert Blob.objects.count() == 0 and not sandbox.sandbox_dir().exists()


def test_R_2_2_sandbox_processes_inherit_nothing_that_points_at_production(monkeypatch, tmp_path):
    for name, value in {
        "DATABASE_URL": "postgres://lpse@db.internal/lpse",
        "DATABASE_CONN_MAX_AGE": "600",
        "SECRET_KEY_FILE": "/etc/lpse/secret",
        "CELERY_BROKER_URL": "redis://queue:6379/0",
        "EMAIL_HOST": "smtp.maroskab.go.id",
        "EMAIL_HOST_PASSWORD": "rahasia",
        "LPSE_SIGNING_KEY_FILE": "/etc/lpse/receipt.pem",
        "LPSE_BASE_URL": "https://lpse.maroskab.go.id",
        "ALLOWED_HOSTS": "lpse.maroskab.go.id",
        "PGPASSWORD": "rahasia",
    }.items():
        monkeypatch.setenv(name, value)
    env = sandbox.environment(tmp_path / "training-sandbox", base_url="http://latih.lpse:8001")
    leaked = [
        name
        for name in env
        if name.startswith(("DATABASE_", "SECRET_KEY", "CELERY_", "EMAIL_", "PG"))
        or name == "LPSE_SIGNING_KEY_FILE"
    ]
    # its own: a reset swaps the sandbox's folder under a server that may still run, so no
    # connection is kept between requests (settings.DATABASES)
    assert leaked == ["DATABASE_CONN_MAX_AGE"] and env["DATABASE_CONN_MAX_AGE"] == "0"
    assert env["LPSE_DATA_DIR"] == str(tmp_path / "training-sandbox")
    assert env["LPSE_BASE_URL"] == "http://latih.lpse:8001"
    assert env["LPSE_DEMO"] == "1" and "Lingkungan Pelatihan" in env["LPSE_SITE_NAME"]
    assert "lpse.maroskab.go.id" not in env["ALLOWED_HOSTS"]


# --- two heads at the same moment ----------------------------------------------------------------

SETUP = """
import datetime, os, django
django.setup()
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from lpse.accounts.models import Agency, RoleGrant, User
from lpse.accounts.roles import Role
from lpse.core.calendar import WITA
from lpse.training.services import requests as services

time_machine.travel(datetime.datetime(2026, 8, 3, 8, 0, tzinfo=WITA), tick=True).start()
helpdesk, head, trainer = (
    RoleGrant.objects.create(user=User.objects.create(username=name), role=role).user
    for name, role in (("helpdesk", Role.HELPDESK), ("kepala", Role.LPSE_HEAD),
                       ("pelatih", Role.TRAINER))
)
for code in ("DISDIK", "DINKES"):
    agency = Agency.objects.create(code=code, name=code)
    request = services.request_register(actor=helpdesk, letter=SimpleUploadedFile("s.pdf", b"%PDF"),
        data=services.RequestData(agency=agency, letter_number="1", letter_date=datetime.date(2026, 7, 30),
            audience="agency_staff", topic="SPSE", participants_expected=5, contact_name="A",
            contact_phone="1", contact_email="a@b.test"))
    start = datetime.datetime(2026, 8, 7, 9, 0, tzinfo=WITA)
    services.request_confirm(actor=helpdesk, request=request, confirmed_with="A",
        agreed_start=start, agreed_end=start + datetime.timedelta(hours=3))
    print(request.pk)
"""

HEAD = """
import contextlib, datetime, json, os, pathlib, sys, time, django
django.setup()
import time_machine
from lpse.accounts.models import User
from lpse.core.calendar import WITA
from lpse.core.errors import DomainError
from lpse.training.services import requests as services
from lpse.training.models import Room, TrainingRequest

time_machine.travel(datetime.datetime(2026, 8, 3, 9, 0, tzinfo=WITA), tick=True).start()
request_pk, who, signals = int(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
if os.environ.get("TRAINING_RACE_WITHOUT_TRANSACTION"):  # to see this test catch a broken service
    from django.db import transaction
    transaction.atomic = lambda *args, **kwargs: contextlib.nullcontext()


def wait_for(name):
    deadline = time.monotonic() + 60
    while not (signals / name).exists():
        assert time.monotonic() < deadline, name
        time.sleep(0.02)


if who == "slow":
    # This head has read the bookings (and found the room free) and waits before saving, until
    # the other head is about to schedule, and a moment longer.
    found_bookings = services._bookings
    def slow(**which):
        found = found_bookings(**which)
        (signals / "slow-has-read").touch()
        wait_for("fast-starts")
        time.sleep(1.0)
        return found
    services._bookings = slow
else:
    wait_for("slow-has-read")
    (signals / "fast-starts").touch()
start = datetime.datetime(2026, 8, 7, 9, 0, tzinfo=WITA)
try:
    session = services.session_schedule(
        actor=User.objects.get(username="kepala"), request=TrainingRequest.objects.get(pk=request_pk),
        start=start, end=start + datetime.timedelta(hours=3),
        room=Room.objects.get(name="Ruang Pelatihan LPSE"), trainer=User.objects.get(username="pelatih"))
    print(json.dumps({"scheduled": session.pk}))
except DomainError as exc:
    print(json.dumps({"refused": exc.code, "message": str(exc)}))
"""


def test_R_2_2_two_heads_scheduling_at_once_cannot_double_book_a_room(tmp_path):
    """Two processes on a file SQLite database with the production settings: the first finds the
    room free and holds on before saving until the second is scheduling too; the second waits for
    the first and then sees its booking. (Run with TRAINING_RACE_WITHOUT_TRANSACTION=1 to see
    the test fail: without the check inside the locking transaction, both book the room.)"""
    folder = tmp_path / sandbox.NAME
    env = sandbox.environment(folder)

    def lpse(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    lpse("-m", "lpse", "migrate", "--noinput", "-v0")
    setup = tmp_path / "setup.py"
    setup.write_text(textwrap.dedent(SETUP))
    first_pk, second_pk = (int(line) for line in lpse(str(setup)).split())
    head = tmp_path / "head.py"
    head.write_text(textwrap.dedent(HEAD))
    signals = tmp_path / "signals"
    signals.mkdir()

    def schedule(pk: int, who: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, str(head), str(pk), who, str(signals)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    slow, fast = schedule(first_pk, "slow"), schedule(second_pk, "fast")
    outcomes = []
    for process in (slow, fast):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    assert "scheduled" in outcomes[0], outcomes
    assert outcomes[1]["refused"] == "room_busy", outcomes
    assert "Ruang Pelatihan LPSE" in outcomes[1]["message"]  # in Indonesian: no language chosen
    assert query(folder / "lpse.sqlite3", "SELECT count(*) FROM training_trainingsession") == [(1,)]


def test_R_2_2_the_sandbox_page_shows_the_commands_and_asks_before_a_reset(client, make_user):
    client.force_login(make_user(Role.SYSADMIN))
    home = client.get("/akun/").content.decode()
    assert "/admin-lpse/lingkungan-pelatihan/" in home
    page = client.get("/admin-lpse/lingkungan-pelatihan/").content.decode()
    assert "There is no sandbox yet" in page and "lpse training_sandbox reset" in page
    events = AuditEvent.objects.count()
    response = client.post("/admin-lpse/lingkungan-pelatihan/", follow=True)
    assert "Tick the box to confirm" in response.content.decode()
    assert not sandbox.sandbox_dir().exists() and AuditEvent.objects.count() == events
