"""What the audit log says changed since a point in it: the objects written after a given
``seq``, and the rows they belong to.

Every service write records an event naming its object (``lpse.core.audit``), so a job that
follows changes (the OCDS publisher, R-9.5) reads the events after its high-water mark instead of
looking at every row again. Each app maps its own objects to what the job follows (DESIGN
"Boundaries"); ``ids_along`` is the common way of doing so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from django.db import models

from lpse.core.models import AuditEvent, AuditHead

Touched = Mapping[str, Collection[str]]  # object label ("tenders.tender") → primary keys


def head_seq() -> int:
    """The last committed event's ``seq``: the head row is written in the same transaction as
    the event, and appends are serialised by its lock, so every event up to it is visible."""
    head = AuditHead.objects.filter(id=1).values_list("seq", flat=True).first()
    return head or 0


def touched_between(after: int, upto: int, *, ignore_actions: Iterable[str] = ()) -> Touched:
    """The objects named by the events ``after < seq <= upto``, by label."""
    found: dict[str, set[str]] = defaultdict(set)
    rows = (
        AuditEvent.objects.filter(seq__gt=after, seq__lte=upto)
        .exclude(object_type="")
        .exclude(action__in=list(ignore_actions))
        .values_list("object_type", "object_id")
    )
    for label, pk in rows.iterator():
        found[label].add(pk)
    return found


def ids_along(touched: Touched, paths: Mapping[type[models.Model], str]) -> set[int]:
    """For each model, the values at ``path`` (a lookup such as ``outcome__tender_id``) of its
    touched rows: one query a model that has any."""
    ids: set[int] = set()
    for model, path in paths.items():
        pks = touched.get(model._meta.label_lower)
        if pks:
            ids.update(
                v
                for v in model._default_manager.filter(pk__in=list(pks)).values_list(
                    path, flat=True
                )
                if v is not None
            )
    return ids
