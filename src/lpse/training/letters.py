"""The letters of annex 2.4 as PDF: the reply to the SKPD (step 4–5) and the trainer's
*surat tugas* (step 6). Official letters, so always in Indonesian, whatever the reader's
language; dates and times in WITA."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings

from lpse.core.calendar import to_wita
from lpse.core.mail import site_url
from lpse.core.pdf import PdfForm, render_form
from lpse.training.models import Audience, TrainingSession

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
AUDIENCE_ID = {
    Audience.PROVIDERS: "Penyedia barang/jasa",
    Audience.AGENCY_STAFF: "Admin Agency, PPK dan Pokja/Panitia",
}


def tanggal(day: date) -> str:
    """``7 Agustus 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def hari_tanggal(day: date) -> str:
    """``Jumat, 7 Agustus 2026``."""
    return f"{DAYS[day.weekday()]}, {tanggal(day)}"


def waktu(start: datetime, end: datetime) -> str:
    """``09.00–12.00 WITA`` (the Indonesian way of writing hours)."""
    return f"{to_wita(start):%H.%M}–{to_wita(end):%H.%M} WITA"


def registration_url(session: TrainingSession) -> str:
    return site_url("training:self_register", session.registration_token)


def _name(user) -> str:
    return user.get_full_name() or user.username


def _common_rows(session: TrainingSession) -> list[tuple[str, str]]:
    request = session.request
    return [
        ("Materi pelatihan", request.topic),
        ("Peserta", f"{AUDIENCE_ID[Audience(request.audience)]} ({request.agency.name})"),
        ("Hari, tanggal", hari_tanggal(to_wita(session.start).date())),
        ("Waktu", waktu(session.start, session.end)),
        ("Tempat", session.room.name),
    ]


def _footer(session: TrainingSession, kind: str) -> str:
    return (
        f"{kind} dibuat oleh {settings.LPSE_SITE_NAME} untuk permohonan pelatihan "
        f"#{session.request_id}. Sidik jari SHA-256 dan MD5 berkas ini ditampilkan pada "
        "halaman pelatihan."
    )


def reply_letter_pdf(session: TrainingSession) -> bytes:
    """Surat jawaban atas permohonan pelatihan dari SKPD (annex 2.4, steps 4–5)."""
    request = session.request
    rows = [
        ("Nomor", session.reply_number),
        ("Perihal", "Jawaban atas permohonan pelatihan aplikasi SPSE"),
        ("Kepada", f"Kepala {request.agency.name}"),
        (
            "Menjawab surat",
            f"Nomor {request.letter_number} tanggal {tanggal(request.letter_date)}",
        ),
        *_common_rows(session),
        ("Pelatih", _name(session.trainer)),
        ("Kapasitas ruang", f"{session.room.capacity} orang"),
        ("Pendaftaran peserta", registration_url(session)),
    ]
    return render_form(
        PdfForm(
            title="Surat Jawaban Permohonan Pelatihan",
            subtitle=f"Nomor: {session.reply_number}",
            rows=rows,
            paragraphs=[
                f"Menindaklanjuti surat permohonan pelatihan dari {request.agency.name} dan "
                f"konfirmasi melalui telepon dengan {request.confirmed_with or request.contact_name}, "
                "dengan hormat kami sampaikan bahwa pelatihan penggunaan aplikasi SPSE "
                "dijadwalkan sebagaimana tersebut di atas.",
                "Peserta mendaftar melalui alamat pendaftaran di atas sebelum pelatihan dimulai. "
                "Pelatihan menggunakan lingkungan pelatihan (sandbox) berisi data contoh, bukan "
                "data produksi SPSE.",
                "Demikian disampaikan, atas perhatian dan kerja samanya diucapkan terima kasih.",
            ],
            signature_label="Kepala LPSE",
            signature_name=_name(session.scheduled_by),
            footer=_footer(session, "Surat jawaban"),
        )
    )


def assignment_letter_pdf(session: TrainingSession) -> bytes:
    """Surat tugas: the head of LPSE assigns the trainer (annex 2.4, step 6)."""
    request = session.request
    trainer = session.trainer
    rows = [
        ("Nama", _name(trainer)),
        ("NIP", trainer.employee_number or "-"),
        ("Jabatan", "Pelatih (Trainer) LPSE"),
        (
            "Dasar",
            f"Surat permohonan {request.agency.name} nomor {request.letter_number} tanggal "
            f"{tanggal(request.letter_date)}; surat jawaban nomor {session.reply_number}",
        ),
        *_common_rows(session),
        ("Lingkungan aplikasi", "Lingkungan pelatihan (sandbox), bukan data produksi"),
    ]
    return render_form(
        PdfForm(
            title="Surat Tugas",
            subtitle=f"Nomor: {session.assignment_number}",
            rows=rows,
            paragraphs=[
                f"Kepala LPSE menugaskan Saudara {_name(trainer)} untuk melaksanakan pelatihan "
                "penggunaan aplikasi SPSE sebagaimana tersebut di atas, mengonfirmasi kehadiran "
                "peserta, mencatat daftar hadir, dan melaporkan pelaksanaannya.",
                "Demikian surat tugas ini dibuat untuk dilaksanakan dengan penuh tanggung jawab.",
            ],
            signature_label="Kepala LPSE",
            signature_name=_name(session.scheduled_by),
            footer=_footer(session, "Surat tugas"),
        )
    )
