"""Letters and forms as PDF (fpdf2, pure Python), in one house style."""

from __future__ import annotations

import re
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
        _paragraph(pdf, _latin1(paragraph), 5.5)
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


def _paragraph(pdf: FPDF, text: str, line_height: float) -> None:
    """A paragraph wrapped at word boundaries, one ``cell`` a line. fpdf2's ``multi_cell``
    measures the line again for every character it adds: an opening's berita acara of 100
    bids spent a fifth of a second there, after the last bid, with the committee waiting."""
    width = pdf.w - pdf.l_margin - pdf.r_margin
    space = pdf.get_string_width(" ")
    lines: list[str] = []
    for given in text.split("\n"):  # a line break the text asks for stays one
        words: list[str] = []
        used = 0.0
        for word in given.split():
            word_width = pdf.get_string_width(word)
            if word_width > width:  # a word longer than a line: fpdf2 breaks it inside
                pdf.multi_cell(0, line_height, text, new_x="LMARGIN", new_y="NEXT")
                return
            if words and used + space + word_width > width:
                lines.append(" ".join(words))
                words, used = [], 0.0
            used += (space if words else 0.0) + word_width
            words.append(word)
        lines.append(" ".join(words))
    for line in lines:
        pdf.cell(0, line_height, line, new_x="LMARGIN", new_y="NEXT")


# --- an appendix added to a finished PDF -----------------------------------------------------
# A stored report is kept, hashed and logged as issued; the log proof it carries on the
# way out cannot be inside those bytes (it names their hash). So the appendix is a PDF
# *incremental update*: new pages and an attached file written after the original bytes, which
# stay a byte-exact prefix anyone can hash. Hand-written because fpdf2 cannot edit a PDF, and it
# only has to read what fpdf2 writes: a classic xref table, a catalogue and a page tree.

APPENDIX_FONT_SIZE = 7  # Courier: 4.2 pt a character, so a line's width is known by its length
_LINE_CHARS = 118
_LINES_PER_PAGE = 84
_ATTACHMENT_HEAD = b"<< /Type /EmbeddedFile /Subtype /application#2Fjson /Length %d >>\nstream\n"
ATTACHMENT_PATTERN = re.compile(
    rb"/Type /EmbeddedFile /Subtype /application#2Fjson /Length (\d+) >>\nstream\n"
)


class PdfAppendError(ValueError):
    """The PDF is not one an appendix can be added to (not written by fpdf2 or this module)."""


def _pdf_string(text: str) -> bytes:
    raw = _latin1(text).encode("latin-1")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _wrapped(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        while len(line) > _LINE_CHARS:
            out.append(line[:_LINE_CHARS])
            line = " " * (indent + 2) + line[_LINE_CHARS:]
        out.append(line)
    return out


def _page_content(lines: list[str]) -> bytes:
    """Text lines top down; a line starting with "# " is a heading in bold."""
    ops = [b"BT 42.52 800 Td 9 TL"]
    for line in lines:
        font = b"/LPB 8 Tf" if line.startswith("# ") else b"/LPR %d Tf" % APPENDIX_FONT_SIZE
        ops.append(font + b" " + _pdf_string(line.removeprefix("# ")) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def _xref_offsets(pdf: bytes) -> tuple[dict[int, int], bytes, int]:
    """Object offsets of every xref section (the newest wins), the newest trailer, its offset."""
    found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf[-256:])
    if found is None:
        raise PdfAppendError("no startxref at the end")
    start = position = int(found[1])
    offsets: dict[int, int] = {}
    newest_trailer = b""
    seen = set()
    while position not in seen:
        seen.add(position)
        if not pdf.startswith(b"xref", position):
            raise PdfAppendError("not a classic xref table")
        trailer_at = pdf.find(b"trailer", position)
        tokens = pdf[position + 4 : trailer_at].split()
        i = 0
        while i + 1 < len(tokens):
            first, count = int(tokens[i]), int(tokens[i + 1])
            i += 2
            for n in range(count):
                offset, _gen, kind = tokens[i : i + 3]
                i += 3
                if kind == b"n":
                    offsets.setdefault(first + n, int(offset))
        trailer = pdf[trailer_at : pdf.find(b"startxref", trailer_at)]
        newest_trailer = newest_trailer or trailer
        previous = re.search(rb"/Prev (\d+)", trailer)
        if previous is None:
            break
        position = int(previous[1])
    return offsets, newest_trailer, start


def _object(pdf: bytes, offsets: dict[int, int], number: int) -> bytes:
    """The dictionary of object ``number`` (one without a stream)."""
    if number not in offsets:
        raise PdfAppendError(f"object {number} is not in the xref table")
    found = re.match(rb"\s*%d 0 obj\s*(<<.*?>>)\s*endobj" % number, pdf[offsets[number] :], re.S)
    if found is None:
        raise PdfAppendError(f"object {number} is not a dictionary")
    return found[1]


def _ref(dictionary: bytes, key: bytes) -> int:
    found = re.search(rb"/" + key + rb"\s+(\d+) 0 R", dictionary)
    if found is None:
        raise PdfAppendError(f"no /{key.decode()} reference")
    return int(found[1])


def append_pages(pdf: bytes, lines: list[str], *, attachment: tuple[str, bytes]) -> bytes:
    """``pdf`` unchanged, then an incremental update: pages printing ``lines`` (Courier) at the
    end of the document and ``attachment`` (name, JSON bytes) as an embedded file. The same
    input gives the same bytes (nothing depends on the clock), so a copy can be re-derived from
    its prefix and attachment and compared (``core.documents``)."""
    offsets, trailer, previous_xref = _xref_offsets(pdf)
    size_match = re.search(rb"/Size (\d+)", trailer)
    if size_match is None:
        raise PdfAppendError("the trailer has no /Size")
    root = _ref(trailer, b"Root")
    catalog = _object(pdf, offsets, root)
    if b"/Names" in catalog:
        raise PdfAppendError("the catalogue already names attachments")
    pages_number = _ref(catalog, b"Pages")
    pages = _object(pdf, offsets, pages_number)
    kids = re.search(rb"/Kids\s*\[(.*?)\]", pages, re.S)
    count = re.search(rb"/Count (\d+)", pages)
    if kids is None or count is None:
        raise PdfAppendError("the page tree has no /Kids or /Count")

    next_number = int(size_match[1])
    written: dict[int, bytes] = {}

    def new(body: bytes) -> int:
        nonlocal next_number
        next_number += 1
        written[next_number - 1] = body
        return next_number - 1

    regular = new(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"
    )
    bold = new(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding >>"
    )
    resources = b"<< /Font << /LPR %d 0 R /LPB %d 0 R >> >>" % (regular, bold)
    wrapped = _wrapped(lines)
    new_pages = []
    for first in range(0, max(len(wrapped), 1), _LINES_PER_PAGE):
        content = _page_content(wrapped[first : first + _LINES_PER_PAGE])
        stream = new(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        new_pages.append(
            new(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595.28 841.89] /Resources %s "
                b"/Contents %d 0 R >>" % (pages_number, resources, stream)
            )
        )
    name, data = attachment
    embedded = new(_ATTACHMENT_HEAD % len(data) + data + b"\nendstream")
    filespec = new(
        b"<< /Type /Filespec /F %s /UF %s /EF << /F %d 0 R >> >>"
        % (_pdf_string(name), _pdf_string(name), embedded)
    )
    refs = b" ".join(b"%d 0 R" % n for n in new_pages)
    # The page tree's own keys, in whatever order they come: the appendix pages go last.
    grown = pages.replace(kids[0], b"/Kids [" + kids[1].strip() + b" " + refs + b"]", 1)
    written[pages_number] = grown.replace(
        count[0], b"/Count %d" % (int(count[1]) + len(new_pages)), 1
    )
    names = b"/Names << /EmbeddedFiles << /Names [%s %d 0 R] >> >>" % (_pdf_string(name), filespec)
    written[root] = catalog[:-2].rstrip() + b"\n" + names + b"\n>>"
    return _update(pdf, written, trailer, previous_xref, next_number)


def _update(
    pdf: bytes, objects: dict[int, bytes], trailer: bytes, previous: int, size: int
) -> bytes:
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    at: dict[int, int] = {}
    for number in sorted(objects):
        at[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    out += b"xref\n"
    numbers = sorted(at)
    run_start = 0
    for i in range(1, len(numbers) + 1):  # one subsection per run of consecutive numbers
        if i == len(numbers) or numbers[i] != numbers[i - 1] + 1:
            run = numbers[run_start:i]
            out += b"%d %d\n" % (run[0], len(run))
            out += b"".join(b"%010d 00000 n \n" % at[n] for n in run)
            run_start = i
    extra = b"".join(
        found[0] + b" "
        for found in (
            re.search(rb"/Info \d+ 0 R", trailer),
            re.search(rb"/ID\s*\[[^\]]*\]", trailer),
        )
        if found is not None
    )
    out += b"trailer\n<< /Size %d /Root %d 0 R %s/Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        _ref(trailer, b"Root"),
        extra,
        previous,
        xref,
    )
    return bytes(out)


def attached_json(pdf: bytes) -> bytes | None:
    """The JSON file the last appendix attached (``append_pages``), or None."""
    matches = list(ATTACHMENT_PATTERN.finditer(pdf))
    if not matches:
        return None
    last = matches[-1]  # a later update's attachment supersedes an earlier one
    return pdf[last.end() : last.end() + int(last[1])]
