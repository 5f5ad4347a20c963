"""The opening ceremony (R-8.4, R-9.2) and the diagnosis of bids that do not open (R-3.1)."""

from __future__ import annotations

import base64
import functools
import hashlib
import shutil
import tempfile
from collections.abc import Generator, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.bids import arrival, envelope, keys, opening_pool, receipts, share_checks
from lpse.bids.models import Bid, KeyShare, OpenedBid, Opening, ShareUnlock, TenderKey
from lpse.bids.opening_worker import Decrypted, Job
from lpse.bids.signature_checks import signature_problem
from lpse.core import audit, hooks
from lpse.core.calendar import to_wita
from lpse.core.documents import issued_with_proof
from lpse.core.errors import DomainError
from lpse.core.pdf import PdfForm, render_form
from lpse.core.storage import (
    blob_file,
    make_durable,
    scratch_dir,
    store_bytes,
    store_chunks,
    store_hashed_file,
    writing,
)
from lpse.core.storage_tasks import complete_md5_on_commit
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import require_opener
from lpse.tenders.services.preparation import schedule_of


def opening_of(tender) -> Opening:
    opening, _created = Opening.objects.get_or_create(tender=tender)
    return opening


def share_unlock(*, actor, tender, share: str) -> Opening:
    """A committee member unlocks their share at the opening stage; at k shares the bids open.

    ``share`` is the share as the member's device decrypted it (R-9.9): their browser opened
    their sealed key with their passphrase, or their own age key, and sent only this tender's
    share — never the passphrase, never the opening key."""
    require_opener(actor, tender)
    opening_start = schedule_of(tender)["bid_opening"][0]
    if arrival.now() < opening_start:  # the deadline clock: no opening before it says so
        raise DomainError(
            _("Bids can be opened from %(at)s, when the opening stage begins.")
            % {"at": sched.wita(opening_start)}
        )
    if settings.LPSE_OPENING_WORKERS > 1:
        opening_pool.warm_up()  # ready by the last share (R-8.4: the opening is not kept waiting)
    tender_key = TenderKey.objects.filter(tender=tender).first()
    mine = (
        KeyShare.objects.select_related("member", "tender_key")
        .filter(tender_key=tender_key, member=actor)
        .first()
        if tender_key
        else None
    )
    if mine is None or tender_key is None:
        raise DomainError(_("You hold no share of this tender's key."), code="forbidden")
    unlocked = share_checks.received_share(share, mine=mine, tender=tender)
    with transaction.atomic():
        opening = Opening.objects.select_for_update().get(pk=opening_of(tender).pk)
        if opening.state == Opening.State.OPENED:
            raise DomainError(_("The bids are already open."))
        if ShareUnlock.objects.filter(share=mine).exists():
            raise DomainError(_("You have already unlocked your share."))
        ShareUnlock.objects.create(
            opening=opening,
            share=mine,
            unlocked_by=actor,
            unlocked_at=timezone.now(),
            value=base64.b64encode(unlocked.value).decode(),
        )
        audit.record(
            actor=actor,
            action="opening.unlock",
            obj=opening,
            data={"tender": tender.code, "share": mine.index},
        )
        if opening.unlocks.count() >= tender_key.threshold:
            _open_all(actor=actor, opening=opening, tender_key=tender_key)
    return opening


def _open_all(*, actor, opening: Opening, tender_key: TenderKey) -> None:
    tender = opening.tender
    shares = [
        keys.UnlockedShare(
            tender_code=tender.code,
            recipient=tender_key.recipient,
            index=u.share.index,
            threshold=tender_key.threshold,
            value=base64.b64decode(u.value),
            format=tender_key.format,
        )
        for u in opening.unlocks.select_related("share__member", "share__tender_key")
    ]
    # Named before combining: combining only says that *some* share is wrong.
    share_checks.stored_shares_intact(opening.unlocks.all(), tender_key=tender_key)
    try:
        identity = keys.combine(
            shares,
            tender_code=tender.code,
            recipient=tender_key.recipient,
            wrapped_identity=tender_key.wrapped_identity,
        )
    except keys.TenderKeyError as exc:
        raise DomainError(
            _("The unlocked shares do not rebuild the tender's key: %(why)s.") % {"why": exc}
        ) from None
    now = timezone.now()
    # Everything the checks read of a bid in the one query (a query per bid and relation
    # was a third of the ceremony's own time, which competes with the workers for the cores).
    bids = Bid.objects.filter(tender=tender, state=Bid.State.ACTIVE).select_related(
        "envelope", "company", "signing_key", "tender"
    )
    try:
        with closing(open_bids(list(bids), identity)) as results:
            for bid, result in results:
                OpenedBid.objects.create(bid=bid, opened_at=now, **result)
    except BrokenProcessPool:
        # Raised inside the unlock's transaction: no row of this attempt stays, the third
        # share included, so the member unlocks again to retry.
        raise DomainError(
            _(
                "Opening the bids stopped part-way: a process decrypting them ended. Nothing "
                "was recorded; unlock your share again to retry."
            )
        ) from None
    # The documents are on disk before the rows naming them commit (the pool's workers do not
    # fsync each one; one flush of the store here).
    make_durable()
    # Their MD5 (R-7.2, for compatibility) is taken after the commit, not while the committee
    # waits: the pool's workers take the SHA-256 only (core.storage.pending_md5).
    complete_md5_on_commit()
    opening.unlocks.update(value="")  # the key is rebuilt; the shares are no longer kept
    opening.state, opening.opened_at = Opening.State.OPENED, now
    report = opening_report_pdf(opening)
    event = audit.record(
        actor=actor,
        action="opening.open",
        obj=opening,
        data={
            "tender": tender.code,
            "bids": opening.tender.bids.filter(state=Bid.State.ACTIVE).count(),
            "report_sha256": hashlib.sha256(report).hexdigest(),
        },
    )
    # Stored with the log proof of the event that recorded it: what the page links to
    # is what it shows the SHA-256 of.
    opening.report = store_bytes(issued_with_proof(report, event, recorded_as="report_sha256"))
    opening.save(update_fields=["state", "opened_at", "report"])
    # A non-tender procurement records its offers from what opened.
    hooks.bids_opened.call(tender=tender, actor=actor)


def _replaced_after_receipt(bid: Bid) -> tuple[str, str] | None:
    """R-9.9: the stored envelope must be the one the bid's signed receipt names. The blob row
    the bid points at proves nothing (whoever can write the database can point the bid at a
    forged envelope, encrypted to the tender's public key); the receipt's signature does. Run
    before anything is decrypted, so a swapped bid is never read."""
    try:
        sha256, size = receipts.envelope_claim(
            bid.receipt, bid_pk=bid.pk, tender_code=bid.tender.code
        )
    except receipts.ReceiptInvalid as exc:
        return "replaced", _(
            "replaced after receipt: the bid's signed receipt does not verify (%(why)s)"
        ) % {"why": exc}
    if (bid.envelope.sha256, bid.envelope.size) != (sha256, size):
        return "replaced", _(
            "replaced after receipt: the stored envelope (SHA-256 %(stored)s) is not the one "
            "the signed receipt names (SHA-256 %(receipt)s)"
        ) % {"stored": bid.envelope.sha256, "receipt": sha256}
    return None


def _signature_fails(bid: Bid) -> tuple[str, str] | None:
    """R-9.7: the bid must carry its company's signature, made with the key bound to the company
    when it arrived, over the envelope its receipt names (whose bytes the opening then hashes).
    Run after ``_replaced_after_receipt``, which proves the receipt genuine, and before anything
    is decrypted: a bid someone else made or re-pointed is never read as the company's."""
    return signature_problem(bid)


def _missing_or_truncated(bid: Bid, path: Path) -> tuple[str, str] | None:
    if not path.exists():
        return "missing", _("the stored file is missing")
    size = path.stat().st_size
    if size < bid.envelope.size:
        return "truncated", _("the stored file is truncated: %(have)d of %(want)d bytes") % {
            "have": size,
            "want": bid.envelope.size,
        }
    return None


def _corrupted() -> tuple[str, str]:
    return "corrupted", _("the file is corrupted: its SHA-256 no longer matches the receipt")


def diagnose(bid: Bid, identity=None) -> tuple[str, str] | None:
    """Why a stored envelope would not open, in plain words, or None when it is sound."""
    path = blob_file(bid.envelope.sha256)
    problem = (
        _replaced_after_receipt(bid) or _signature_fails(bid) or _missing_or_truncated(bid, path)
    )
    if problem:
        return problem
    sha256 = hashlib.sha256()  # the receipt's fingerprint; MD5 adds nothing to this check
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            sha256.update(chunk)
    if sha256.hexdigest() != bid.envelope.sha256:
        return _corrupted()
    if identity is not None:
        try:
            envelope.decrypt(path, identity, tender_code=bid.tender.code)
        except envelope.EnvelopeError as exc:
            return exc.reason, str(exc)
    return None


def open_bids(bids: list[Bid], identity) -> Generator[tuple[Bid, dict], None, None]:
    """Each bid with what its ``OpenedBid`` row says, in the bids' order. The checks against
    the receipt and signature (which read the database) run here; the sound bids are decrypted
    by ``LPSE_OPENING_WORKERS`` processes (``opening_pool``) while this process checks the next
    ones and stores the documents of the earlier ones, or here when there is one process or one
    bid."""
    workers = min(settings.LPSE_OPENING_WORKERS, len(bids))
    if workers <= 1:
        for bid in bids:
            problem = _refused_before_reading(bid)
            yield bid, _problem(problem) if problem else _open_one(bid, identity)
        return
    opening_pool.warm_up()  # at the first share already; here for an opening run again
    # One folder for this run's decrypted documents, removed whatever happens: a worker that
    # dies may have written files whose names never reached this process.
    run_dir = Path(tempfile.mkdtemp(dir=_tmp_dir(), prefix="opening-"))

    def checked() -> Iterator[tuple[tuple[Bid, tuple[str, str] | None], Job | None]]:
        for bid in bids:
            problem = _refused_before_reading(bid)
            job = None
            if problem is None:
                job = Job(
                    path=str(_stored_path(bid)),
                    identity=str(identity),
                    tender_code=bid.tender.code,
                    tmp_dir=str(run_dir),
                )
            yield (bid, problem), job

    try:
        with (
            writing(),  # a worker that found the disk full: StorageFull, as here
            closing(opening_pool.decrypted_in_order(checked(), workers=workers)) as decrypted,
        ):
            for (bid, problem), result in decrypted:
                if problem is not None:
                    yield bid, _problem(problem)
                    continue
                assert result is not None  # a bid without a problem was given a job
                try:
                    stored = _stored(bid, result)
                finally:
                    result.discard()
                yield bid, stored
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def _stored_path(bid: Bid) -> Path:
    # core.storage: the data folder's own file, or a copy fetched from the shared bucket.
    return blob_file(bid.envelope.sha256)


def _tmp_dir() -> Path:
    return scratch_dir()


def _problem(problem: tuple[str, str]) -> dict:
    return {"problem": problem[0], "problem_message": problem[1]}


def _refused_before_reading(bid: Bid) -> tuple[str, str] | None:
    return (
        _replaced_after_receipt(bid)
        or _signature_fails(bid)
        or _missing_or_truncated(bid, _stored_path(bid))
    )


def _stored(bid: Bid, decrypted: Decrypted) -> dict:
    """What a worker decrypted, judged and stored as ``_open_one`` does in one process."""
    if decrypted.problem:
        return _problem(diagnose(bid) or decrypted.problem)
    if decrypted.ciphertext_sha256 != bid.envelope.sha256:
        return _problem(_corrupted())
    offer = decrypted.offer
    assert offer is not None  # a bid without a problem was opened
    documents = []
    for name, path, fingerprint in decrypted.documents:
        blob = store_hashed_file(path, fingerprint)
        documents.append({"name": name, "sha256": blob.sha256, "size": blob.size})
    return {
        "total_price": offer.total_price,
        "validity_days": offer.validity_days,
        "declarations": offer.declarations,
        "documents": documents,
    }


def _open_one(bid: Bid, identity) -> dict:
    """Decrypt and unpack one bid in a single streaming pass over the stored file (its SHA-256
    is computed as age reads it); the documents go to storage as they are read. Called once
    ``open_bids`` checked the bid against its signed receipt (R-9.9): the blob row's size and
    SHA-256, which the file is then compared with, are the receipt's."""
    path = _stored_path(bid)
    sha256 = hashlib.sha256()
    try:
        with envelope.opened(
            path,
            identity,
            tender_code=bid.tender.code,
            ciphertext_hash=sha256,
            tmp_dir=_tmp_dir(),
        ) as opened:
            if sha256.hexdigest() != bid.envelope.sha256:
                problem = _corrupted()
                return {"problem": problem[0], "problem_message": problem[1]}
            offer = opened.offer
            documents = []
            for name, stream in opened.documents():
                blob = store_chunks(iter(functools.partial(stream.read, 1024 * 1024), b""))
                documents.append({"name": name, "sha256": blob.sha256, "size": blob.size})
    except envelope.EnvelopeError as exc:
        # A file that differs from its receipt is "corrupted", whatever age made of it.
        problem = diagnose(bid) or (exc.reason, str(exc))
        return {"problem": problem[0], "problem_message": problem[1]}
    return {
        "total_price": offer.total_price,
        "validity_days": offer.validity_days,
        "declarations": offer.declarations,
        "documents": documents,
    }


def opening_report_pdf(opening: Opening) -> bytes:
    """Berita acara pembukaan penawaran."""
    tender = opening.tender
    opened_at = opening.opened_at
    assert opened_at is not None  # the report is made of an opened opening only
    rows = [
        ("Kode tender", tender.code),
        ("Nama paket", tender.package.name),
        ("Waktu pembukaan", f"{to_wita(opened_at):%d-%m-%Y %H:%M:%S} WITA"),
        (
            "Anggota Pokja yang membuka",
            ", ".join(
                u.unlocked_by.get_full_name() or u.unlocked_by.username
                for u in opening.unlocks.select_related("unlocked_by")
            ),
        ),
    ]
    paragraphs = ["Daftar penawaran yang masuk sampai batas akhir pemasukan penawaran:"]
    for number, opened in enumerate(
        OpenedBid.objects.filter(bid__tender=tender)
        .select_related("bid__company", "bid__envelope")
        .order_by("bid__submitted_at"),
        start=1,
    ):
        bid = opened.bid
        if opened.problem:
            outcome = f"TIDAK DAPAT DIBUKA: {opened.problem_message}"
        else:
            outcome = (
                f"Harga penawaran Rp {opened.total_price:,.2f}; masa berlaku "
                f"{opened.validity_days} hari; {len(opened.documents)} dokumen"
            )
        paragraphs.append(
            f"{number}. {bid.company.name} (NPWP {bid.company.npwp_display}), "
            f"diterima {to_wita(bid.submitted_at):%d-%m-%Y %H:%M:%S} WITA, "
            f"SHA-256 pada tanda terima {bid.receipt.get('sha256', '-')}. {outcome}"
        )
    return render_form(
        PdfForm(
            title="Berita Acara Pembukaan Penawaran",
            subtitle=tender.code,
            rows=rows,
            paragraphs=paragraphs,
            signature_label="Kelompok Kerja Pemilihan",
        )
    )
