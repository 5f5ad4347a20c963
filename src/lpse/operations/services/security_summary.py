"""The daily security summary e-mail (R-4.4), to those who hold ``operations.view_security``:
the last 24 hours in figures, the busiest addresses, and a link to the page. Sent once a day
(the audit log remembers it), also on a quiet day, so that silence is not mistaken for a
broken mailer."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.selectors import users_with_capability
from lpse.core import audit
from lpse.core.capabilities import Cap
from lpse.core.mail import site_url
from lpse.core.models import AuditEvent
from lpse.core.tasks import mail_each
from lpse.operations import security

MAILED = "operations.security.summary_mailed"
TOP = 5


def _body(picture: security.SecurityPicture) -> str:
    totals = picture.totals()
    lines = [
        _("Security summary of the last 24 hours:"),
        "",
        _("Failed sign-ins: %(n)d") % {"n": totals["sign_in_failures"]},
        _("Lock-outs: %(n)d") % {"n": totals["lockouts"]},
        _("Second-factor failures: %(n)d") % {"n": totals["otp_failures"]},
        _("Bursts of refused requests: %(n)d") % {"n": totals["bursts"]},
        _("Uploads refused for malware: %(n)d") % {"n": totals["infected_uploads"]},
        _("Uploads held (virus scanner down): %(n)d") % {"n": totals["held_uploads"]},
    ]
    if picture.sign_in_failures:
        lines += ["", _("Most failed sign-ins (User ID, address, count):")]
        lines += [
            f"- {f.username} · {f.address} · {f.count}" for f in picture.sign_in_failures[:TOP]
        ]
    if picture.bursts:
        lines += ["", _("Addresses with bursts of refused requests:")]
        lines += [f"- {b['address']} ({b['count']}+)" for b in picture.bursts[:TOP]]
    lines += ["", _("Details: %(url)s") % {"url": site_url("operations:security")}]
    return "\n".join(lines)


def recipients() -> list[str]:
    return sorted(
        {
            e.lower()
            for e in users_with_capability(Cap.VIEW_SECURITY)
            .exclude(email="")
            .values_list("email", flat=True)
        }
    )


def mail_daily_summary(now: datetime | None = None) -> bool:
    """Mail the summary unless it went out in the last 20 hours; True when mailed."""
    now = now or timezone.now()
    if AuditEvent.objects.filter(action=MAILED, at__gte=now - timedelta(hours=20)).exists():
        return False
    emails = recipients()
    if not emails:
        return False
    picture = security.picture(now - timedelta(hours=24))
    with transaction.atomic():
        audit.record(
            actor=None, action=MAILED, data={**picture.totals(), "recipients": len(emails)}
        )
        mail_each(emails, lambda _to: (_("LPSE security summary"), _body(picture)))
    return True
