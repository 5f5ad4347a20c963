"""The purchase order (Surat Perintah Kerja, SPK) of a non-tender procurement as PDF, in
Indonesian like every letter this LPSE issues."""

from __future__ import annotations

from lpse.core.calendar import to_wita
from lpse.core.pdf import PdfForm, render_form


def _rupiah(value) -> str:
    return "Rp " + f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def purchase_order_pdf(*, procurement, company, price, officer, at) -> bytes:
    package = procurement.package
    return render_form(
        PdfForm(
            title="Surat Perintah Kerja (SPK)",
            subtitle=f"{procurement.get_method_display()} {procurement.code}",
            rows=[
                ("Paket", package.name),
                ("Tahun anggaran", str(package.fiscal_year)),
                ("Lokasi", package.location),
                ("Penyedia", f"{company.name} (NPWP {company.npwp})"),
                ("Nilai", _rupiah(price)),
                ("HPS", _rupiah(package.owner_estimate)),
                ("PPK", package.ppk.get_full_name() or package.ppk.username),
                ("Pejabat Pengadaan", officer.get_full_name() or officer.username),
                ("Tanggal", f"{to_wita(at):%d-%m-%Y %H:%M} WITA"),
            ],
            paragraphs=[
                "Penyedia tersebut di atas diperintahkan melaksanakan pekerjaan paket ini dengan "
                "nilai yang disepakati dalam klarifikasi dan negosiasi harga.",
            ],
            signature_label="Pejabat Pengadaan",
            signature_name=officer.get_full_name() or officer.username,
        )
    )
