"""The two forms of R-1.2, filled with what is known (blank when nothing is)."""

from __future__ import annotations

from lpse.core.pdf import PdfForm, render_form
from lpse.providers.models import Company

FORM_KINDS = ("pendaftaran", "keikutsertaan")


def _company_rows(company: Company | None) -> list[tuple[str, str]]:
    c = company
    return [
        ("Bentuk usaha", c.get_legal_form_display() if c else ""),
        ("Nama perusahaan", c.name if c else ""),
        ("NPWP", c.npwp_display if c else ""),
        ("NIB / SIUP", c.nib if c else ""),
        ("Alamat", f"{c.address}, {c.city}" if c else ""),
        ("Telepon", c.phone if c else ""),
        ("E-mail perusahaan", c.email if c else ""),
        ("Nama direktur", c.director_name if c else ""),
        ("Bidang / sub-bidang usaha", "; ".join(str(s) for s in c.sub_fields.all()) if c else ""),
        ("User ID", c.user.username if c else ""),
    ]


def registration_form_pdf(company: Company | None) -> bytes:
    return render_form(
        PdfForm(
            title="Formulir Pendaftaran Penyedia Barang/Jasa",
            subtitle="Layanan Pengadaan Secara Elektronik (LPSE)",
            rows=_company_rows(company),
            paragraphs=[
                "Dengan ini kami mendaftarkan perusahaan kami sebagai pengguna SPSE. Kami menyatakan "
                "bahwa data di atas benar dan bahwa alamat e-mail di atas aktif dan dikuasai oleh "
                "perusahaan kami.",
                "Formulir ini dibawa bersama dokumen asli perusahaan kepada verifikator LPSE pada hari "
                "kerja pukul 09.00-15.00 WITA, paling lambat 7 (tujuh) hari kerja sejak pendaftaran.",
            ],
            signature_label="Direktur / Pimpinan Perusahaan",
            signature_name=company.director_name if company else "",
        )
    )


def participation_form_pdf(company: Company | None) -> bytes:
    return render_form(
        PdfForm(
            title="Formulir Keikutsertaan",
            subtitle="Pernyataan keikutsertaan dalam pengadaan secara elektronik",
            rows=_company_rows(company)[:8],
            paragraphs=[
                "Kami menyatakan bersedia mengikuti pengadaan barang/jasa secara elektronik melalui "
                "LPSE, tunduk pada ketentuan penggunaan SPSE, menjaga kerahasiaan User ID dan kata "
                "sandi kami, serta bertanggung jawab atas seluruh transaksi yang dilakukan dengan "
                "User ID kami.",
                "Kami menyadari bahwa penyalahgunaan hak akses dapat dikenai sanksi sesuai peraturan "
                "perundang-undangan yang berlaku.",
            ],
            signature_label="Direktur / Pimpinan Perusahaan",
            signature_name=company.director_name if company else "",
        )
    )


def form_pdf(kind: str, company: Company | None) -> bytes:
    return (
        registration_form_pdf(company) if kind == "pendaftaran" else participation_form_pdf(company)
    )
