from __future__ import annotations

from datetime import datetime

from lpse.bids.models import Bid
from lpse.core.calendar import to_wita
from lpse.core.pdf import PdfForm, render_form


def receipt_pdf(bid: Bid) -> bytes:
    r = bid.receipt
    received = to_wita(datetime.fromisoformat(r["received_at"]))
    return render_form(
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
            ],
        )
    )
