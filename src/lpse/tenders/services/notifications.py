"""E-mails to a tender's participants; sent on commit, one message per address."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from lpse.core import hooks
from lpse.core.mail import site_url
from lpse.core.tasks import send_mail_on_commit


def participant_emails(tender) -> list[str]:
    from lpse.tenders.models import Participation

    return sorted(
        set(Participation.objects.filter(tender=tender).values_list("company__email", flat=True))
    )


def tender_url(tender) -> str:
    from lpse.tenders.models import Method

    if tender.method == Method.NON_TENDER:
        # A backing tender has no public page: its providers follow it where its app says.
        for url in hooks.tender_participant_url.call(tender):
            if url:
                return url
    return site_url("tenders:public_detail", tender.code)


def notify_schedule_change(change, *, bidders: set[str]) -> None:
    """R-3.3: every registered participant is told; those who already bid are told that the bid
    deadline moved, when it did."""
    from lpse.tenders.selectors import schedule as sched

    old, new = sched.from_json(change.old_schedule), sched.from_json(change.new_schedule)
    rows = [
        (
            sched.label(stage),
            sched.wita(old[stage][0]),
            sched.wita(old[stage][1]),
            sched.wita(new[stage][0]),
            sched.wita(new[stage][1]),
        )
        for stage in sched.STAGE_ORDER
        if stage in old and old[stage] != new.get(stage)
    ]
    deadline_moved = old["bid_submission"][1] != new["bid_submission"][1]
    tender = change.tender
    for email in participant_emails(tender):
        body = render_to_string(
            "tenders/email/schedule_change.txt",
            {
                "tender": tender,
                "rows": rows,
                "reason": change.reason,
                "url": tender_url(tender),
                "has_bid": email in bidders,
                "deadline_moved": deadline_moved,
                "new_deadline": sched.wita(new["bid_submission"][1]),
            },
        )
        send_mail_on_commit(
            to=[email],
            subject=_("Tender %(code)s: schedule changed") % {"code": tender.code},
            body=body,
        )


def notify_addendum(document) -> None:
    tender = document.tender
    for email in participant_emails(tender):
        body = render_to_string(
            "tenders/email/addendum.txt",
            {"tender": tender, "document": document, "url": tender_url(tender)},
        )
        send_mail_on_commit(
            to=[email],
            subject=_("Tender %(code)s: addendum issued") % {"code": tender.code},
            body=body,
        )


def notify_answer(question) -> None:
    from lpse.tenders.models import Method

    tender = question.tender
    for email in participant_emails(tender):
        body = render_to_string(
            "tenders/email/answer.txt",
            {
                "tender": tender,
                "question": question,
                "url": tender_url(tender),
                "non_tender": tender.method == Method.NON_TENDER,
            },
        )
        subject = (
            _("Procurement %(code)s: a question was answered")
            if tender.method == Method.NON_TENDER
            else _("Tender %(code)s: a question was answered")
        )
        send_mail_on_commit(
            to=[email],
            subject=subject % {"code": tender.code},
            body=body,
        )
