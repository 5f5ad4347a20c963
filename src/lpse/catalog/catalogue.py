"""Writes of the local catalogue (katalog lokal, R-5.6): the administrator imports items from
CSV (see imports.py) or enters and changes one at a time, and retires or reinstates them;
nothing is deleted. Both ways check a row with ``clean_item``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.catalog import search_index
from lpse.catalog.master_data import check_code, check_name
from lpse.catalog.models import CatalogueItem, Origin
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.money import parse_rupiah

FIELDS = [
    "name",
    "specification",
    "unit",
    "reference_price",
    "provider_name",
    "valid_from",
    "valid_until",
]


SEARCH_TEXT_MAX = 400


def _price(raw: str) -> Decimal:
    # One reading of a typed rupiah amount for the whole system (1.250.000 is a million and a
    # quarter, not 1.25), with its messages.
    return parse_rupiah(raw, field="reference_price").quantize(Decimal("0.01"))


def _day(raw: str, what: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise DomainError(
            _("%(what)s is not a date written YYYY-MM-DD") % {"what": what}, field=what
        ) from None


def clean_item(row: dict[str, str]) -> dict:
    """One catalogue row as typed (a CSV line or the single-item form, keyed by the CSV's
    columns) checked and cleaned; a DomainError names what is wrong and the field."""
    code = check_code("fields", row["code"])
    valid_from = _day(row["valid_from"], "valid_from")
    valid_until = _day(row["valid_until"], "valid_until")
    if valid_until < valid_from:
        raise DomainError(_("valid_until is before valid_from"), field="valid_until")
    if not row["unit"].strip() or not row["provider"].strip():
        raise DomainError(
            _("give the unit and the provider"),
            field="unit" if not row["unit"].strip() else "provider",
        )
    return {
        "code": code,
        "name": check_name(row["name"]),
        "specification": row["specification"].strip(),
        "unit": row["unit"].strip()[:40],
        "reference_price": _price(row["reference_price"]),
        "provider_name": row["provider"].strip()[:200],
        "valid_from": valid_from,
        "valid_until": valid_until,
    }


def search_text(row: dict) -> str:
    """What search matches: code, name, provider, then the specification, cut to fit."""
    words = " ".join(
        " ".join(str(row[name]).split())
        for name in ("code", "name", "provider_name", "specification")
    )
    return words.lower()[:SEARCH_TEXT_MAX]


def items_upsert(*, actor, rows: list[dict], origin: str) -> tuple[int, int]:
    """Add new codes, update known ones (a new price or validity); a retired item updated
    by a new import is offered again. Call inside the import's transaction."""
    require_capability(actor, Cap.MANAGE_MASTER_DATA)
    now = timezone.now()
    known = {
        item.code: item
        for item in CatalogueItem.objects.select_for_update().filter(
            code__in=[row["code"] for row in rows]
        )
    }
    new, changed = [], []
    for row in rows:
        item = known.get(row["code"]) or CatalogueItem(code=row["code"], origin=origin)
        for name in FIELDS:
            setattr(item, name, row[name])
        item.search_text = search_text(row)
        item.retired_at, item.updated_by, item.updated_at = None, actor, now
        (changed if item.pk else new).append(item)
    CatalogueItem.objects.bulk_create(new, batch_size=1000)
    CatalogueItem.objects.bulk_update(
        changed, [*FIELDS, "search_text", "retired_at", "updated_by", "updated_at"], 1000
    )
    search_index.reindex([*new, *changed])
    return len(new), len(changed)


def _snapshot(item: CatalogueItem) -> dict:
    return {name: str(getattr(item, name)) for name in ["code", *FIELDS]}


def item_save(*, actor, pk: int | None, row: dict[str, str]) -> CatalogueItem:
    """Enter one item (``pk`` None) or change one; ``row`` as the form typed it. A changed
    item keeps its code (orders and reports name it); a new code must not exist yet."""
    require_capability(actor, Cap.MANAGE_MASTER_DATA)
    with transaction.atomic():
        if pk is None:
            cleaned = clean_item(row)
            existing = CatalogueItem.objects.filter(code=cleaned["code"]).first()
            if existing is not None:
                raise DomainError(
                    _("The code %(code)s is already used by “%(name)s”: change that item instead.")
                    % {"code": existing.code, "name": existing.name},
                    field="code",
                )
            item, before = CatalogueItem(code=cleaned["code"], origin=Origin.ADMIN), None
        else:
            item = CatalogueItem.objects.select_for_update().filter(pk=pk).first()
            if item is None:
                raise DomainError(_("That item no longer exists; reload the page."))
            cleaned = clean_item({**row, "code": item.code})
            before = _snapshot(item)
        for name in FIELDS:
            setattr(item, name, cleaned[name])
        item.search_text = search_text(cleaned)
        item.updated_by, item.updated_at = actor, timezone.now()
        item.save()
        search_index.reindex([item])
        audit.record(
            actor=actor,
            action="catalog.catalogue.create" if before is None else "catalog.catalogue.change",
            obj=item,
            data={"before": before, "after": _snapshot(item)},
        )
    return item


def item_retire(*, actor, pk: int, retire: bool = True) -> CatalogueItem:
    """Retire an item (no longer listed) or reinstate a retired one."""
    require_capability(actor, Cap.MANAGE_MASTER_DATA)
    with transaction.atomic():
        item = CatalogueItem.objects.select_for_update().filter(pk=pk).first()
        if item is None:
            raise DomainError(_("That item no longer exists; reload the page."))
        if retire and item.retired_at is not None:
            raise DomainError(_("%(item)s is already retired.") % {"item": item})
        if not retire and item.retired_at is None:
            raise DomainError(_("%(item)s is not retired.") % {"item": item})
        now = timezone.now()
        item.retired_at, item.updated_by, item.updated_at = (now if retire else None), actor, now
        item.save(update_fields=["retired_at", "updated_by", "updated_at"])
        search_index.reindex([item])
        audit.record(
            actor=actor,
            action="catalog.catalogue.retire" if retire else "catalog.catalogue.reinstate",
            obj=item,
            data={"code": item.code, "name": item.name},
        )
    return item
