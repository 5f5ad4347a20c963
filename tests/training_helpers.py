"""Helpers of the training tests (R-2.2): a request at each step of annex 2.4, and the text of a
PDF the system produced (no PDF reader is in the lock: fpdf2's pages are zlib streams whose text
is in ``(...) Tj`` operators, which is all a check of the letters needs)."""

from __future__ import annotations

import re
import zlib
from datetime import date, datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from lpse.accounts.models import Agency
from lpse.core.calendar import WITA
from lpse.training.models import Audience, Room, TrainingRequest
from lpse.training.services import requests as services

# Monday 3 August 2026, 08:00 WITA: the clock of the rule tests. That week: Wednesday 5 and
# Thursday 6 for providers, Friday 7 for agencies; Monday 17 August is Independence Day.
NOW = datetime(2026, 8, 3, 8, 0, tzinfo=WITA)
LETTER = b"%PDF-1.4\n% Surat permohonan pelatihan SPSE\n%%EOF\n"


def at(day: int, hour: int, minute: int = 0, month: int = 8) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


def register(
    helpdesk,
    *,
    audience: str = Audience.AGENCY_STAFF,
    agency: str = "DISDIK",
    number: str = "005/123/DISDIK/VII/2026",
    expected: int = 12,
    email: str = "sekretariat@disdik.test",
) -> TrainingRequest:
    return services.request_register(
        actor=helpdesk,
        data=services.RequestData(
            agency=Agency.objects.get(code=agency),
            letter_number=number,
            letter_date=date(2026, 7, 30),
            audience=audience,
            topic="Penggunaan SPSE untuk PPK dan Pokja"
            if audience == Audience.AGENCY_STAFF
            else "Pendaftaran dan penawaran di SPSE",
            participants_expected=expected,
            contact_name="Andi Nurhayati",
            contact_phone="0411-371111",
            contact_email=email,
        ),
        letter=SimpleUploadedFile("surat-permohonan.pdf", LETTER, "application/pdf"),
    )


def confirm(helpdesk, request: TrainingRequest, start: datetime, end: datetime):
    return services.request_confirm(
        actor=helpdesk,
        request=request,
        confirmed_with="Andi Nurhayati (Sekretaris)",
        agreed_start=start,
        agreed_end=end,
    )


def confirmed(helpdesk, start: datetime, end: datetime, **kwargs) -> TrainingRequest:
    return confirm(helpdesk, register(helpdesk, **kwargs), start, end)


def room(name: str = "Ruang Pelatihan LPSE", capacity: int = 20) -> Room:
    found, _ = Room.objects.update_or_create(
        name=name, defaults={"capacity": capacity, "active": True}
    )
    return found


_LITERAL = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj")
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)


def _unescape(raw: bytes) -> str:
    def one(match: re.Match) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(code, code)

    return _ESCAPE.sub(one, raw).decode("latin-1")


def _inflate(raw: bytes) -> bytes:
    """A stream's bytes, inflated when compressed. The pattern above cannot tell a last data
    byte of 0x0D from the CR of a CR LF before ``endstream``: with such a byte cut off the
    stream is truncated, so it is tried again with the CR put back (CI failed once on this,
    one compressed stream in 256)."""
    for candidate in (raw, raw + b"\r"):
        try:
            return zlib.decompress(candidate)
        except zlib.error:
            continue
    return raw


def pdf_text(data: bytes) -> str:
    """The text drawn on the pages of a PDF made by fpdf2, one line per text operator. Fails
    unless the bytes are a whole PDF (header, cross-reference table, end marker)."""
    assert data.startswith(b"%PDF-1."), data[:20]
    assert b"xref" in data and data.rstrip().endswith(b"%%EOF"), "not a complete PDF"
    lines = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        content = _inflate(stream.group(1))
        lines += [_unescape(m.group(1)) for m in _LITERAL.finditer(content)]
    return "\n".join(lines)


def pdf_title(data: bytes) -> str:
    match = re.search(rb"/Title \(((?:\\.|[^\\)])*)\)", data)
    return _unescape(match.group(1)) if match else ""
