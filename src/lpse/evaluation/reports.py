"""Berita acara hasil pemilihan: the winner determination or the failure, as PDF."""

from __future__ import annotations

from lpse.core.calendar import to_wita
from lpse.core.pdf import PdfForm, render_form

# The report is an Indonesian document whatever the committee's interface language.
QUALIFICATION_WORDS = {"pass": "lulus", "fail": "gugur", "pending": "belum dievaluasi"}


def outcome_report_pdf(*, tender, state, winner, reason, ranked, at) -> bytes:
    rows = [
        ("Kode tender", tender.code),
        ("Nama paket", tender.package.name),
        ("HPS", f"Rp {tender.package.owner_estimate:,.2f}"),
        ("Waktu penetapan", f"{to_wita(at):%d-%m-%Y %H:%M:%S} WITA"),
    ]
    if winner is not None:
        rows.append(("Pemenang", f"{winner.company.name} (NPWP {winner.company.npwp_display})"))
    else:
        rows.append(("Hasil", f"Tender gagal: {reason}"))
    paragraphs = [
        "Peringkat penawaran yang memenuhi syarat administrasi, teknis, dan harga "
        "(harga terkoreksi terendah; bila sama, penawaran yang diterima lebih dahulu):"
    ]
    for entry in ranked:
        bid = entry.evaluation.opened_bid.bid
        paragraphs.append(
            f"{entry.position}. {bid.company.name}: Rp {entry.price:,.2f}; "
            f"kualifikasi: {QUALIFICATION_WORDS.get(entry.qualification, entry.qualification)}"
        )
    title = "Berita Acara Hasil Pemilihan" if winner else "Berita Acara Tender Gagal"
    return render_form(
        PdfForm(
            title=title,
            subtitle=tender.code,
            rows=rows,
            paragraphs=paragraphs,
            signature_label="Kelompok Kerja Pemilihan",
        )
    )


# The award letter is stored when issued and its SHA-256 recorded in the award's event
# (``services.award``); served, it carries that event's log proof (R-9.8, ``core.documents``).


def award_letter_pdf(*, outcome, number: str, value, ppk, at) -> bytes:
    """SPPBJ: the PPK appoints the winner to carry out the package at the evaluated price."""
    tender, company = outcome.tender, outcome.winner.company
    return render_form(
        PdfForm(
            title="Surat Penunjukan Penyedia Barang/Jasa (SPPBJ)",
            subtitle=f"Nomor {number}",
            rows=[
                ("Kode tender", tender.code),
                ("Nama paket", tender.package.name),
                ("Penyedia", f"{company.name} (NPWP {company.npwp_display})"),
                ("Alamat", f"{company.address}, {company.city}"),
                ("Nilai penawaran terkoreksi", f"Rp {value:,.2f}"),
                ("Tanggal", f"{to_wita(at):%d-%m-%Y %H:%M} WITA"),
            ],
            paragraphs=[
                "Berdasarkan penetapan pemenang oleh Kelompok Kerja Pemilihan dan setelah masa "
                "sanggah berakhir dengan seluruh sanggahan dijawab, dengan ini Saudara ditunjuk "
                "untuk melaksanakan pekerjaan tersebut di atas dan diminta menandatangani kontrak "
                "sesuai jadwal.",
            ],
            signature_label="Pejabat Pembuat Komitmen",
            signature_name=ppk.get_full_name() or ppk.username,
        )
    )
