"""The escalation package for e-mail to LKPP (R-3.5): one ZIP with

- ``ringkasan.json``: the escalation as data (problem, diagnosis, times, the upload attempts or
  the unopenable bid's fingerprints, the attachments with their SHA-256);
- ``ringkasan.txt``: the same in words, to paste into the e-mail;
- ``ringkasan.pdf``: the same as a letter-like form;
- ``lampiran/…``: the attached files;
- ``SHA256SUMS``: the SHA-256 of every other file (``sha256sum -c SHA256SUMS`` checks it).

It never holds a password, a key or a bid's contents: attachments were checked when attached,
and the summary is checked again here before the package is made.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from lpse.bids.selectors import UPLOAD_KIND, upload_attempts
from lpse.bids.services.unopenable import escalation_package
from lpse.core.calendar import to_wita
from lpse.core.credentials import find_credentials
from lpse.core.errors import DomainError
from lpse.core.pdf import PdfForm, render_form
from lpse.core.storage import open_blob

FORMAT = "lpse-lkpp-escalation-v1"
NO_SECRETS = "Paket ini tidak memuat kata sandi, kunci pembuka, maupun isi dokumen penawaran."
CHUNK = 1024 * 1024


def _iso(moment) -> str | None:
    return to_wita(moment).isoformat() if moment else None


def _upload_problem(problem, until) -> dict:
    attempts = [
        a
        for a in upload_attempts(company=problem.company, tender=problem.tender)
        if until is None or a.created_at <= until
    ]
    return {
        "case": problem.pk,
        "ticket": getattr(getattr(problem, "ticket", None), "number", None),
        "company": problem.company.name,
        "npwp": problem.company.npwp_display,
        "tender": problem.tender.code if problem.tender else None,
        "reported_at": _iso(problem.reported_at),
        "what_the_provider_saw": problem.description,
        "retry_advice": problem.retry_advice or None,
        "retry_failed_note": problem.retry_failed_note or None,
        "upload_attempts": [
            {
                "started_at": _iso(a.created_at),
                "last_activity_at": _iso(a.updated_at),
                "tender": a.tender.code,
                "kind": str(UPLOAD_KIND),
                "user_id": a.user.username,
                "size": a.length,
                "received": a.offset,
                "outcome": a.state,
                "error": a.error or None,
                "client": a.client or None,
            }
            for a in attempts
        ],
    }


def summary(escalation) -> dict:
    data = {
        "format": FORMAT,
        "reference": escalation.reference,
        "from": settings.LPSE_SITE_NAME,
        "source": escalation.source,
        "subject": escalation.subject,
        "problem": escalation.problem,
        "diagnosis": escalation.diagnosis,
        "state": escalation.state,
        "created_at": _iso(escalation.created_at),
        "created_by": escalation.created_by.username,
        "sent_at": _iso(escalation.sent_at),
        "answer": escalation.answer or None,
        "answered_at": _iso(escalation.answered_at),
        "closed_at": _iso(escalation.closed_at),
        "attachments": [
            {
                "file": f"lampiran/{a.filename}",
                "sha256": a.blob.sha256,
                "size": a.blob.size,
                "description": a.description,
            }
            for a in escalation.attachments.select_related("blob")
        ],
        "note": NO_SECRETS,
    }
    if escalation.upload_problem_id:
        data["upload_problem"] = _upload_problem(
            escalation.upload_problem, escalation.upload_problem.escalated_at
        )
    if escalation.unopenable_case_id:
        data["unopenable_bid"] = escalation_package(escalation.unopenable_case)
    return data


def _text(data: dict) -> str:
    lines = [
        "Kepada LKPP,",
        "",
        f"{data['from']} meneruskan permasalahan berikut (Perbup Maros 12/2013, Pasal 9 ayat 3).",
        "",
        f"Nomor      : {data['reference']}",
        f"Perihal    : {data['subject']}",
        f"Dibuat     : {data['created_at']} oleh {data['created_by']}",
        "",
        "Permasalahan:",
        data["problem"],
        "",
        "Diagnosis LPSE:",
        data["diagnosis"],
    ]
    problem = data.get("upload_problem")
    if problem:
        lines += ["", f"Percobaan unggah {problem['company']} (NPWP {problem['npwp']}):"]
        for a in problem["upload_attempts"]:
            lines.append(
                f"- {a['started_at']} {a['tender']} {a['kind']}: {a['received']}/{a['size']} bita, "
                f"{a['outcome']}{' — ' + a['error'] if a['error'] else ''}"
                f"{' (' + a['client'] + ')' if a['client'] else ''}"
            )
        if not problem["upload_attempts"]:
            lines.append("- (tidak ada percobaan unggah yang tercatat)")
    bid = data.get("unopenable_bid")
    if bid:
        lines += [
            "",
            f"Sampul penawaran: tender {bid['tender']}, {bid['envelope']['size']} bita, "
            f"SHA-256 {bid['envelope']['sha256']}",
        ]
    if data["attachments"]:
        lines += ["", "Lampiran (SHA-256):"]
        lines += [f"- {a['file']}: {a['sha256']}" for a in data["attachments"]]
    lines += ["", NO_SECRETS, "Keutuhan berkas dapat diperiksa dengan: sha256sum -c SHA256SUMS", ""]
    return "\n".join(lines)


def _pdf(data: dict) -> bytes:
    rows = [
        ("Nomor", data["reference"]),
        ("Perihal", data["subject"]),
        ("Dibuat", f"{data['created_at']} ({data['created_by']})"),
        ("Dikirim", data["sent_at"] or "-"),
        ("Permasalahan", data["problem"]),
        ("Diagnosis LPSE", data["diagnosis"]),
    ]
    problem = data.get("upload_problem")
    if problem:
        rows.append(("Penyedia", f"{problem['company']} (NPWP {problem['npwp']})"))
        rows.append(("Percobaan unggah", str(len(problem["upload_attempts"]))))
    rows += [(a["file"], a["sha256"]) for a in data["attachments"]]
    return render_form(
        PdfForm(
            title="Eskalasi Permasalahan ke LKPP",
            subtitle=data["reference"],
            rows=rows,
            paragraphs=[NO_SECRETS],
            signature_label="Kepala LPSE",
        )
    )


def build(escalation) -> bytes:
    """The ZIP, made in memory (attachments are limited in size)."""
    data = summary(escalation)
    as_json = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
    # Checked on the plain text too: in JSON a newline is "\n", which hides a sealed key's
    # two-line header from the pattern.
    found = sorted({str(f) for f in find_credentials(as_json) + find_credentials(_text(data))})
    if found:
        raise DomainError(
            _("The package would contain %(what)s: correct the escalation first.")
            % {"what": ", ".join(found)}
        )
    files: list[tuple[str, bytes]] = [
        ("ringkasan.json", as_json.encode()),
        ("ringkasan.txt", _text(data).encode()),
        ("ringkasan.pdf", _pdf(data)),
    ]
    stamp = to_wita(escalation.created_at).timetuple()[:6]
    sums = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(zipfile.ZipInfo(name, stamp), content, zipfile.ZIP_DEFLATED)
            sums.append((name, hashlib.sha256(content).hexdigest()))
        for attachment in escalation.attachments.select_related("blob"):
            name = f"lampiran/{attachment.filename}"
            digest = hashlib.sha256()
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with open_blob(attachment.blob) as source, archive.open(info, "w") as target:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    target.write(chunk)
            sums.append((name, digest.hexdigest()))
        manifest = "".join(f"{digest}  {name}\n" for name, digest in sums)
        archive.writestr(zipfile.ZipInfo("SHA256SUMS", stamp), manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
