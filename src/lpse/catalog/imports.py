"""CSV bulk import of master data and catalogue items, with a dry run (R-5.6).

A file is checked whole before anything is stored: every bad row is listed with its line and
what is wrong (bad encoding, wrong code format, duplicate, unknown parent, bad value), and a file
with any bad row stores nothing. The dry run is the same check without the storing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.catalog import catalogue
from lpse.catalog.master_data import KINDS, check_code, check_name
from lpse.catalog.models import BusinessField, Origin
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

COLUMNS = {
    "fields": ["code", "name"],
    "sub_fields": ["code", "field", "name"],
    "categories": ["code", "name"],
    "catalogue": [
        "code",
        "name",
        "specification",
        "unit",
        "reference_price",
        "provider",
        "valid_from",
        "valid_until",
    ],
}


@dataclass
class ImportReport:
    kind: str
    rows: list[dict] = field(default_factory=list)  # the good rows, cleaned
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong)
    unchanged: int = 0
    stored: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _bad_encoding_lines(data: bytes) -> set[int]:
    bad = set()
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.add(number)
    return bad


def _clean_row(kind: str, row: dict[str, str], report: ImportReport) -> dict:
    """One row checked: a DomainError says what is wrong with it."""
    code = check_code("categories" if kind == "categories" else "fields", row["code"])
    if kind == "catalogue":
        # The single-item form checks with the same function: one rule in one place.
        return catalogue.clean_item(row)
    cleaned = {"code": code, "name": check_name(row["name"])}
    if kind == "sub_fields":
        parent = BusinessField.objects.filter(code=row["field"].strip()).first()
        if parent is None or parent.is_retired:
            raise DomainError(
                _("unknown business field “%(code)s” (create it first, or fix the code)")
                % {"code": row["field"].strip()}
            )
        cleaned["field"] = parent
    existing = KINDS[kind].objects.filter(code=code).first()
    if existing is not None:
        same_parent = kind != "sub_fields" or existing.field_id == cleaned["field"].pk
        if existing.name == cleaned["name"] and same_parent:
            report.unchanged += 1
            return {}
        raise DomainError(
            _("the code %(code)s already exists as “%(name)s”; rename it on the page instead")
            % {"code": code, "name": existing.name}
        )
    return cleaned


def csv_check(*, kind: str, data: bytes) -> ImportReport:
    """Read and check the whole file; store nothing."""
    report = ImportReport(kind=kind)
    if len(data) > MAX_BYTES:
        report.errors.append((0, _("The file is larger than 5 MB: split it.")))
        return report
    bad_lines = _bad_encoding_lines(data)
    for number in sorted(bad_lines):
        report.errors.append(
            (number, _("not UTF-8 text: save the file as CSV UTF-8 and import it again"))
        )
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in COLUMNS[kind] if name not in header]
    if missing:
        report.errors.append(
            (1, _("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        )
        return report
    reader.fieldnames = header
    seen: dict[str, int] = {}
    for count, row in enumerate(reader, start=1):
        line = reader.line_num
        if count > MAX_ROWS:
            report.errors.append((line, _("more than 20,000 rows: split the file")))
            break
        if line in bad_lines:
            continue
        values = {name: (row.get(name) or "") for name in COLUMNS[kind]}
        code = values["code"].strip()
        if code in seen:
            report.errors.append(
                (
                    line,
                    _("duplicate code %(code)s (also on line %(line)d)")
                    % {"code": code, "line": seen[code]},
                )
            )
            continue
        seen[code] = line
        try:
            cleaned = _clean_row(kind, values, report)
        except DomainError as exc:
            report.errors.append((line, str(exc.message)))
            continue
        if cleaned:
            report.rows.append(cleaned)
    if not report.rows and not report.errors and not report.unchanged:
        report.errors.append((0, _("The file has no rows to import.")))
    return report


def csv_import(*, actor, kind: str, data: bytes, dry_run: bool) -> ImportReport:
    """Check the file and, unless it is a dry run or any row is bad, store every row at once."""
    require_capability(actor, Cap.MANAGE_MASTER_DATA)
    report = csv_check(kind=kind, data=data)
    if dry_run or not report.ok:
        return report
    now = timezone.now()
    with transaction.atomic():
        if kind == "catalogue":
            added, updated = catalogue.items_upsert(
                actor=actor, rows=report.rows, origin=Origin.IMPORT
            )
        else:
            model = KINDS[kind]
            model.objects.bulk_create([model(origin=Origin.IMPORT, **row) for row in report.rows])
            added, updated = len(report.rows), 0
        audit.record(
            actor=actor,
            action=f"catalog.{kind}.import",
            data={
                "added": added,
                "updated": updated,
                "unchanged": report.unchanged,
                "codes": [row["code"] for row in report.rows][:1000],
                "at": now.isoformat(),
            },
        )
    report.stored = True
    return report
