"""Uploads held because the virus scanner did not answer (R-4.4): the uploader is told, and the
``rescan-held-uploads`` job scans them again until the scanner answers.

A held file keeps the time it arrived (its record was written when it was sent), so a document
sent before a deadline counts as sent before it; it is served to nobody until it is clean.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lpse.core import audit, malware, security_log
from lpse.core.calendar import wita_text
from lpse.core.malware import ScanState
from lpse.core.models import Blob
from lpse.core.storage import files as storage_files
from lpse.core.tasks import send_mail_on_commit


def _mail_result(blob: Blob) -> None:
    user = blob.held_for
    if user is None or not user.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        if blob.scan_state == ScanState.CLEAN:
            subject = _("Your held file was checked: no malware found")
            body = _(
                "The virus scanner has checked the file you sent at %(when)s and found no "
                "malware. It is now available as usual."
            )
        else:
            subject = _("Your held file contains malware and was removed")
            body = _(
                "The virus scanner found malware (%(signature)s) in the file you sent at "
                "%(when)s. It has been removed and will not be used. Check the computer it came "
                "from with an up-to-date virus scanner and send a clean copy."
            )
        send_mail_on_commit(
            to=[user.email],
            subject=subject,
            body=body % {"when": wita_text(blob.created_at), "signature": blob.scan_signature},
        )


@shared_task(name="lpse.core.quarantine.rescan_held_uploads")
def rescan_held_uploads() -> dict[str, int]:
    """The periodic job (an installation job, lpse.celery): every 5 minutes."""
    return rescan_held()


def rescan_held() -> dict[str, int]:
    """Scan every held blob again; returns how many turned clean, infected or stayed held."""
    counts = {"clean": 0, "infected": 0, "held": 0}
    for blob in Blob.objects.filter(scan_state=ScanState.HELD).select_related("held_for"):
        path = storage_files.blob_file(blob.sha256)
        try:
            verdict = malware.scan_path(path)
        finally:
            storage_files.release_file(path)
        if verdict.state == ScanState.HELD:
            counts["held"] += 1
            continue
        with transaction.atomic():
            blob.scan_state = verdict.state
            blob.scanned_at = timezone.now()
            blob.scan_signature = verdict.signature
            blob.save(update_fields=["scan_state", "scanned_at", "scan_signature"])
            audit.record(
                actor=None,
                action="core.upload.rescanned",
                data={
                    "sha256": blob.sha256,
                    "state": verdict.state,
                    "signature": verdict.signature,
                },
            )
            _mail_result(blob)
        if verdict.state == ScanState.INFECTED:
            security_log.record(
                "upload.infected", sha256=blob.sha256, size=blob.size, signature=verdict.signature
            )
            storage_files.delete_blob(
                blob.sha256
            )  # malware is not kept; the row says what was there and why it went
            counts["infected"] += 1
        else:
            counts["clean"] += 1
    return counts
