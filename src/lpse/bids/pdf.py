"""The bid receipt as PDF (R-9.3) with the log proof of the bid's acceptance (R-9.8)."""

from __future__ import annotations

import logging
from datetime import datetime

from lpse.bids.models import Bid
from lpse.core.calendar import to_wita
from lpse.core.documents import with_event_proof
from lpse.core.log_proof import event_of
from lpse.core.pdf import PdfForm, render_form
from lpse.core.transparency import LogProblem

logger = logging.getLogger(__name__)

# The audit event that accepts a bid (``services.submission``): its log proof goes with the
# receipt, as a sidecar beside the receipt JSON and as the receipt PDF's appendix.
ACCEPTANCE_EVENT = "bid.submit"


_PROOF_NOTE = (
    "Lampiran terakhir memuat bukti bahwa penerimaan penawaran ini tercatat dalam log audit yang "
    "kepalanya ditandatangani dan diterbitkan: peristiwa bid.submit, yang mencatat SHA-256 sampul "
    "di atas."
)


def receipt_pdf(bid: Bid) -> bytes:
    r = bid.receipt
    received = to_wita(datetime.fromisoformat(r["received_at"]))
    event = event_of(action=ACCEPTANCE_EVENT, obj=bid)
    body = render_form(
        PdfForm(
            title="Tanda Terima Penawaran",
            subtitle=f"Tender {r['tender']}",
            rows=[
                ("Nomor penawaran", str(r["bid"])),
                ("Kode tender", r["tender"]),
                ("Penyedia", r["provider"]),
                ("User ID", r["user_id"]),
                ("Diterima (waktu server)", f"{received:%d-%m-%Y %H:%M:%S} WITA"),
                ("Ukuran sampul", f"{r['size']} bita"),
                ("MD5", r["md5"]),
                ("SHA-256", r["sha256"]),
            ],
            paragraphs=[
                "Sampul penawaran di atas diterima dalam keadaan terenkripsi; isinya tidak "
                "dapat dibaca oleh siapa pun sebelum pembukaan oleh Pokja.",
                f"Tanda tangan elektronik (Ed25519): {r['signature']}",
                "Periksa tanda terima ini tanpa menghubungi server dengan: lpse apendo "
                "verify-receipt tanda-terima.json --public-key kunci-lpse.pem (kunci publik di "
                "/api/v1/receipt-key).",
                *([_PROOF_NOTE] if event is not None else []),
            ],
        )
    )
    if event is None:
        return body
    try:
        return with_event_proof(body, event)
    except LogProblem as exc:
        # The receipt itself stands on its own signature; the log's break is for the auditors.
        logger.error("no log proof for the receipt of bid %s: %s", bid.pk, exc)
        return body
