"""MD5s taken after the fact (R-7.2: MD5 for compatibility, SHA-256 for real).

A writer that must be quick may store a blob with its SHA-256 and size only — the opening's
workers, where the MD5 was a quarter of their CPU while the committee waits — and leave the MD5
empty. It is taken here, from the stored bytes, by a job after the commit and every minute
(``lpse.core.storage_tasks.complete_md5``), so a blob whose job was lost gets it at the next run. The
SHA-256 is taken again in the same pass: an MD5 is written only for bytes that are still the
blob's own.
"""

from __future__ import annotations

import logging

from lpse.core.hashing import fingerprint_stream
from lpse.core.models import Blob
from lpse.core.storage.backends import StorageUnavailable
from lpse.core.storage.files import open_stored

log = logging.getLogger(__name__)


def blobs_awaiting_md5():
    return Blob.objects.filter(md5="")


def complete_md5(*, limit: int = 500) -> int:
    """Give up to ``limit`` blobs stored without an MD5 their MD5; returns how many. A blob
    missing from the store or no longer matching its SHA-256 is left as it is and logged (the
    storage check, ``lpse check``, names it too); a store that does not answer ends the run,
    for the next one to go on."""
    done = 0
    for sha256 in list(blobs_awaiting_md5().values_list("sha256", flat=True)[:limit]):
        try:
            with open_stored(sha256) as stored:
                fingerprint = fingerprint_stream(stored)
        except FileNotFoundError:
            log.error("blob %s is not in the store: its MD5 cannot be taken", sha256)
            continue
        except StorageUnavailable as exc:
            log.warning("MD5s not taken now, the store does not answer: %s", exc)
            break
        if fingerprint.sha256 != sha256:
            log.error("blob %s no longer matches its SHA-256: no MD5 written for it", sha256)
            continue
        done += Blob.objects.filter(sha256=sha256, md5="").update(md5=fingerprint.md5)
    return done
