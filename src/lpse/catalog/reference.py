"""The reference data files shipped in ``catalog/reference/`` and their loading (``lpse setup``).

Each file is described in ``manifest.json`` with its source, version, row count and SHA-256, so
a changed file is noticed before it is loaded, and a hand-typed short list says that it is one
(``complete`` and ``note``). Loading is idempotent: a newer version updates names and re-opens
nothing the administrator retired; it never deletes a row, because packages and companies name
them."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from lpse.catalog.models import (
    BusinessField,
    BusinessSubField,
    GoodsCategory,
    Origin,
    ReferenceDataset,
)
from lpse.core import audit

REFERENCE_DIR = Path(__file__).with_name("reference")


class ReferenceFileChanged(Exception):
    """A shipped file does not match its manifest: refuse to load what nobody reviewed."""


@dataclass(frozen=True)
class Dataset:
    key: str
    file: str
    loads: str
    title: str
    source: str
    version: str
    complete: bool
    note: str
    rows: int
    sha256: str

    @property
    def path(self) -> Path:
        return REFERENCE_DIR / self.file


def manifest() -> list[Dataset]:
    data = json.loads((REFERENCE_DIR / "manifest.json").read_text(encoding="utf-8"))
    return [Dataset(**entry) for entry in data["datasets"]]


def rows_of(dataset: Dataset) -> list[dict[str, str]]:
    """The file's rows after checking its SHA-256 and row count against the manifest."""
    raw = dataset.path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != dataset.sha256:
        raise ReferenceFileChanged(
            f"{dataset.file}: SHA-256 {digest} is not the {dataset.sha256} in manifest.json;"
            " update the manifest (version, rows, sha256) when you change the file"
        )
    if dataset.loads == "note":
        return []
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    if len(rows) != dataset.rows:
        raise ReferenceFileChanged(
            f"{dataset.file}: {len(rows)} rows, the manifest says {dataset.rows}"
        )
    return rows


def newer(version: str, than: str) -> bool:
    """Versions are dotted numbers compared as numbers: 2020.10 is newer than 2020.9."""

    def key(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split(".") if part.isdigit())

    return key(version) > key(than)


def _upsert(model, code: str, version: str, values: dict) -> str:
    """Insert, or update a row an older reference version wrote. Returns what happened."""
    row = model.objects.select_for_update().filter(code=code).first()
    if row is None:
        model.objects.create(
            code=code, origin=Origin.REFERENCE, reference_version=version, **values
        )
        return "added"
    if row.origin != Origin.REFERENCE or not newer(version, row.reference_version):
        return "kept"  # the administrator's own row, or already this version: leave it
    for name, value in values.items():
        setattr(row, name, value)
    row.reference_version = version
    row.save()
    return "updated"


def _load_one(dataset: Dataset) -> dict[str, int]:
    counts = {"added": 0, "updated": 0, "kept": 0}
    for row in rows_of(dataset):
        if dataset.loads == "business_fields":
            outcome = _upsert(BusinessField, row["code"], dataset.version, {"name": row["name"]})
        elif dataset.loads == "business_sub_fields":
            field = BusinessField.objects.get(code=row["field"])
            outcome = _upsert(
                BusinessSubField,
                row["code"],
                dataset.version,
                {"name": row["name"], "field": field},
            )
        else:  # goods_categories
            outcome = _upsert(
                GoodsCategory,
                row["code"],
                dataset.version,
                {"name": row["name"], "name_2010": row["name_2010"], "order": int(row["order"])},
            )
        counts[outcome] += 1
    return counts


def reference_data_load(*, actor=None) -> dict[str, dict[str, int]]:
    """Load every dataset whose version is newer than the one loaded (``lpse setup``, the demo).
    Runs without a signed-in user (the command line), so there is no capability to check; the
    audit log records each dataset loaded."""
    report: dict[str, dict[str, int]] = {}
    with transaction.atomic():
        for dataset in manifest():
            loaded = ReferenceDataset.objects.select_for_update().filter(key=dataset.key).first()
            if loaded is not None and not newer(dataset.version, loaded.version):
                continue
            counts = _load_one(dataset)
            ReferenceDataset.objects.update_or_create(
                key=dataset.key,
                defaults={
                    "version": dataset.version,
                    "sha256": dataset.sha256,
                    "rows": dataset.rows,
                    "loaded_at": timezone.now(),
                },
            )
            audit.record(
                actor=actor,
                action="catalog.reference_loaded",
                data={"dataset": dataset.key, "version": dataset.version, **counts},
            )
            report[dataset.key] = counts
    return report
