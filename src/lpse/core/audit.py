"""The hash-chained audit log (R-9.4): append with ``record``, check with ``verify_chain``.

Every service write calls ``record`` inside its transaction, so an action and its audit event
commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from lpse.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(
    *,
    seq: int,
    at: str,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
    prev_hash: str,
) -> bytes:
    body = {
        "seq": seq,
        "at": at,
        "actor": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "data": data,
        "prev": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _hash_of(event: AuditEvent) -> str:
    payload = _canonical(
        seq=event.seq,
        at=event.at.isoformat(timespec="microseconds"),
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        data=event.data,
        prev_hash=event.prev_hash,
    )
    return hashlib.sha256(payload).hexdigest()


def _json_safe(data: dict | None) -> dict:
    # Round-trip through JSON so what we hash is exactly what the database gives back later.
    return json.loads(json.dumps(data or {}, default=str, sort_keys=True))


def describe_actor(actor) -> str:
    if actor is None:
        return "system"
    if getattr(actor, "is_authenticated", False):
        return f"{actor.username} (#{actor.pk})"
    return "anonymous"


def hold_chain() -> AuditHead:
    """Lock the chain's head until the caller's transaction ends, as ``record`` does: for a
    write recorded in the chain that must also wait for every other such write, which then
    needs no lock of its own that another transaction could take in the other order (the
    public list's positions, ``tenders.listing``). Call inside the transaction."""
    head, _ = AuditHead.objects.select_for_update().get_or_create(
        id=1, defaults={"seq": 0, "hash": GENESIS}
    )
    return head


def record(
    *, actor, action: str, obj: models.Model | None = None, data: dict | None = None
) -> AuditEvent:
    """Append one event to the chain. Call inside the service's transaction."""
    with transaction.atomic():
        head = hold_chain()
        # Stored and hashed in UTC: the database gives UTC back, whatever the display zone.
        at = timezone.now().astimezone(UTC)
        event = AuditEvent(
            seq=head.seq + 1,
            at=at,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=describe_actor(actor),
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            data=_json_safe(data),
            prev_hash=head.hash,
        )
        event.hash = _hash_of(event)
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain() -> ChainReport:
    """Walk the chain from the start; name the first event whose link or content does not hold."""
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return ChainReport(
                False,
                count,
                expected_prev,
                expected_seq,
                f"event #{expected_seq} is missing (next found is #{event.seq})",
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                False,
                count,
                expected_prev,
                event.seq,
                f"event #{event.seq} does not link to the event before it",
            )
        if _hash_of(event) != event.hash:
            return ChainReport(
                False,
                count,
                expected_prev,
                event.seq,
                f"event #{event.seq} ({event.action}) was changed after it was written",
            )
        expected_prev = event.hash
        expected_seq += 1
        count += 1
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.seq != count or head.hash != expected_prev):
        return ChainReport(
            False,
            count,
            expected_prev,
            count + 1 if head.seq > count else head.seq,
            f"the chain ends at #{count} but the recorded head is #{head.seq}: "
            "events were removed from the end",
        )
    return ChainReport(True, count, expected_prev)


def current_head() -> AuditHead | None:
    return AuditHead.objects.filter(id=1).first()


def last_recorded(
    *, actions: tuple[str, ...], obj: models.Model | None = None
) -> AuditEvent | None:
    """The newest event of these actions (on ``obj``, if given), if its own hash still holds; a
    service that checks a row against what was logged about it (R-9.9) reads the log through
    this. Returns None when there is no such event or the event was edited (``verify_chain``
    says more)."""
    events = AuditEvent.objects.filter(action__in=actions)
    if obj is not None:
        events = events.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    event = events.order_by("-seq").first()
    if event is None or _hash_of(event) != event.hash:
        return None
    return event
