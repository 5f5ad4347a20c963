"""The training environment (R-2.2): a separate sandbox with demo data, never production data.

The sandbox is a whole LPSE data folder of its own, ``<LPSE_DATA_DIR>/training-sandbox/``: its
SQLite database, uploaded files, secret key and receipt signing key. Settings derive all of those
from ``LPSE_DATA_DIR`` (and the database from ``DATABASE_URL`` when set), so a process started
with ``LPSE_DATA_DIR`` pointing at the sandbox and no ``DATABASE_URL`` cannot reach production
data; that is how every sandbox command runs: in a child process with such an environment
(``environment()``), never in the production process.

``reset()`` builds a fresh sandbox beside the old one (migrate + the demo data of
``lpse load_demo_data``) and swaps it in only when the build succeeded, so a failed reset leaves
the previous sandbox as it was. It reads and writes nothing of production: no row, no file.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

NAME = "training-sandbox"
# Set in every sandbox process; its value is the sandbox folder. A reset refuses to run there.
MARKER = "LPSE_TRAINING_SANDBOX"
INFO_FILE = "sandbox.json"
DEFAULT_BIND = "127.0.0.1:8001"

# Production's environment that a sandbox process must not inherit: where production keeps its
# data (database, broker, secrets, keys), how it reaches people (SMTP), its public address.
# Every LPSE_* variable goes too; the sandbox sets its own.
_DROPPED_PREFIXES = (
    "LPSE_",
    "DATABASE_",
    "SECRET_KEY",
    "CELERY_",
    "EMAIL_",
    "DEFAULT_FROM_EMAIL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "PG",  # libpq's PGHOST, PGPASSWORD …
)
_KEPT = {"LPSE_LOG_LEVEL"}


class SandboxError(Exception):
    """The sandbox could not be built or used; the message says why."""


def sandbox_dir() -> Path:
    return Path(settings.DATA_DIR) / NAME


def inside_sandbox() -> bool:
    return bool(os.environ.get(MARKER))


def site_name() -> str:
    return f"{settings.LPSE_SITE_NAME} — Lingkungan Pelatihan"


def environment(
    directory: Path, *, base_url: str = "", allowed_hosts: Sequence[str] = ()
) -> dict[str, str]:
    """The environment of a process that works on the sandbox in ``directory`` only."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key in _KEPT or not key.startswith(_DROPPED_PREFIXES)
    }
    hosts = ["127.0.0.1", "localhost", "[::1]", *allowed_hosts]
    env.update(
        {
            MARKER: str(directory),
            "LPSE_DATA_DIR": str(directory),
            "LPSE_DEMO": "1",  # demo accounts on the home page, e-mails in the outbox only
            "LPSE_SITE_NAME": site_name(),
            "LPSE_BASE_URL": base_url or f"http://{DEFAULT_BIND}",
            "ALLOWED_HOSTS": ",".join(dict.fromkeys(hosts)),
            "DJANGO_SETTINGS_MODULE": "lpse.settings",
            # A reset renames a new sandbox in under a sandbox server that may still run; a
            # connection kept between requests would go on reading, and writing, the old file.
            "DATABASE_CONN_MAX_AGE": "0",
        }
    )
    return env


def _lpse(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "lpse", *args]


def _check_separate(directory: Path) -> None:
    """Refuse any sandbox folder that is, or holds, production's data."""
    directory = directory.resolve()
    data_dir = Path(settings.DATA_DIR).resolve()
    if directory == data_dir or directory in data_dir.parents:
        raise SandboxError(f"{directory} holds the production data folder {data_dir}.")
    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"] and str(db["NAME"]) != ":memory:":
        production_db = Path(db["NAME"]).resolve()
        if directory == production_db or directory in production_db.parents:
            raise SandboxError(f"{directory} holds the production database {production_db}.")
    if Path(settings.MEDIA_ROOT).resolve() in (directory, *directory.parents):
        raise SandboxError(f"{directory} is inside the production media folder.")


@contextmanager
def _reset_lock(parent: Path):
    parent.mkdir(parents=True, exist_ok=True)
    with open(parent / f"{NAME}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second reset waits for the first
        yield


def _remove(path: Path, parent: Path) -> None:
    """Delete a sandbox folder; anything else is refused, whatever a caller passes."""
    if path.parent.resolve() != parent.resolve() or not path.name.startswith(NAME):
        raise SandboxError(f"refusing to delete {path}: not a training sandbox folder")
    shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True)
class Status:
    directory: Path
    exists: bool
    reset_at: str = ""
    reset_by: str = ""
    users: int = 0
    tenders: int = 0
    database: Path | None = None

    @property
    def reset_at_wita(self) -> str:
        """The last reset as people here read time (stored in UTC in the sandbox's info file)."""
        if not self.reset_at:
            return ""
        from lpse.core.calendar import to_wita

        return f"{to_wita(datetime.fromisoformat(self.reset_at)):%d-%m-%Y %H:%M} WITA"


def status(directory: Path | None = None) -> Status:
    directory = directory or sandbox_dir()
    database = directory / "lpse.sqlite3"
    if not database.exists():
        return Status(directory, exists=False)
    info = {}
    info_file = directory / INFO_FILE
    if info_file.exists():
        info = json.loads(info_file.read_text(encoding="utf-8"))
    # Read-only: looking at the sandbox must not change it either.
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            users = db.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
            tenders = db.execute("SELECT count(*) FROM tenders_tender").fetchone()[0]
    except sqlite3.Error:  # half-built by hand, or an older schema: reset it
        users = tenders = 0
    return Status(
        directory,
        exists=True,
        reset_at=info.get("reset_at", ""),
        reset_by=info.get("reset_by", ""),
        users=users,
        tenders=tenders,
        database=database,
    )


def reset(directory: Path | None = None, *, by: str = "", timeout: int = 600) -> Status:
    """Throw the sandbox away and build a fresh one with the demo data.

    The new sandbox is built in a sibling folder by a child process that sees only that folder,
    then renamed into place; the old one is deleted after the swap. A running sandbox server
    should be restarted afterwards (its open database file is the deleted one)."""
    if inside_sandbox():
        raise SandboxError(
            "this process runs inside the training sandbox: reset it from the production "
            "environment (without LPSE_TRAINING_SANDBOX)."
        )
    directory = (directory or sandbox_dir()).absolute()
    _check_separate(directory)
    parent = directory.parent
    with _reset_lock(parent):
        for stale in parent.glob(f"{NAME}.*-*"):  # left behind by an interrupted reset
            if stale.is_dir():
                _remove(stale, parent)
        staging = parent / f"{NAME}.new-{secrets.token_hex(4)}"
        staging.mkdir()
        try:
            result = subprocess.run(  # noqa: S603 (this interpreter, lpse's own command)
                _lpse(["training_sandbox", "build"]),
                env=environment(staging),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            if result.returncode != 0:
                raise SandboxError(
                    "building the training sandbox failed:\n"
                    + (result.stderr.strip() or result.stdout.strip())[-4000:]
                )
            info = {
                "reset_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "reset_by": by or getpass.getuser(),
            }
            (staging / INFO_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
        except BaseException:
            _remove(staging, parent)
            raise
        old = None
        if directory.exists():
            old = parent / f"{NAME}.old-{secrets.token_hex(4)}"
            directory.rename(old)
        staging.rename(directory)
        if old is not None:
            _remove(old, parent)
    return status(directory)


def build_here() -> None:
    """Run by ``reset`` in the child process: migrate and load the demo data into the folder
    this process was started on. Refuses anywhere else, and any database but that folder's
    SQLite file, so it can never write to production."""
    from django.core.management import call_command

    here = Path(settings.DATA_DIR).resolve()
    if os.environ.get(MARKER) != str(here):
        raise SandboxError("`build` runs only inside a sandbox started by `training_sandbox`.")
    db = settings.DATABASES["default"]
    if "sqlite" not in db["ENGINE"] or Path(db["NAME"]).resolve().parent != here:
        raise SandboxError(f"the sandbox database must be SQLite in {here}, not {db['NAME']}.")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo_data", verbosity=0)  # by name: training does not import the demo


def command(
    args: Sequence[str],
    directory: Path | None = None,
    *,
    base_url: str = "",
    allowed_hosts: Sequence[str] = (),
    extra_env: dict[str, str] | None = None,
    **run_options,
) -> subprocess.CompletedProcess:
    """Run ``lpse <args>`` on the sandbox (e.g. ``createsuperuser``, ``shell``, ``serve``)."""
    if inside_sandbox():
        raise SandboxError("this process already runs inside the training sandbox.")
    directory = (directory or sandbox_dir()).absolute()
    _check_separate(directory)
    if not status(directory).exists:
        raise SandboxError(f"there is no training sandbox in {directory}: reset it first.")
    env = environment(directory, base_url=base_url, allowed_hosts=allowed_hosts)
    env.update(extra_env or {})
    # The arguments are the operator's own command line (`lpse training_sandbox run ...`).
    return subprocess.run(_lpse(args), env=env, check=False, **run_options)  # noqa: S603
