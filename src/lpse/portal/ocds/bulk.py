"""Bulk files (R-9.5): a JSON Lines file of each day's releases (by publication day, WITA) and a
ZIP of every release, each with its SHA-256 in a ``.sha256`` file beside it
(``sha256sum -c`` reads it). Written by the publisher job under ``DATA_DIR/ocds``; files are
replaced atomically, so a download never sees half a file."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db.models import Count, Max

from lpse.core.calendar import WITA, to_wita
from lpse.portal.models import OCDSRelease

ALL_ZIP = "releases-all.zip"
DAILY = re.compile(r"releases-(\d{4}-\d{2}-\d{2})\.jsonl")
NAME = re.compile(r"(releases-\d{4}-\d{2}-\d{2}\.jsonl|releases-all\.zip)(\.sha256)?")


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "ocds"
    path.mkdir(parents=True, exist_ok=True)
    return path


def line(release: dict[str, Any]) -> bytes:
    return json.dumps(release, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomically(target: Path, fill) -> str:
    """Write through ``fill(file)`` into a temporary file beside the target, hash it, then move
    it and its ``.sha256`` into place; returns the SHA-256. (Hashed after writing: zipfile seeks
    back to write its headers.)"""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    part = Path(temporary)
    try:
        with os.fdopen(handle, "wb") as raw:
            fill(raw)
        sha = _file_sha256(part)
        side = target.with_name(target.name + ".sha256")
        side_part = part.with_name(part.name + ".sha256")
        side_part.write_text(f"{sha}  {target.name}\n", encoding="utf-8")
        os.replace(part, target)
        os.replace(side_part, side)
    except BaseException:
        part.unlink(missing_ok=True)
        part.with_name(part.name + ".sha256").unlink(missing_ok=True)
        raise
    return sha


def write_jsonl(target: Path, releases: Iterable[dict[str, Any]]) -> str:
    def fill(raw: IO[bytes]) -> None:
        for release in releases:
            raw.write(line(release))

    return _write_atomically(target, fill)


def write_zip(target: Path, releases: Iterable[dict[str, Any]]) -> str:
    def fill(raw: IO[bytes]) -> None:
        with (
            zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            archive.open("releases.jsonl", "w", force_zip64=True) as member,
        ):
            for release in releases:
                member.write(line(release))

    return _write_atomically(target, fill)


def _day(moment: datetime) -> date:
    return to_wita(moment).date()


def _rows(query) -> Iterator[dict[str, Any]]:
    yield from query.order_by("seq").values_list("data", flat=True).iterator(chunk_size=2000)


STATE = ".written.json"


def _state(out: Path) -> dict[str, list[int]]:
    try:
        return json.loads((out / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _extent(query) -> list[int]:
    """(how many, the last seq): ``seq`` is handed out in commit order under the publisher's
    lock, so the pair names exactly which releases a file holds."""
    found = query.aggregate(count=Count("seq"), last=Max("seq"))
    return [found["count"], found["last"] or 0]


def bulk_write(*, today: date | None = None) -> list[str]:
    """Write the daily files and the ZIP of everything whose releases changed since they were
    written (a past day's file is final: never read again); the names written. A run that
    published nothing rewrites nothing, so the job may run often."""
    out = folder()
    state = _state(out)
    written = []
    days = sorted(
        {_day(at) for at in OCDSRelease.objects.values_list("published_at", flat=True).distinct()}
    )
    today = today or _day(datetime.now().astimezone())
    for day in days:
        target = out / f"releases-{day.isoformat()}.jsonl"
        if target.exists() and day < today - timedelta(days=1) and target.name in state:
            # Final: releases are dated when stored. (Yesterday is checked again, for a run
            # that committed just after midnight.)
            continue
        start = datetime.combine(day, time.min, tzinfo=WITA)
        that_day = OCDSRelease.objects.filter(
            published_at__gte=start, published_at__lt=start + timedelta(days=1)
        )
        extent = _extent(that_day)
        if target.exists() and state.get(target.name) == extent:
            continue
        write_jsonl(target, _rows(that_day))
        state[target.name] = extent
        written.append(target.name)
    extent = _extent(OCDSRelease.objects.all())
    if not (out / ALL_ZIP).exists() or state.get(ALL_ZIP) != extent:
        write_zip(out / ALL_ZIP, _rows(OCDSRelease.objects.all()))
        state[ALL_ZIP] = extent
        written.append(ALL_ZIP)
    if written:
        part = out / f"{STATE}.part"
        part.write_text(json.dumps(state), encoding="utf-8")
        os.replace(part, out / STATE)
    return written


@dataclass(frozen=True)
class BulkFile:
    name: str
    size: int
    sha256: str
    modified: datetime


def bulk_files() -> list[BulkFile]:
    files = []
    for path in sorted(folder().iterdir()):
        if not NAME.fullmatch(path.name) or path.name.endswith(".sha256"):
            continue
        side = path.with_name(path.name + ".sha256")
        if not side.exists():
            continue
        stat = path.stat()
        files.append(
            BulkFile(
                name=path.name,
                size=stat.st_size,
                sha256=side.read_text(encoding="utf-8").split()[0],
                modified=datetime.fromtimestamp(stat.st_mtime).astimezone(),
            )
        )
    return files


def bulk_path(name: str) -> Path | None:
    """The file of that name, or None: only names the publisher writes are ever served."""
    if not NAME.fullmatch(name):
        return None
    path = folder() / name
    return path if path.is_file() else None
