"""What the server room tells and prints (R-4.2): the e-mails on a request and a decision, the
end-of-day alert for visitors still inside, and the visitor log of a period as a signed PDF.

The PDF is an Indonesian document whatever the reader's interface language, as the other
letters and reports are. Its issue is an audit event recording its SHA-256, and the file handed
out carries that event's log proof (R-9.8); the view signs it on the way out (R-7.4), so a copy
is checked at /verifikasi-dokumen/.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lpse.accounts.selectors import users_with_capability
from lpse.core import audit
from lpse.core.calendar import WITA, to_wita, wita_text
from lpse.core.capabilities import Cap, require_capability
from lpse.core.documents import issued_with_proof
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.pdf import PdfForm, render_form
from lpse.core.tasks import mail_each
from lpse.operations.models import AccessPermit, PermitState, ServerRoomVisit

# A period longer than this is a different document (an annual archive), not a log print-out.
LONGEST_PERIOD_DAYS = 366


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "-"


def holders_of(capability: str):
    """The active accounts with an e-mail address whose roles give ``capability``."""
    return users_with_capability(capability).exclude(email="")


def request_mail(permit) -> None:
    """Tell the approvers a permit waits for their decision."""
    who = permit.requested_by

    def compose(_to: str) -> tuple[str, str]:
        subject = _("Server room: permit #%(n)s asked for") % {"n": permit.pk}
        body = "\n".join(
            [
                _("%(who)s asks for access to the server room.") % {"who": _name(who)},
                _("Purpose: %(purpose)s") % {"purpose": permit.purpose},
                _("From %(start)s until %(end)s")
                % {"start": wita_text(permit.valid_from), "end": wita_text(permit.valid_until)},
                _("Visitors:"),
                *[f"- {v.name}, {v.organisation} ({v.id_number})" for v in permit.visitors.all()],
                "",
                _("Approve or refuse it: %(url)s")
                % {"url": site_url("operations:server_room_permit", permit.pk)},
            ]
        )
        return subject, body

    # One message each, sent on commit, in the site's language (mail_each).
    mail_each(holders_of(Cap.APPROVE_SERVER_ROOM_ACCESS), compose)


def decision_mail(permit) -> None:
    """Tell the requester the decision, and the reason of a refusal."""

    def compose(_to: str) -> tuple[str, str]:
        if permit.state == PermitState.APPROVED:
            subject = _("Server room: permit #%(n)s approved") % {"n": permit.pk}
            lead = _("Your permit is approved, from %(start)s until %(end)s.") % {
                "start": wita_text(permit.valid_from),
                "end": wita_text(permit.valid_until),
            }
        else:
            subject = _("Server room: permit #%(n)s refused") % {"n": permit.pk}
            lead = _("Your permit is refused.")
        lines = [lead]
        if permit.decision_reason:
            lines.append(_("Reason: %(reason)s") % {"reason": permit.decision_reason})
        lines += [
            _("Decided by %(who)s.") % {"who": _name(permit.decided_by)},
            site_url("operations:server_room_permit", permit.pk),
        ]
        return subject, "\n".join(lines)

    mail_each([permit.requested_by], compose)


def period_visits(start: date, end: date):
    """The visits that began from ``start`` to ``end`` (both included, WITA days), oldest first."""
    since = datetime.combine(start, time.min, tzinfo=WITA)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=WITA)
    return (
        ServerRoomVisit.objects.filter(checked_in_at__gte=since, checked_in_at__lt=until)
        .select_related(
            "visitor", "permit__decided_by", "escort", "checked_in_by", "checked_out_by"
        )
        .order_by("checked_in_at", "pk")
    )


def _log_pdf(visits: list[ServerRoomVisit], start: date, end: date, actor) -> bytes:
    rows = [
        ("Periode", f"{start:%d-%m-%Y} s.d. {end:%d-%m-%Y} (WITA)"),
        ("Jumlah kunjungan", str(len(visits))),
        ("Dicetak oleh", _name(actor)),
        ("Waktu cetak", wita_text(timezone.now())),
    ]
    paragraphs = ["Buku tamu ruang server (Pasal 11 ayat (4)): setiap kunjungan dengan izinnya."]
    for number, visit in enumerate(visits, start=1):
        permit, visitor = visit.permit, visit.visitor
        out = wita_text(visit.checked_out_at) if visit.checked_out_at else "MASIH DI DALAM"
        paragraphs.append(
            f"{number}. {visitor.name} ({visitor.organisation}), no. identitas "
            f"{visitor.id_number}. Keperluan: {visit.purpose}. Izin #{permit.pk} "
            f"({wita_text(permit.valid_from)} - {wita_text(permit.valid_until)}), disetujui "
            f"{_name(permit.decided_by)} pada {wita_text(permit.decided_at)}. Pendamping: "
            f"{_name(visit.escort)}. Masuk: {wita_text(visit.checked_in_at)} "
            f"(dicatat {_name(visit.checked_in_by)}). Keluar: {out}"
            + (f" (dicatat {_name(visit.checked_out_by)})." if visit.checked_out_by else ".")
        )
    if not visits:
        paragraphs.append("Tidak ada kunjungan pada periode ini.")
    return render_form(
        PdfForm(
            title="Buku Tamu Ruang Server",
            subtitle=f"{start:%d-%m-%Y} s.d. {end:%d-%m-%Y}",
            rows=rows,
            paragraphs=paragraphs,
            signature_label="Kepala LPSE",
        )
    )


def visit_log_issue(*, actor, start: date, end: date) -> bytes:
    """The log of ``start``–``end`` as a PDF with the log proof of its issue appended."""
    require_capability(actor, Cap.VIEW_SYSTEM_STATUS)
    if end < start:
        raise DomainError(
            gettext_lazy("The period must end on or after its first day."), field="end"
        )
    if (end - start).days >= LONGEST_PERIOD_DAYS:
        raise DomainError(
            gettext_lazy("Choose a period of at most %(days)s days.")
            % {"days": LONGEST_PERIOD_DAYS},
            field="end",
        )
    with transaction.atomic():
        visits = list(period_visits(start, end))
        data = _log_pdf(visits, start, end, actor)
        event = audit.record(
            actor=actor,
            action="operations.server_room.log_issue",
            data={
                "from": start.isoformat(),
                "to": end.isoformat(),
                "visits": len(visits),
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        )
    return issued_with_proof(data, event, recorded_as="sha256")


def day_end_hour() -> int:
    return int(settings.LPSE_SERVER_ROOM_DAY_END_HOUR)


def last_day_end(now: datetime) -> datetime:
    """The latest end of a working day (the configured hour, WITA) at or before ``now``."""
    local = to_wita(now)
    today = datetime.combine(local.date(), time(day_end_hour()), tzinfo=WITA)
    return today if local >= today else today - timedelta(days=1)


def permits_expire(now: datetime | None = None) -> int:
    """Write down the expiry of permits whose window is over (the checks read the clock
    anyway); part of the periodic job."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            AccessPermit.objects.select_for_update()
            .filter(state__in=[PermitState.REQUESTED, PermitState.APPROVED], valid_until__lte=now)
            .values_list("pk", flat=True)
        )
        if ids:
            AccessPermit.objects.filter(pk__in=ids).update(state=PermitState.EXPIRED)
            audit.record(actor=None, action="operations.server_room.expire", data={"permits": ids})
    return len(ids)


def open_visits_alert(now: datetime | None = None) -> list[int]:
    """The periodic job (every 15 minutes, once per installation): every visit still open at
    the end of the day it began is mailed to the visit recorders and the approvers, once per
    visit. Returns the visits alerted now. Also writes down the expiry of permits."""
    now = now or timezone.now()
    permits_expire(now)
    cutoff = last_day_end(now)
    with transaction.atomic():
        visits = list(
            ServerRoomVisit.objects.select_for_update()
            .filter(
                checked_out_at__isnull=True, open_alerted_at__isnull=True, checked_in_at__lt=cutoff
            )
            .select_related("visitor", "escort")
            .order_by("checked_in_at")
        )
        if not visits:
            return []
        ServerRoomVisit.objects.filter(pk__in=[v.pk for v in visits]).update(open_alerted_at=now)
        for visit in visits:
            audit.record(
                actor=None,
                action="operations.server_room.open_alert",
                obj=visit,
                data={"visitor": visit.visitor.name, "checked_in_at": visit.checked_in_at},
            )

        def compose(_to: str) -> tuple[str, str]:
            subject = _("Server room: visitors still inside after %(hour)02d:00 WITA") % {
                "hour": day_end_hour()
            }
            lines = [_("These visits were not checked out by the end of the day:")]
            for visit in visits:
                lines.append(
                    _("- %(name)s (%(org)s), in since %(since)s, escort %(escort)s")
                    % {
                        "name": visit.visitor.name,
                        "org": visit.visitor.organisation,
                        "since": wita_text(visit.checked_in_at),
                        "escort": _name(visit.escort),
                    }
                )
            lines += [
                "",
                _("Check them out, or find out where they are: %(url)s")
                % {"url": site_url("operations:server_room_log")},
            ]
            return subject, "\n".join(lines)

        recipients = [
            *holders_of(Cap.RECORD_SERVER_ROOM_VISITS),
            *holders_of(Cap.APPROVE_SERVER_ROOM_ACCESS),
        ]
        mail_each(recipients, compose)
    return [v.pk for v in visits]
