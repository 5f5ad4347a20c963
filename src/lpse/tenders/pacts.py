"""The integrity pact (Pakta Integritas, R-7.3) as a PDF the signer agrees to."""

from __future__ import annotations

from django.utils import timezone

from lpse.core.calendar import to_wita
from lpse.core.pdf import PdfForm, render_form

PACT_TEXT = [
    "Saya yang bertanda tangan di bawah ini, dalam rangka pengadaan barang/jasa ini, menyatakan "
    "bahwa saya:",
    "1. tidak akan melakukan praktik Korupsi, Kolusi, dan Nepotisme (KKN);",
    "2. akan melaporkan kepada pihak yang berwajib/berwenang apabila mengetahui ada indikasi KKN "
    "di dalam proses pengadaan ini;",
    "3. dalam proses pengadaan ini, berjanji akan melaksanakan tugas secara bersih, transparan, dan "
    "profesional untuk memberikan hasil kerja terbaik sesuai ketentuan peraturan "
    "perundang-undangan;",
    "4. apabila melanggar hal-hal yang dinyatakan dalam angka 1, 2 dan/atau 3, bersedia menerima "
    "sanksi sesuai dengan peraturan perundang-undangan.",
]


def pact_pdf(*, tender, signer, signer_role_label: str, company_name: str = "") -> bytes:
    rows = [
        ("Kode tender", tender.code),
        ("Nama paket", tender.package.name),
        ("Satuan kerja", tender.package.agency.name),
        ("Nama", signer.get_full_name() or signer.username),
        ("User ID", signer.username),
        ("Sebagai", signer_role_label),
    ]
    if company_name:
        rows.append(("Perusahaan", company_name))
    rows.append(("Waktu persetujuan", f"{to_wita(timezone.now()):%d-%m-%Y %H:%M:%S} WITA"))
    return render_form(
        PdfForm(
            title="Pakta Integritas",
            subtitle=f"Tender {tender.code}",
            rows=rows,
            paragraphs=PACT_TEXT,
            footer="Ditandatangani secara elektronik melalui SPSE dengan akun User ID di atas "
            "(UU ITE No. 11/2008). Sidik jari dokumen (MD5 dan SHA-256) tercatat pada sistem.",
        )
    )
