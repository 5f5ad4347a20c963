"""Receiving sealed bids (R-8.3, R-9.1, R-9.3, R-9.6, R-9.7).

An envelope arrives in chunks at known offsets, streamed to a part file on one machine
(``part_file``) or stored chunk by chunk in the shared object store when several application
nodes take them (``shared_upload``), never whole in memory, and can resume after a broken
connection. The request that brings the last byte also brings the
provider's signature over the envelope (``lpse.bids.signatures``). When the last byte is in, the
bid is accepted in one transaction that checks the deadline at the last byte's arrival by the
deadline clock (``bids.arrival``: this server's, or the database's for several nodes), checks the signature
with the key bound to the company, stores the envelope content-addressed, replaces the
provider's earlier bid and signs the receipt. Until then it is never a bid.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lpse.bids import arrival, envelope, receipts, signature_checks
from lpse.bids.models import Bid, TenderKey, Upload
from lpse.bids.services import part_file, shared_upload
from lpse.bids.services.part_file import part_path
from lpse.bids.services.part_file import running_hashes as _running_hashes
from lpse.bids.upload_hashes import hash_file as _hash_file
from lpse.core import audit, storage
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.hashing import Fingerprint
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.lookup import is_cancelled, participation_lock
from lpse.tenders.services.participation import participation_of
from lpse.tenders.services.preparation import schedule_of

if TYPE_CHECKING:
    from lpse.tenders.models import Tender


def bid_window(tender: Tender):
    return schedule_of(tender)["bid_submission"]


def _check_open(tender: Tender, now=None) -> None:
    """``now``: the deadline clock (``arrival``: the database's with
    ``LPSE_DEADLINE_CLOCK=database``), so a node whose clock was stepped across the deadline
    neither refuses a bid early nor takes one late (issue 21)."""
    if is_cancelled(tender):
        raise DomainError(_("This tender is cancelled: it takes no bids."), code="closed")
    start, end = bid_window(tender)
    now = now or arrival.now()
    if now < start:
        raise DomainError(
            _("Bid submission opens on %(at)s.") % {"at": sched.wita(start)}, code="not_open"
        )
    if now >= end:
        raise DomainError(
            _("Bid submission closed on %(at)s. No bid is accepted after the deadline.")
            % {"at": sched.wita(end)},
            code="closed",
        )


def _participant_company(actor, tender: Tender):
    require_capability(actor, Cap.PARTICIPATE)
    participation = participation_of(actor, tender)
    if participation is None:
        raise DomainError(_("Register for the tender before submitting a bid."), code="forbidden")
    return participation.company


def upload_start(*, actor, tender: Tender, length: int, client: str = "") -> Upload:
    company = _participant_company(actor, tender)
    if not TenderKey.objects.filter(tender=tender).exists():
        raise DomainError(_("This tender has no bid key; it cannot take bids."))
    _check_open(tender)
    # Said before any byte is sent; the acceptance checks the key again, with the signature.
    signature_checks.required_key(company)
    limit = settings.LPSE_MAX_BID_MB * 1024 * 1024
    if length <= len(envelope.AGE_MAGIC):
        raise DomainError(_("The envelope is empty."), field="length")
    if length > limit:
        raise DomainError(
            _("The envelope is larger than the %(mb)d MB allowed.")
            % {"mb": settings.LPSE_MAX_BID_MB},
            field="length",
        )
    upload = Upload.objects.create(
        tender=tender, company=company, user=actor, length=length, client=client[:300]
    )
    if not storage.shared_store():
        path = part_path(upload)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    return upload


def upload_owned(actor, upload_id) -> Upload:
    """The actor's upload, its ``offset`` being where it resumes (see ``resume_offset``)."""
    upload = Upload.objects.select_related("tender", "company").filter(pk=upload_id).first()
    if upload is None or upload.user_id != actor.pk:
        # Someone else's upload is as invisible as a missing one.
        raise DomainError(_("There is no such upload."), code="not_found")
    upload.offset = resume_offset(upload)
    return upload


def resume_offset(upload: Upload) -> int:
    """Where a receiving upload goes on (``part_file.resume_offset`` on one machine; with a
    shared store, the offset its recorded chunks reach)."""
    if upload.state != Upload.State.RECEIVING or storage.shared_store():
        return upload.offset
    return part_file.resume_offset(upload)


def upload_append(
    *,
    actor,
    upload: Upload,
    offset: int,
    stream: BinaryIO,
    length: int | None = None,
    signature: str = "",
) -> Upload | Bid:
    """Write bytes at ``offset`` (which must be where the server is); return the bid once the
    last byte is in. A chunk cut short by a broken connection keeps what arrived.
    ``signature``: the provider's signature over the whole envelope (R-9.7), base64; needed by
    the request that completes the upload, ignored by the others."""
    if upload.state != Upload.State.RECEIVING:
        raise DomainError(
            _("This upload is finished (%(state)s).") % {"state": upload.get_state_display()},
            code="finished",
        )
    if offset < upload.length:
        _check_open(upload.tender)  # no byte is taken after the deadline
    # (A PATCH that only finishes an upload whose bytes are all in is judged by their arrival.)
    if storage.shared_store():
        written, arrived_at = shared_upload.receive(upload, offset, stream, length)
        upload.offset = offset + written
        if upload.offset < upload.length:
            return upload
        return _accept(upload, hashes=None, arrived_at=arrived_at, signature=signature)
    with part_file.exclusive(upload):
        written, arrived_at, hashes = part_file.receive(upload, offset, stream, length)
        upload.offset = offset + written
        if upload.offset < upload.length:
            return upload
        return _accept(upload, hashes=hashes, arrived_at=arrived_at, signature=signature)


# Refusals for the signature: final, like a file that is not an envelope. The upload
# is not left to be signed later: its signature must come with its last byte, before the deadline.
SIGNATURE_REFUSALS = ("no_signing_key", "unsigned", "bad_signature")


def _accept(
    upload: Upload, *, hashes: tuple[str, str] | None, arrived_at, signature: str = ""
) -> Bid:
    """The last byte is in: check, store, replace the earlier bid, sign the receipt — at once.

    The deadline is judged against ``arrived_at``, the server time at which the last byte was
    on disk, not the time this acceptance runs: under a deadline rush, hashing and waiting for
    the database can take seconds, and a bid whose bytes were all in before the deadline must
    not be refused for the server's own slowness."""
    shared = storage.shared_store()
    if shared:  # the chunks, read once in order into a file on this node, hashed as they come
        try:
            path, *digests = shared_upload.compose(upload)
        except storage.StorageUnavailable as exc:
            raise _store_down(exc) from None
        hashes = (digests[0], digests[1])
    else:
        path = part_path(upload)
    try:
        envelope.check_header(path)
    except envelope.EnvelopeError as exc:
        Upload.objects.filter(pk=upload.pk).update(state=Upload.State.REFUSED, error=str(exc))
        path.unlink(missing_ok=True)
        if shared:
            shared_upload.forget(upload)
        raise DomainError(str(exc), code=exc.reason) from None
    md5, sha256 = hashes or _hash_file(path)
    try:
        _check_open(upload.tender, arrived_at)
    except DomainError:
        _refuse(upload, path, "after the deadline")  # recorded outside the rolled-back block
        raise
    final = storage.local_blob_path(sha256)  # None with a shared store: stored by a copy
    moved: list[bool] = []  # set once this call has moved the envelope into place
    try:
        with transaction.atomic():
            bid = _accept_in_transaction(
                upload, path, final, md5, sha256, moved, arrived_at, signature
            )
    except BaseException as exc:
        # The bid did not commit: put the envelope back where the upload can be finished again
        # (no orphan file in the store, no lost bytes for the provider). With a shared store
        # the chunks are still there; only this node's composed copy goes.
        if moved and final is not None:
            os.replace(final, path)
        if shared:
            path.unlink(missing_ok=True)
        if isinstance(exc, storage.StorageUnavailable):
            raise _store_down(exc) from None
        if isinstance(exc, DomainError) and exc.code == "closed":
            _refuse(upload, path, "after the deadline")
        elif isinstance(exc, DomainError) and exc.code in SIGNATURE_REFUSALS:
            _refuse(upload, path, str(exc))
        raise
    if shared:
        shared_upload.forget(upload)  # the envelope is the blob now
    return bid


def _store_down(exc: storage.StorageUnavailable) -> DomainError:
    return DomainError(
        _(
            "The file store did not answer (%(detail)s), so the bid is not accepted yet: "
            "nothing is lost. Send the last part again in a moment to finish it."
        )
        % {"detail": exc.detail},
        code="storage",
    )


def _refuse(upload: Upload, path: Path, why: str) -> None:
    Upload.objects.filter(pk=upload.pk, state=Upload.State.RECEIVING).update(
        state=Upload.State.REFUSED, error=why
    )
    path.unlink(missing_ok=True)
    if storage.shared_store():
        shared_upload.forget(upload)


def _accept_in_transaction(
    upload: Upload,
    path: Path,
    final: Path | None,
    md5: str,
    sha256: str,
    moved: list[bool],
    arrived_at,
    signature: str,
) -> Bid:
    upload = (
        Upload.objects.select_for_update().select_related("tender", "company").get(pk=upload.pk)
    )
    if upload.state != Upload.State.RECEIVING:
        raise DomainError(_("This upload was already finished."), code="finished")
    # One acceptance at a time per provider and tender: lock a row that always exists (the
    # participation), so two uploads finishing together cannot both find "no active bid".
    participation_lock(tender=upload.tender, company=upload.company)
    # Judged again inside the accepting transaction, with the tender as it is now (a schedule
    # change or a cancellation committed meanwhile counts), at the last byte's arrival.
    upload.tender.refresh_from_db(fields=["state"])
    now = arrived_at
    _check_open(upload.tender, now)
    # signed with the key bound to the company when the last byte arrived, or refused.
    signing_key = signature_checks.accepted_key(
        company=upload.company,
        tender=upload.tender,
        sha256=sha256,
        size=upload.length,
        signature=signature,
        at=now,
    )
    signature = signature.strip()
    blob = storage.blob_row(Fingerprint(md5=md5, sha256=sha256, size=upload.length))
    if final is None:
        storage.put_blob_file(sha256, path, upload.length)  # StorageUnavailable: rolled back
    elif final.exists():
        path.unlink()
    else:
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, final)
        moved.append(True)
    previous = list(
        Bid.objects.select_for_update().filter(
            tender=upload.tender, company=upload.company, state=Bid.State.ACTIVE
        )
    )
    Bid.objects.filter(pk__in=[b.pk for b in previous]).update(state=Bid.State.REPLACED)
    bid = Bid(
        tender=upload.tender,
        company=upload.company,
        submitted_by=upload.user,
        envelope=blob,
        submitted_at=now,
        receipt={},
        signature=signature,
        signing_key=signing_key,
    )
    bid.save()
    bid.receipt = receipts.sign(
        {
            "bid": bid.pk,
            "tender": upload.tender.code,
            "provider": upload.company.name,
            "provider_npwp": upload.company.npwp,
            "user_id": upload.user.username,
            "md5": md5,
            "sha256": sha256,
            "size": upload.length,
            "received_at": now.isoformat(),
            "replaces": [b.pk for b in previous],
            "provider_key_fingerprint": signing_key.fingerprint,
            "provider_signature": signature,
        }
    )
    bid.save(update_fields=["receipt"])
    upload.state, upload.bid = Upload.State.ACCEPTED, bid
    upload.save(update_fields=["state", "bid"])
    audit.record(
        actor=upload.user,
        action="bid.submit",
        obj=bid,
        data={
            "tender": upload.tender.code,
            "company": upload.company_id,
            "sha256": sha256,
            "md5": md5,
            "size": upload.length,
            "replaces": [b.pk for b in previous],
            "signing_key": signing_key.fingerprint,
        },
    )
    return bid


def bids_of_company(actor, tender: Tender):
    company = getattr(actor, "company", None)
    if company is None:
        return Bid.objects.none()
    return Bid.objects.filter(tender=tender, company=company).select_related("envelope")


def bid_of(actor, pk: int) -> Bid:
    """A provider sees only its own bids."""
    bid = Bid.objects.select_related("tender", "company", "envelope").filter(pk=pk).first()
    company = getattr(actor, "company", None)
    if bid is None or company is None or bid.company_id != company.pk:
        raise DomainError(_("There is no such bid."), code="not_found")
    return bid


# An upload still sending when the deadline passed may take a little while to be refused by its
# own next request; its part file is left alone until then.
ABANDONED_GRACE = timedelta(hours=1)


def abandoned_uploads_clean(*, now: datetime | None = None) -> int:
    """Remove the part files of uploads that can never become bids: incomplete when their
    tender's deadline passed (no byte is taken after it). An upload whose bytes were all in
    before the deadline keeps its file: it can still be accepted (judged at the last byte's
    arrival). Each one cleaned is marked refused, with why, so the provider's list and the
    support desk say what happened. Returns how many were cleaned."""
    now = now or arrival.now()  # the deadline's own clock, not this node's
    cleaned = 0
    candidates = Upload.objects.filter(state=Upload.State.RECEIVING).select_related("tender")
    for upload in candidates.iterator():
        if upload.offset >= upload.length:
            continue
        deadline = bid_window(upload.tender)[1]
        if now < deadline + ABANDONED_GRACE:
            continue
        if Upload.objects.filter(pk=upload.pk, state=Upload.State.RECEIVING).update(
            state=Upload.State.REFUSED, error="incomplete at the deadline"
        ):
            if storage.shared_store():
                shared_upload.forget(upload)
                cleaned += 1
                continue
            path = part_path(upload)
            path.unlink(missing_ok=True)
            path.with_suffix(".lock").unlink(missing_ok=True)
            _running_hashes.drop(upload.pk)
            cleaned += 1
    return cleaned
