"""Every write of provider registration and verification (R-1.1 … R-1.7)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lpse.accounts.selectors import normalize_user_id
from lpse.accounts.services import account_activation_send, provider_account_register
from lpse.catalog.selectors import sub_fields_by_ids
from lpse.core import audit
from lpse.core.calendar import add_working_days, end_of_day_wita, to_wita
from lpse.core.capabilities import Cap, has_capability, require_capability
from lpse.core.errors import DomainError
from lpse.core.hashing import token_digest
from lpse.core.mail import site_url
from lpse.core.standard_times import Procedure, step_record
from lpse.core.tasks import send_mail_on_commit
from lpse.providers.models import (
    Company,
    RegistrationInvite,
    Verification,
    VerificationCheck,
    VerificationItem,
)
from lpse.providers.rules import normalize_npwp
from lpse.providers.service_hours import (
    deadline_text,
    hours_text,
    last_day,
    visit_within_hours,
)
from lpse.providers.services.common import normalize_email, wita_long

LIVE_STATES = (Company.State.AWAITING_VERIFICATION, Company.State.VERIFIED)


def verification_deadline(registered_at: datetime) -> datetime:
    """End of the 7th Indonesian working day after the registration day (R-1.4)."""
    day = to_wita(registered_at).date()
    return end_of_day_wita(add_working_days(day, settings.LPSE_VERIFICATION_WORKING_DAYS))


# --- the e-mail and its one-time link -------------------------------------------------


def registration_start(*, email: str) -> str:
    """E-mail a one-time registration link to ``email``; returns the token (for the CLI/tests)."""
    email = normalize_email(email)
    company = Company.objects.filter(email=email).first()
    if company is not None and company.state == Company.State.VERIFIED:
        raise DomainError(
            _(
                "This e-mail address is already registered to a verified provider. "
                "Sign in, or use “Forgot password” if you cannot."
            ),
            field="email",
        )
    if (
        company is not None
        and company.state == Company.State.AWAITING_VERIFICATION
        and not company.is_overdue
    ):
        raise DomainError(
            _(
                "This e-mail address has a registration waiting for verification until %(deadline)s. "
                "Bring the company documents to the LPSE verifier before then."
            )
            % {"deadline": deadline_text(company.verify_by)},
            field="email",
        )
    pending = (
        RegistrationInvite.objects.filter(
            email=email, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        raise DomainError(
            _(
                "A registration link was already sent to this address on %(sent)s and is valid until "
                "%(until)s. Check the inbox and the spam folder of %(email)s."
            )
            % {
                "sent": wita_long(pending.created_at),
                "until": wita_long(pending.expires_at),
                "email": email,
            },
            field="email",
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invite = RegistrationInvite.objects.create(
            email=email,
            digest=token_digest(token),
            expires_at=timezone.now() + timedelta(hours=settings.LPSE_INVITATION_HOURS),
        )
        audit.record(actor=None, action="registration.invite", obj=invite, data={"email": email})
        body = render_to_string(
            "providers/email/invite.txt",
            {
                "url": site_url("providers:register_form", token),
                "expires": wita_long(invite.expires_at),
                "site_name": settings.LPSE_SITE_NAME,
            },
        )
        send_mail_on_commit(
            to=[email],
            subject=_("%(site)s: your registration link") % {"site": settings.LPSE_SITE_NAME},
            body=body,
            secret=True,
        )
    return token


def registration_invite_check(token: str) -> RegistrationInvite:
    invite = RegistrationInvite.objects.filter(digest=token_digest(token)).first()
    if invite is None:
        raise DomainError(
            _(
                "This registration link is not valid. Check that you opened the whole "
                "address from the e-mail, or start again."
            ),
            code="invalid_link",
        )
    if invite.used_at is not None:
        raise DomainError(
            _(
                "This registration link has already been used. Each link works once: "
                "if you have not finished registering, start again with your e-mail "
                "address."
            ),
            code="used_link",
        )
    if invite.expires_at <= timezone.now():
        raise DomainError(
            _(
                "This registration link expired on %(when)s. Start again with your "
                "e-mail address to get a new one."
            )
            % {"when": wita_long(invite.expires_at)},
            code="expired_link",
        )
    return invite


# --- the registration form --------------------------------------------------------------


@dataclass
class RegistrationData:
    legal_form: str
    name: str
    npwp: str
    nib: str
    address: str
    city: str
    phone: str
    director_name: str
    user_id: str
    sub_field_ids: list[int]


def registration_submit(*, token: str, data: RegistrationData) -> Company:
    """Create the company and its (inactive) account; e-mail the User ID and what to bring."""
    npwp = normalize_npwp(data.npwp)
    user_id = normalize_user_id(data.user_id)
    sub_fields = sub_fields_by_ids(data.sub_field_ids)
    if not sub_fields:
        raise DomainError(_("Choose at least one business sub-field."), field="sub_fields")
    with transaction.atomic():
        invite = registration_invite_check(token)
        if not RegistrationInvite.objects.filter(pk=invite.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        ):
            raise DomainError(_("This registration link has already been used."), code="used_link")
        previous = Company.objects.select_for_update().filter(email=invite.email).first()
        if previous is not None and previous.state in LIVE_STATES and not previous.is_overdue:
            raise DomainError(_("This e-mail address is already registered."), field="email")
        same_npwp = Company.objects.filter(npwp=npwp, state__in=LIVE_STATES)
        if previous is not None:
            same_npwp = same_npwp.exclude(pk=previous.pk)
        if same_npwp.exists():
            raise DomainError(
                _(
                    "A provider with this NPWP is already registered. A company "
                    "registers once; contact the LPSE helpdesk if this is yours."
                ),
                field="npwp",
            )
        now = timezone.now()
        company = previous or Company(email=invite.email)
        restarted = previous is not None
        user = provider_account_register(
            user_id=user_id,
            email=invite.email,
            first_name=data.director_name,
            account=previous.user if previous is not None else None,
        )
        company.user = user
        company.state = Company.State.AWAITING_VERIFICATION
        company.legal_form = data.legal_form
        company.name = data.name.strip()
        company.npwp = npwp
        company.nib = data.nib.strip()
        company.address = data.address.strip()
        company.city = data.city.strip()
        company.phone = data.phone.strip()
        company.director_name = data.director_name.strip()
        company.registered_at = now
        company.verify_by = verification_deadline(now)
        company.forms_ref = secrets.token_urlsafe(32)
        company.decided_at = None
        company.verification_opened_at = None
        company.save()
        company.sub_fields.set(sub_fields)
        audit.record(
            actor=None,
            action="registration.restart" if restarted else "registration.submit",
            obj=company,
            data={
                "user_id": user_id,
                "npwp": npwp,
                "name": company.name,
                "verify_by": company.verify_by.isoformat(),
            },
        )
        body = render_to_string(
            "providers/email/registered.txt",
            {
                "company": company,
                "user_id": user_id,
                "deadline": deadline_text(company.verify_by),
                "requirements": VerificationItem.objects.filter(active=True),
                "requirements_url": site_url("providers:requirements"),
                "forms_url": site_url("providers:registration_done", company.forms_ref),
                "site_name": settings.LPSE_SITE_NAME,
            },
        )
        send_mail_on_commit(
            to=[company.email],
            subject=_("%(site)s: your User ID and the next step")
            % {"site": settings.LPSE_SITE_NAME},
            body=body,
            secret=True,
        )
    return company


# --- verification ---------------------------------------------------------------------


def verification_open(*, actor, company: Company) -> None:
    """A verifier opened a waiting registration's file: the provider is at the desk with the
    documents (walk-in verification, R-1.4), so the annex 1.2 step starts now (R-3.6). Only the
    first opening of each registration round counts; later ones change nothing."""
    if not has_capability(actor, Cap.VERIFY_PROVIDERS):
        return
    if company.state != Company.State.AWAITING_VERIFICATION or company.is_overdue:
        return
    if company.verification_opened_at is None:
        Company.objects.filter(pk=company.pk, verification_opened_at__isnull=True).update(
            verification_opened_at=timezone.now()
        )


@dataclass
class CheckResult:
    item_id: int
    ok: bool
    note: str = ""


def verification_decide(
    *,
    actor,
    company: Company,
    checks: list[CheckResult],
    outcome: str,
    reason: str = "",
    outside_hours_reason: str = "",
) -> Verification:
    """Record the checklist and the decision; on completion activate the account by e-mailing a
    one-time set-password link (R-1.5 [safer]: no password is ever handed out). A counter visit
    outside the walk-in hours (R-1.4) is recorded only with the verifier's reason for it."""
    require_capability(actor, Cap.VERIFY_PROVIDERS)
    if outcome not in Verification.Outcome.values:
        raise DomainError(_("Choose complete or rejected."), field="outcome")
    items = {item.pk: item for item in VerificationItem.objects.filter(active=True)}
    results = {c.item_id: c for c in checks if c.item_id in items}
    missing = [items[i].label for i in items if i not in results]
    if missing:
        raise DomainError(
            _("Record a result for every checklist item: %(items)s.")
            % {"items": ", ".join(missing)},
            field="checks",
        )
    reason = reason.strip()
    if outcome == Verification.Outcome.COMPLETE and not all(r.ok for r in results.values()):
        raise DomainError(
            _(
                "A file can only be marked complete when every item is present. "
                "Reject it with the reasons instead."
            ),
            field="outcome",
        )
    if outcome == Verification.Outcome.REJECTED and not reason:
        raise DomainError(
            _("Give the reasons for the rejection: the provider reads them."), field="reason"
        )
    with transaction.atomic():
        company = Company.objects.select_for_update().select_related("user").get(pk=company.pk)
        if company.state != Company.State.AWAITING_VERIFICATION:
            raise DomainError(
                _("This registration is no longer waiting for verification (it is “%(state)s”).")
                % {"state": company.get_state_display()}
            )
        if company.is_overdue:
            raise DomainError(
                _(
                    "This registration expired on %(deadline)s: it was not verified "
                    "within %(days)d working days. The provider must register again."
                )
                % {
                    "deadline": date_format(last_day(company.verify_by), "l, j F Y"),
                    "days": settings.LPSE_VERIFICATION_WORKING_DAYS,
                }
            )
        now = timezone.now()
        in_hours = visit_within_hours(opened_at=company.verification_opened_at, decided_at=now)
        outside_hours_reason = "" if in_hours else outside_hours_reason.strip()
        if not in_hours and not outside_hours_reason:
            raise DomainError(
                _(
                    "This counter visit is outside the walk-in verification hours (%(hours)s on "
                    "working days). Write why it is handled now; the reason is kept in the record."
                )
                % {"hours": hours_text()},
                field="outside_hours_reason",
            )
        verification = Verification.objects.create(
            company=company,
            verifier=actor,
            outcome=outcome,
            reason=reason,
            decided_at=now,
            outside_hours_reason=outside_hours_reason,
        )
        VerificationCheck.objects.bulk_create(
            [
                VerificationCheck(
                    verification=verification,
                    item=items[r.item_id],
                    label=items[r.item_id].label,
                    ok=r.ok,
                    note=r.note.strip()[:500],
                )
                for r in results.values()
            ]
        )
        complete = outcome == Verification.Outcome.COMPLETE
        company.state = Company.State.VERIFIED if complete else Company.State.REJECTED
        company.decided_at = now
        company.save(update_fields=["state", "decided_at"])
        # Annex 1.2, 15–30 min: from the file's opening to this decision; each decision is timed
        # on its own record, so a restarted registration's second round has its own timing.
        step_record(
            procedure=Procedure.PROVIDER_VERIFICATION,
            step="verify",
            subject=verification,
            started_at=company.verification_opened_at or now,
            ended_at=now,
            actor=actor,
        )
        audit.record(
            actor=actor,
            action=f"verification.{outcome}",
            obj=company,
            data={
                "verification": verification.pk,
                "reason": reason,
                "checks": {items[r.item_id].label: r.ok for r in results.values()},
                "outside_hours_reason": outside_hours_reason,
            },
        )
        if complete:
            account_activation_send(user=company.user)
        else:
            send_mail_on_commit(
                to=[company.email],
                subject=_("%(site)s: your registration was not accepted")
                % {"site": settings.LPSE_SITE_NAME},
                body=render_to_string(
                    "providers/email/rejected.txt",
                    {
                        "company": company,
                        "reason": reason,
                        "checks": verification.checks.all(),
                        "restart_url": site_url("providers:register"),
                        "site_name": settings.LPSE_SITE_NAME,
                    },
                ),
            )
    return verification


# --- expiry ---------------------------------------------------------------------------


def registrations_expire_due() -> int:
    """Mark overdue registrations expired and tell their owners how to restart. The deadline is
    enforced from the clock everywhere (``Company.is_overdue``); this only records and notifies."""
    expired = 0
    due = Company.objects.filter(
        state=Company.State.AWAITING_VERIFICATION, verify_by__lte=timezone.now()
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            if not Company.objects.filter(pk=pk, state=Company.State.AWAITING_VERIFICATION).update(
                state=Company.State.EXPIRED
            ):
                continue
            company = Company.objects.get(pk=pk)
            audit.record(
                actor=None,
                action="registration.expire",
                obj=company,
                data={"verify_by": company.verify_by.isoformat()},
            )
            send_mail_on_commit(
                to=[company.email],
                subject=_("%(site)s: your registration has expired")
                % {"site": settings.LPSE_SITE_NAME},
                body=render_to_string(
                    "providers/email/expired.txt",
                    {
                        "company": company,
                        "deadline": date_format(last_day(company.verify_by), "l, j F Y"),
                        "restart_url": site_url("providers:register"),
                        "site_name": settings.LPSE_SITE_NAME,
                    },
                ),
            )
            expired += 1
    return expired


# --- checklist configuration (application admin) ---------------------------------------------


def verification_item_save(
    *,
    actor,
    label: str,
    description: str = "",
    order: int = 0,
    active: bool = True,
    item: VerificationItem | None = None,
) -> VerificationItem:
    require_capability(actor, Cap.CONFIGURE_CHECKLIST)
    label = label.strip()
    if not label:
        raise DomainError(_("Name the document."), field="label")
    with transaction.atomic():
        item = item or VerificationItem()
        item.label, item.description, item.order, item.active = (
            label,
            description.strip(),
            order,
            active,
        )
        item.save()
        audit.record(
            actor=actor,
            action="verification_item.save",
            obj=item,
            data={"label": label, "active": active, "order": order},
        )
    return item
