"""Turning tenders into releases (R-9.5): the publisher job compares what each part of a
tender's process says now with its last release and publishes a new release when it differs.

Decoupled (no other app calls the portal), idempotent (the same facts publish nothing new) and
incremental: a run looks only at the tenders that the audit events since the last run concern
(every service write records one naming its object; each app maps its objects to their tender),
and keeps the audit ``seq`` it read up to as its high-water mark. ``full=True`` looks at every
announced tender instead (published ones, and every one that already has releases), to repair
after a change the audit log does not name (a builder fixed, an agency renamed).
Runs are serialised by a lock on ``OCDSPublisherState``; ``seq`` is therefore handed out in
commit order and a cursor (``since=``) never misses a release.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from lpse.bids import selectors as bids_selectors
from lpse.core import audit
from lpse.core.audit_since import head_seq, touched_between
from lpse.evaluation import selectors as evaluation_selectors
from lpse.nontender import selectors as nontender_selectors
from lpse.portal.models import OCDSPublisherState, OCDSRelease, ReleaseKind
from lpse.portal.ocds import builders, builders_nontender, builders_results
from lpse.portal.ocds.facts import code_of, facts_of, ocid_of
from lpse.tenders.selectors.listings import TenderFilters, public_tenders
from lpse.tenders.selectors.lookup import is_published, tender_by_code
from lpse.tenders.selectors.touched import (
    announced_backing_tenders,
    announced_tenders,
    tender_ids_touched,
)

# Audited writes that name a tender's object but change nothing published.
QUIET_ACTIONS = ("document.download",)

BUILDERS = {
    ReleaseKind.PLANNING: builders.planning,
    ReleaseKind.TENDER: builders.tender,
    ReleaseKind.BIDS: builders_results.bids,
    ReleaseKind.AWARD: builders_results.award,
    ReleaseKind.CONTRACT: builders_results.contract,
}
# A non-tender procurement's releases, on its backing tender.
NONTENDER_BUILDERS = {
    ReleaseKind.PLANNING: builders.planning,
    ReleaseKind.TENDER: builders_nontender.tender,
    ReleaseKind.BIDS: builders_nontender.bids,
    ReleaseKind.AWARD: builders_nontender.award,
    ReleaseKind.CONTRACT: builders_nontender.contract,
}


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data: Any) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def _tag(kind: str, content: dict, previous: OCDSRelease | None) -> list[str]:
    """The release tag: what happened since the last release of this kind."""
    if kind == ReleaseKind.PLANNING:
        return ["planning"] if previous is None else ["planningUpdate"]
    if kind == ReleaseKind.TENDER:
        section = content["tender"]
        if section["status"] == "cancelled":
            return ["tenderCancellation"]
        if previous is None:
            return ["tender"]
        before = len(previous.data["tender"].get("amendments", []))
        return (
            ["tenderAmendment"] if len(section.get("amendments", [])) > before else ["tenderUpdate"]
        )
    if kind == ReleaseKind.BIDS:
        return ["tenderUpdate"]
    if kind == ReleaseKind.AWARD:
        if previous is None:
            return ["award"]
        if all(a["status"] == "cancelled" for a in content["awards"]):
            return ["awardCancellation"]
        return ["awardUpdate"]
    return ["contract"] if previous is None else ["contractUpdate"]


def _publish_tender(tender, state: OCDSPublisherState) -> list[OCDSRelease]:
    facts = facts_of(tender)
    made = []
    for kind, build in (NONTENDER_BUILDERS if facts.nontender else BUILDERS).items():
        built = build(facts)
        if built is None:
            continue
        content, date = built
        content_sha = sha256(content)
        previous = OCDSRelease.objects.filter(ocid=facts.ocid, kind=kind).order_by("-seq").first()
        if previous is not None and previous.content_sha256 == content_sha:
            continue
        number = OCDSRelease.objects.filter(ocid=facts.ocid, kind=kind).count() + 1
        tags = _tag(kind, content, previous)
        # A later release is never dated before an earlier one of the same kind (compiling
        # sorts by date).
        if previous is not None and date < previous.date:
            date = previous.date
        release = {
            "ocid": facts.ocid,
            "id": f"{facts.ocid}-{kind}-{number}",
            "date": date.isoformat(),
            "tag": tags,
            **content,
        }
        state.last_seq += 1
        made.append(
            OCDSRelease.objects.create(
                seq=state.last_seq,
                ocid=facts.ocid,
                release_id=release["id"],
                kind=kind,
                date=date,
                tags=tags,
                data=release,
                sha256=sha256(release),
                content_sha256=content_sha,
            )
        )
    return made


def _every_tender():
    seen: set[str] = set()
    for tender in public_tenders(TenderFilters()).select_related(
        "package__sub_field", "package__committee__agency", "agency"
    ):
        seen.add(tender.code)
        yield tender
    for tender in announced_backing_tenders():  # non-tender procurements
        if is_published(tender):
            seen.add(tender.code)
            yield tender
    for ocid in OCDSRelease.objects.values_list("ocid", flat=True).distinct():
        code = code_of(ocid)
        if code and code not in seen:
            tender = tender_by_code(code)
            if tender is not None:
                yield tender


def tenders_changed(after: int, upto: int) -> list:
    """The announced tenders that the audit events ``after < seq <= upto`` concern: published
    ones, and cancelled ones that already have releases (as a full run sees them); the backing
    tenders of non-tender procurements (R-8.6) among them."""
    touched = touched_between(after, upto, ignore_actions=QUIET_ACTIONS)
    ids = (
        tender_ids_touched(touched)
        | bids_selectors.tender_ids_touched(touched)
        | evaluation_selectors.tender_ids_touched(touched)
        | nontender_selectors.tender_ids_touched(touched)
    )
    if not ids:
        return []
    tenders = list(announced_tenders(ids).order_by("pk"))
    tenders += list(announced_backing_tenders(ids).order_by("pk"))
    released = set(
        OCDSRelease.objects.filter(ocid__in=[ocid_of(t.code) for t in tenders])
        .values_list("ocid", flat=True)
        .distinct()
    )
    return [t for t in tenders if is_published(t) or ocid_of(t.code) in released]


def releases_publish(*, actor=None, full: bool = False) -> int:
    """Publish the new releases of the tenders changed since the last run (of every announced
    tender with ``full``); the number published."""
    with transaction.atomic():
        state, _ = OCDSPublisherState.objects.select_for_update().get_or_create(id=1)
        # Read before the facts: a write committed meanwhile is looked at again next run.
        upto = head_seq()
        first = state.last_seq + 1
        made = 0
        # The first run has no mark to follow from: it looks at everything (so does a run after
        # an upgrade from the publisher that had none).
        full = full or state.last_run_at is None or state.audit_seq == 0
        tenders = _every_tender() if full else tenders_changed(state.audit_seq, upto)
        for tender in tenders:
            made += len(_publish_tender(tender, state))
        state.audit_seq = max(state.audit_seq, upto)
        state.last_run_at = timezone.now()
        state.save()
        if made:
            audit.record(
                actor=actor,
                action="portal.ocds.publish",
                data={"releases": made, "seq_from": first, "seq_to": state.last_seq, "full": full},
            )
    return made
