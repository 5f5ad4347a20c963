"""Letters and forms as PDF (fpdf2, pure Python), in one house style."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF

from lpse.core.calendar import to_wita
from lpse.core.signing import fingerprint

_REPLACEMENTS = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "•": "-"}


def _latin1(text: str) -> str:
    """The PDF core fonts are Latin-1: map typographic characters, drop the rest visibly."""
    for char, plain in _REPLACEMENTS.items():
        text = text.replace(char, plain)
    return text.encode("latin-1", "replace").decode("latin-1")


@dataclass
class PdfForm:
    title: str
    subtitle: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    signature_label: str = ""
    signature_name: str = ""
    footer: str = ""


def render_form(doc: PdfForm) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(doc.title))
    pdf.set_author(_latin1(settings.LPSE_SITE_NAME))
    pdf.set_creation_date(timezone.now())
    pdf.add_page()
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(
        0, 6, _latin1(settings.LPSE_SITE_NAME.upper()), new_x="LMARGIN", new_y="NEXT", align="C"
    )
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 9, _latin1(doc.title.upper()), new_x="LMARGIN", new_y="NEXT", align="C")
    if doc.subtitle:
        pdf.set_font("helvetica", "", 10)
        pdf.cell(0, 6, _latin1(doc.subtitle), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)
    pdf.set_font("helvetica", "", 10)
    for label, value in doc.rows:
        pdf.set_font("helvetica", "B", 10)
        pdf.cell(60, 7, _latin1(label), border="B")
        pdf.set_font("helvetica", "", 10)
        pdf.multi_cell(0, 7, _latin1(value or "." * 60), border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for paragraph in doc.paragraphs:
        pdf.multi_cell(0, 5.5, _latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if doc.signature_label:
        pdf.ln(6)
        place_date = f"Maros, {to_wita(timezone.now()):%d-%m-%Y}"
        pdf.set_x(120)
        pdf.multi_cell(
            0,
            5.5,
            _latin1(
                f"{place_date}\n{doc.signature_label}\n\n\n\n({doc.signature_name or '.' * 40})"
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.set_auto_page_break(False)  # the footers sit in the bottom margin, on the last page
    if doc.footer:
        pdf.set_y(-32)
        pdf.set_font("helvetica", "I", 8)
        pdf.multi_cell(0, 4, _latin1(doc.footer))
    # how to check this copy. The signature itself is detached (a .sig beside the file):
    # written in here it would change the bytes it signs.
    pdf.set_y(-18)
    pdf.set_font("helvetica", "", 7)
    pdf.multi_cell(
        0,
        3.5,
        _latin1(
            f"Dokumen elektronik {settings.LPSE_SITE_NAME}, ditandatangani secara elektronik. "
            f"Periksa keasliannya di {settings.LPSE_BASE_URL}/verifikasi-dokumen/ . "
            f"Sidik jari kunci LPSE (SHA-256): {fingerprint()}"
        ),
    )
    return bytes(pdf.output())
