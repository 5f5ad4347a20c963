"""Writes of the local catalogue (katalog lokal, R-5.6): the administrator imports items from
CSV (see imports.py) and retires them; nothing is deleted."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.catalog.models import CatalogueItem
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError

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
    return len(new), len(changed)


def item_retire(*, actor, pk: int) -> CatalogueItem:
    require_capability(actor, Cap.MANAGE_MASTER_DATA)
    with transaction.atomic():
        item = CatalogueItem.objects.select_for_update().filter(pk=pk).first()
        if item is None:
            raise DomainError(_("That item no longer exists; reload the page."))
        if item.retired_at is not None:
            raise DomainError(_("%(item)s is already retired.") % {"item": item})
        item.retired_at, item.updated_by, item.updated_at = timezone.now(), actor, timezone.now()
        item.save(update_fields=["retired_at", "updated_by", "updated_at"])
        audit.record(
            actor=actor,
            action="catalog.catalogue.retire",
            obj=item,
            data={"code": item.code, "name": item.name},
        )
    return item
