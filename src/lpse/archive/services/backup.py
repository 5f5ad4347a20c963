"""Make a backup (SPEC 6, R-4.5, R-6.1): one consistent snapshot, written to every configured
target, incremental (a blob a kept backup on that target already holds is not written again),
encrypted to the offline recipients, made good only by its signed manifest — the last write.

A run killed midway leaves no manifest, so it is never taken as good; the next run marks it
failed and sweeps whatever pieces no manifest names. After a good run the retention rule is
applied to that target.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from lpse.archive import keys, manifest, pieces, retention, snapshot
from lpse.archive.manifest import Manifest
from lpse.archive.models import BackupRun, RunState
from lpse.archive.targets import Target, TargetError, configured_targets
from lpse.archive.workers import fork_ready
from lpse.core import signing, storage

Progress = Callable[[str, int, int], None]  # (what, bytes done, bytes in all)
DATABASE_FILES = {"lpse.sqlite3", "lpse.sqlite3-wal", "lpse.sqlite3-shm", "lpse.sqlite3-journal"}
LOCK_NAME = "backup.lock"


class BackupRefused(Exception):
    """A backup could not start (another is running, nothing configured); the message says why."""


def _quiet(_what: str, _done: int, _total: int) -> None:
    return None


ID_TIME = "%Y%m%dT%H%M%S%fZ"  # UTC to the microsecond, so ids sort as the backups were made


def new_backup_id() -> str:
    """An id that sorts after every earlier one (retention and "latest" go by it), even for
    two backups in one microsecond or a clock that stepped back."""
    from datetime import timedelta

    when = timezone.now().astimezone(UTC)
    last = BackupRun.objects.order_by("-backup_id").values_list("backup_id", flat=True).first()
    if last:
        previous = backup_time(last)
        if previous >= when:
            when = previous + timedelta(microseconds=1)
    return f"{when:{ID_TIME}}-{secrets.token_hex(3)}"


def backup_time(backup_id: str) -> datetime:
    return datetime.strptime(backup_id.split("-")[0], ID_TIME).replace(tzinfo=UTC)


@contextmanager
def _exclusive() -> Iterator[None]:
    """One backup (or prune) at a time on this server."""
    path = Path(settings.DATA_DIR) / LOCK_NAME
    with path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupRefused("another backup is running on this server; try later") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def data_files() -> list[Path]:
    """The data folder's own files a restore needs (the secret key, the signing key), not the
    database (snapshotted) nor the lock."""
    root = Path(settings.DATA_DIR)
    return sorted(
        path
        for path in root.iterdir()
        if path.is_file() and path.name not in DATABASE_FILES | {LOCK_NAME}
    )


def run_backup(*, trigger: str = "command", progress: Progress = _quiet) -> list[BackupRun]:
    """Back up to every configured target; a target that fails does not stop the others."""
    targets = configured_targets()
    if not targets:
        raise BackupRefused(
            "No backup target is configured: set LPSE_BACKUP_TARGETS, e.g. "
            "folder:/mnt/backup-disk or s3://bucket/lpse."
        )
    recipients = keys.configured_recipients()
    signing.signing_key()  # made now if new, so this very backup holds it
    runs = []
    with _exclusive():
        # A killed run's unencrypted database copy: removed under the lock, before anything.
        for leftover in Path(settings.DATA_DIR).glob("backup-work-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        workdir = Path(settings.DATA_DIR) / f"backup-work-{secrets.token_hex(4)}"
        try:
            backup_id = new_backup_id()
            progress("database", 0, 0)
            taken = _snapshot(workdir)
            for target in targets:
                runs.append(
                    backup_to(
                        target, taken, backup_id, recipients, trigger=trigger, progress=progress
                    )
                )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return runs


def _snapshot(workdir: Path) -> snapshot.Snapshot:
    """The database copy, in the data folder; a full disk there refuses the backup with what to
    do (issue 21) — the half-written copy goes with the work folder, the targets untouched."""
    try:
        workdir.mkdir()
        return snapshot.take(workdir)
    except (snapshot.SnapshotFailed, OSError) as exc:
        full = getattr(exc, "full", False) or getattr(exc, "errno", None) in FULL_DISK
        if not full:
            raise
        raise BackupRefused(
            f"the disk of the data folder is full ({settings.DATA_DIR}): the database copy a "
            "backup takes first did not fit. Nothing was written to the backup targets and the "
            "previous backups stay valid; free space there (at least the size of the database) "
            "and run the backup again."
        ) from None


FULL_DISK = (errno.ENOSPC, errno.EDQUOT)


def _reusable(target: Target, recipients: list[str]) -> tuple[str | None, dict[str, pieces.Piece]]:
    """Pieces of the newest good backup on ``target`` a new one may name instead of writing
    them again: same recipients (a changed key means everything is written anew) and still
    on the target. Returns (that backup's id, plaintext sha256 → piece)."""
    previous = (
        BackupRun.objects.filter(target=target.name, state=RunState.GOOD)
        .order_by("-started_at")
        .first()
    )
    if previous is None:
        return None, {}
    try:
        old = manifest.load(target, previous.backup_id)
    except (manifest.ManifestRefused, TargetError):
        return None, {}
    if sorted(old.recipients) != sorted(recipients):
        return old.backup_id, {}
    present = set(target.keys("blobs/")) | set(target.keys("files/"))
    reusable = {
        piece.plain_sha256: piece
        for piece in [*old.blobs.values(), *old.files.values()]
        if piece.key in present
    }
    return old.backup_id, reusable


def backup_to(
    target: Target,
    taken: snapshot.Snapshot,
    backup_id: str,
    recipients: list,
    *,
    trigger: str,
    progress: Progress = _quiet,
) -> BackupRun:
    names = keys.recipient_names()
    last = BackupRun.objects.filter(target=target.name).order_by("-started_at").first()
    # After a run that did not end well (killed, failed) or on a target new to this site, the
    # target may hold pieces no manifest names: swept once this run is good.
    leftovers_possible = last is None or last.state != RunState.GOOD
    BackupRun.objects.filter(target=target.name, state=RunState.RUNNING).update(
        state=RunState.FAILED,
        finished_at=timezone.now(),
        error="interrupted: the process stopped before the manifest was stored",
    )
    run = BackupRun.objects.create(
        backup_id=backup_id,
        target=target.name,
        started_at=timezone.now(),
        trigger=trigger,
        database_kind=taken.kind,
        audit_head_seq=(taken.audit_head or {}).get("seq"),
    )
    try:
        target.sweep_partial()
        previous, reusable = _reusable(target, names)
        built = _write_pieces(target, taken, backup_id, recipients, reusable, run, progress)
        built.recipients, built.previous = names, previous
        manifest.store(target, built)
    except BaseException as exc:
        run.state, run.finished_at = RunState.FAILED, timezone.now()
        run.error = str(exc) or exc.__class__.__name__
        run.save()
        with suppress(TargetError):  # the target is gone; the next run sweeps
            sweep_unreferenced(target)
        if isinstance(exc, Exception):
            return run
        raise
    run.state, run.finished_at = RunState.GOOD, timezone.now()
    run.total_bytes = built.total_bytes()
    run.save()
    dropped = apply_retention(target)
    if leftovers_possible and not dropped:  # a drop sweeps already
        sweep_unreferenced(target)
    return run


def _write_pieces(
    target: Target,
    taken: snapshot.Snapshot,
    backup_id: str,
    recipients: list,
    reusable: dict[str, pieces.Piece],
    run: BackupRun,
    progress: Progress,
) -> Manifest:
    files = data_files()
    new_sizes = {sha: _blob_size(sha) for sha in taken.blobs if sha not in reusable}
    total = taken.path.stat().st_size + sum(_size(path) for path in files)
    total += sum(reusable[sha].plain_size for sha in taken.blobs if sha in reusable)
    total += sum(new_sizes.values())
    done = 0
    with taken.path.open("rb") as dump:
        database = pieces.encrypt_to(target, f"db/{backup_id}.age", dump, recipients)
    done += database.plain_size
    run.pieces, run.pieces_new, run.new_bytes = 1, 1, database.cipher_size
    progress("database", done, total)
    built = Manifest(
        backup_id=backup_id,
        created_at=timezone.now().isoformat(),
        site=settings.LPSE_SITE_NAME,
        database_kind=taken.kind,
        database=database,
        tables=taken.tables,
        audit_head=taken.audit_head,
        recipients=[],
    )
    for path in files:
        piece = _piece(target, path, recipients, reusable, run)
        built.files[path.name] = piece
        done += piece.plain_size
        progress("files", done, total)
    for sha in taken.blobs:
        if sha in reusable:  # a blob's name is its SHA-256
            run.pieces += 1
            built.blobs[f"blobs/{sha[:2]}/{sha}"] = reusable[sha]
            done += reusable[sha].plain_size
            progress("blobs", done, total)
    for piece in _new_blob_pieces(target, list(new_sizes), recipients):
        built.blobs[piece.key.removesuffix(".age")] = piece
        run.pieces += 1
        run.pieces_new += 1
        run.new_bytes += piece.cipher_size
        done += piece.plain_size
        progress("blobs", done, total)
    run.save(update_fields=["pieces", "pieces_new", "new_bytes"])
    return built


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _blob_size(sha: str) -> int:
    size = storage.blob_size(sha)
    if size is None:
        raise TargetError(
            f"blob {sha} is listed in the database but missing from the file store: the site "
            "has lost a file; find it (an earlier backup holds it) before backing up again."
        )
    return size


def _new_blob_pieces(target: Target, shas: list[str], recipients: list) -> Iterator[pieces.Piece]:
    """Blobs no kept backup holds. From the data folder, on several processes for a folder
    target (a bucket's client is not shared by forks); from a bucket, streamed one by one."""
    keys_of = {sha: f"blobs/{sha[:2]}/{sha}.age" for sha in shas}
    local = {sha: storage.local_blob_path(sha) for sha in shas}
    if all(path is not None for path in local.values()):
        workers = fork_ready(settings.LPSE_BACKUP_WORKERS) if hasattr(target, "produce") else 1
        jobs = [(keys_of[sha], path) for sha, path in local.items() if path is not None]
        yield from pieces.encrypt_many(target, jobs, keys.recipient_names(), workers=workers)
        return
    for sha in shas:
        with storage.open_stored(sha) as source:
            yield pieces.encrypt_to(target, keys_of[sha], source, recipients)


def _piece(
    target: Target,
    path: Path,
    recipients: list,
    reusable: dict[str, pieces.Piece],
    run: BackupRun,
) -> pieces.Piece:
    """A data-folder file's piece (a key file), or the one a kept backup already holds."""
    run.pieces += 1
    data = path.read_bytes()  # a key file: a few hundred bytes
    sha = hashlib.sha256(data).hexdigest()
    if sha in reusable:
        return reusable[sha]
    piece = pieces.encrypt_to(target, f"files/{sha}.age", io.BytesIO(data), recipients)
    run.pieces_new += 1
    run.new_bytes += piece.cipher_size
    return piece


def referenced_keys(target: Target) -> set[str]:
    """Every piece some manifest on the target names (signature not checked: a piece is never
    removed because a manifest could not be read)."""
    import json

    named: set[str] = set()
    for backup_id in manifest.backup_ids(target):
        key = f"{manifest.PREFIX}{backup_id}.json"
        with target.open(key) as stored:
            data = json.loads(stored.read())
        named.add(key)
        named.add(data["database"]["piece"]["key"])
        named.update(entry["key"] for entry in data["files"].values())
        named.update(entry["key"] for entry in data["blobs"].values())
    return named


def sweep_unreferenced(target: Target) -> int:
    """Remove pieces no manifest names (a failed run's, or those pruning freed)."""
    target.sweep_partial()
    named = referenced_keys(target)
    gone = 0
    for prefix in ("db/", "files/", "blobs/"):
        for key in list(target.keys(prefix)):
            if key not in named:
                target.delete(key)
                gone += 1
    return gone


def apply_retention(target: Target) -> list[str]:
    """Remove the backups the rule does not keep, then the pieces only they named."""
    rule = retention.parse_rule(settings.LPSE_BACKUP_KEEP)
    ids = manifest.backup_ids(target)
    times = {i: backup_time(i) for i in ids}
    dropped = [i for i in ids if i not in retention.kept(times, rule)]
    for backup_id in dropped:
        target.delete(f"{manifest.PREFIX}{backup_id}.json")
    BackupRun.objects.filter(target=target.name, backup_id__in=dropped).update(
        state=RunState.PRUNED
    )
    if dropped:
        sweep_unreferenced(target)
    return dropped
