"""Paragraphs of the house-style PDFs (core.pdf): wrapped at words within the page, every word
kept in order, the text's own line breaks kept (R-8.4's berita acara lists every bid this way)."""

from __future__ import annotations

import itertools

from fpdf import FPDF

from lpse.core.pdf import _paragraph


def _lines_of(text: str) -> tuple[FPDF, list[str]]:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", "", 10)
    lines: list[str] = []
    pdf.cell = lambda w, h, txt, **kw: lines.append(txt)  # type: ignore[method-assign]
    _paragraph(pdf, text, 5.5)
    return pdf, lines


def test_a_long_paragraph_is_wrapped_within_the_page_and_keeps_every_word():
    text = " ".join(
        f"{n}. PT Penyedia {n} (NPWP 01.234.567.8-901.000), SHA-256 {'ab' * 32}." for n in range(5)
    )
    pdf, lines = _lines_of(text)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    assert len(lines) > 3
    assert all(pdf.get_string_width(line) <= width for line in lines)
    assert " ".join(lines).split() == text.split()
    # Greedy: the next line's first word would not have fitted on the line before.
    for line, following in itertools.pairwise(lines):
        first = following.split()[0]
        assert pdf.get_string_width(f"{line} {first}") > width


def test_the_texts_own_line_breaks_stay():
    _pdf, lines = _lines_of("Maros, 07-12-2026\nKelompok Kerja Pemilihan\n\n(Andi)")
    assert lines == ["Maros, 07-12-2026", "Kelompok Kerja Pemilihan", "", "(Andi)"]
