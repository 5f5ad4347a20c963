"""Check backups (R-6.3), restic's ``check`` as the anchor: without any key, every piece a
signed manifest names is on the target with the manifest's size and SHA-256; with
``--read-data`` and the offline key, every piece also decrypts to the plaintext the manifest
names. ``subset=(n, t)`` checks the n-th of t parts (a rotating part each day)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from lpse.archive import manifest, pieces
from lpse.archive.models import BackupRun, RunState
from lpse.archive.targets import Target, TargetError


@dataclass
class VerifyReport:
    target: str
    backup_ids: list[str] = field(default_factory=list)
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_subset(text: str) -> tuple[int, int]:
    number, _, of = text.partition("/")
    if not (number.isdigit() and of.isdigit() and 1 <= int(number) <= int(of)):
        raise ValueError(f"--subset {text!r}: write n/t with 1 ≤ n ≤ t, e.g. 1/7")
    return int(number), int(of)


def in_subset(piece: pieces.Piece, subset: tuple[int, int] | None) -> bool:
    if subset is None:
        return True
    number, of = subset
    return int(piece.cipher_sha256[:8], 16) % of == number - 1


def verify(
    target: Target,
    *,
    backup_ids: list[str] | None = None,
    identities: list | None = None,
    subset: tuple[int, int] | None = None,
    public_pem: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyReport:
    report = VerifyReport(target=target.name)
    try:
        ids = backup_ids or manifest.backup_ids(target)
    except TargetError as exc:
        report.problems.append(str(exc))
        return report
    seen: set[str] = set()
    todo: list[pieces.Piece] = []
    for backup_id in ids:
        try:
            loaded = manifest.load(target, backup_id, public_pem=public_pem)
        except (manifest.ManifestRefused, TargetError) as exc:
            report.problems.append(str(exc))
            continue
        report.backup_ids.append(backup_id)
        for piece in loaded.pieces():
            if piece.key not in seen and in_subset(piece, subset):
                seen.add(piece.key)
                todo.append(piece)
    for done, piece in enumerate(todo, start=1):
        problem = _check_one(target, piece, identities)
        if problem:
            report.problems.append(problem)
        report.checked += 1
        if progress:
            progress(done, len(todo))
    if report.ok and report.backup_ids:
        BackupRun.objects.filter(
            target=target.name, backup_id__in=report.backup_ids, state=RunState.GOOD
        ).update(verified_at=timezone.now(), verify_problems="")
    elif report.backup_ids:
        BackupRun.objects.filter(target=target.name, backup_id__in=report.backup_ids).update(
            verify_problems="\n".join(report.problems)[:5000]
        )
    return report


def _check_one(target: Target, piece: pieces.Piece, identities: list | None) -> str | None:
    try:
        if identities is None:
            return pieces.check(target, piece)
        with open("/dev/null", "wb") as sink:
            pieces.decrypt_to(target, piece, identities, sink)
    except (pieces.PieceDamaged, pieces.WrongKey, TargetError) as exc:
        return str(exc)
    return None
