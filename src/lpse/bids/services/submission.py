"""Receiving sealed bids (R-8.3, R-9.1, R-9.3, R-9.6, R-9.7).

An envelope arrives in chunks at known offsets, streamed to a part file (never whole in memory),
and can resume after a broken connection. The request that brings the last byte also brings the
provider's signature over the envelope (``lpse.bids.signatures``). When the last byte is in, the
bid is accepted in one transaction that checks the deadline by server time, checks the signature
with the key bound to the company, stores the envelope content-addressed, replaces the
provider's earlier bid and signs the receipt. Until then it is never a bid.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.bids import envelope, receipts, signature_checks
from lpse.bids.models import Bid, TenderKey, Upload
from lpse.bids.upload_hashes import CHUNK, RunningHashes
from lpse.bids.upload_hashes import hash_file as _hash_file
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.models import Blob
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.lookup import is_cancelled, participation_lock
from lpse.tenders.services.participation import participation_of
from lpse.tenders.services.preparation import schedule_of

if TYPE_CHECKING:
    from lpse.tenders.models import Tender


def part_path(upload: Upload) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / f"{upload.id}.part"


def bid_window(tender: Tender):
    return schedule_of(tender)["bid_submission"]


def _check_open(tender: Tender, now=None) -> None:
    if is_cancelled(tender):
        raise DomainError(_("This tender is cancelled: it takes no bids."), code="closed")
    start, end = bid_window(tender)
    now = now or timezone.now()
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
    """Where a receiving upload goes on: the bytes both recorded (after their fsync) and on disk.
    A server killed mid-chunk leaves written but unrecorded bytes after the recorded offset: they
    do not count (the next PATCH drops them), so the provider is told to resume from the byte
    that a PATCH accepts."""
    if upload.state != Upload.State.RECEIVING:
        return upload.offset
    path = part_path(upload)
    return min(upload.offset, path.stat().st_size if path.exists() else 0)


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
    with _exclusive(upload):
        return _append(upload, offset, stream, length, signature)


@contextmanager
def _exclusive(upload: Upload):
    """One writer per upload: a client that retries while the server still reads its earlier,
    half-dead request must not interleave bytes into the same part file."""
    lock_path = part_path(upload).with_suffix(".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DomainError(
                _("Another request is still sending this upload; wait a moment and resume."),
                code="offset_mismatch",
            ) from None
        try:
            yield
        finally:
            if not Upload.objects.filter(pk=upload.pk, state=Upload.State.RECEIVING).exists():
                lock_path.unlink(missing_ok=True)  # finished: nobody writes here again
            fcntl.flock(lock, fcntl.LOCK_UN)


def _append(
    upload: Upload, offset: int, stream: BinaryIO, length: int | None, signature: str
) -> Upload | Bid:
    path = part_path(upload)
    at = resume_offset(upload)
    if offset != at:
        raise DomainError(
            _("The upload is at byte %(at)d, not %(offset)d: resume from there.")
            % {"at": at, "offset": offset},
            code="offset_mismatch",
        )
    if path.exists() and path.stat().st_size > at:
        _truncate(path, at)  # bytes of a chunk cut by a crash, never confirmed
    remaining = upload.length - offset
    hasher = _running_hashes.resume(upload.pk, offset)
    written = 0
    try:
        with open(path, "ab") as out:
            while written < remaining:
                want = min(CHUNK, remaining - written)
                if length is not None:
                    want = min(want, length - written)
                    if want <= 0:
                        break
                try:
                    chunk = stream.read(want)
                except OSError:  # the connection broke (a reset): keep what arrived
                    chunk = b""
                if not chunk:
                    break
                out.write(chunk)
                if hasher:
                    hasher.update(chunk)
                written += len(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        _truncate(path, offset)
        raise DomainError(
            _(
                "The server could not store the upload (%(error)s). Nothing was "
                "saved from this part; try again, or tell the LPSE helpdesk."
            )
            % {"error": exc.strerror or exc},
            code="storage",
        ) from None
    if hasher is not None:
        _running_hashes.keep(upload.pk, offset + written, hasher)
    if written:
        arrived_at = timezone.now()
        Upload.objects.filter(pk=upload.pk).update(offset=offset + written, updated_at=arrived_at)
    else:
        # Nothing new (every byte was already in, and a server stopped before accepting them):
        # they arrived when the offset last moved, not now.
        arrived_at = Upload.objects.filter(pk=upload.pk).values_list("updated_at", flat=True)[0]
    upload.offset = offset + written
    if upload.offset < upload.length:
        return upload
    _running_hashes.drop(upload.pk)
    return _accept(
        upload,
        hashes=hasher.digests() if hasher else None,
        arrived_at=arrived_at,
        signature=signature,
    )


def _truncate(path: Path, size: int) -> None:
    with open(path, "ab") as f:
        f.truncate(size)


_running_hashes = RunningHashes()


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
    path = part_path(upload)
    try:
        envelope.check_header(path)
    except envelope.EnvelopeError as exc:
        Upload.objects.filter(pk=upload.pk).update(state=Upload.State.REFUSED, error=str(exc))
        path.unlink(missing_ok=True)
        raise DomainError(str(exc), code=exc.reason) from None
    md5, sha256 = hashes or _hash_file(path)
    try:
        _check_open(upload.tender, arrived_at)
    except DomainError:
        _refuse(upload, path, "after the deadline")  # recorded outside the rolled-back block
        raise
    final = Path(settings.MEDIA_ROOT) / "blobs" / sha256[:2] / sha256
    moved: list[bool] = []  # set once this call has moved the envelope into place
    try:
        with transaction.atomic():
            return _accept_in_transaction(
                upload, path, final, md5, sha256, moved, arrived_at, signature
            )
    except BaseException as exc:
        # The bid did not commit: put the envelope back where the upload can be finished again
        # (no orphan file in the store, no lost bytes for the provider).
        if moved:
            os.replace(final, path)
        if isinstance(exc, DomainError) and exc.code == "closed":
            _refuse(upload, path, "after the deadline")
        elif isinstance(exc, DomainError) and exc.code in SIGNATURE_REFUSALS:
            _refuse(upload, path, str(exc))
        raise


def _refuse(upload: Upload, path: Path, why: str) -> None:
    Upload.objects.filter(pk=upload.pk, state=Upload.State.RECEIVING).update(
        state=Upload.State.REFUSED, error=why
    )
    path.unlink(missing_ok=True)


def _accept_in_transaction(
    upload: Upload,
    path: Path,
    final: Path,
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
    blob, _created = Blob.objects.get_or_create(
        sha256=sha256, defaults={"md5": md5, "size": upload.length}
    )
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        path.unlink()
    else:
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
    now = now or timezone.now()
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
            path = part_path(upload)
            path.unlink(missing_ok=True)
            path.with_suffix(".lock").unlink(missing_ok=True)
            _running_hashes.drop(upload.pk)
            cleaned += 1
    return cleaned
