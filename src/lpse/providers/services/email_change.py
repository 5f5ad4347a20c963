"""Change of a company's e-mail address (R-3.2, annex 3.2): every write of the procedure.

1. The provider submits the new address with a signed statement (PDF or scan). A one-time link
   goes to the new address and a notice to the old one.
2. Someone who reads the new address opens the link and confirms it (R-1.6: the address must
   be active and the company must control it; the verifier's check proves who asks, the link
   proves the address works; an address applied unconfirmed could send every later password
   link and tender notice to a stranger, or nowhere).
3. The verifier checks the statement against the director's original KTP and the company deed,
   and passes the request to the administrator (or rejects it with the reason).
4. The administrator changes the address of the company and of its account (or rejects it);
   old and new addresses are told. Standard time (annex 3.2, 15–30 min): from the moment the
   request reaches the administrator (the verifier's check) to the decision.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.selectors import email_in_use
from lpse.core import audit
from lpse.core.capabilities import Cap, has_capability, require_capability
from lpse.core.errors import DomainError
from lpse.core.hashing import token_digest
from lpse.core.mail import site_url
from lpse.core.standard_times import Procedure, step_end, step_start
from lpse.core.tasks import send_mail_on_commit
from lpse.providers.documents import evidence_store
from lpse.providers.models import Company, EmailChangeRequest
from lpse.providers.selectors import company_of, require_own
from lpse.providers.services import two_person
from lpse.providers.services.common import normalize_email, wita_long

State = EmailChangeRequest.State
STEP = "apply"


def _address_in_use(email: str, company: Company) -> bool:
    """Another account or company has the address, or asks for it."""
    return (
        email_in_use(email, except_user_id=company.user_id)
        or Company.objects.filter(email__iexact=email).exclude(pk=company.pk).exists()
        or EmailChangeRequest.objects.filter(
            new_email__iexact=email, state__in=EmailChangeRequest.OPEN_STATES
        )
        .exclude(company=company)
        .exists()
    )


def _in_use_error() -> DomainError:
    return DomainError(
        _(
            "This address belongs to another account or company at LPSE. Each company needs "
            "an address of its own: choose another."
        ),
        field="new_email",
    )


def _new_link(change: EmailChangeRequest) -> str:
    token = secrets.token_urlsafe(32)
    change.confirm_digest = token_digest(token)
    change.confirm_expires_at = timezone.now() + timedelta(hours=settings.LPSE_INVITATION_HOURS)
    return token


def _send_link(change: EmailChangeRequest, token: str) -> None:
    send_mail_on_commit(
        to=[change.new_email],
        subject=_("%(site)s: confirm the new e-mail address of %(company)s")
        % {"site": settings.LPSE_SITE_NAME, "company": change.company.name},
        body=render_to_string(
            "providers/email/email_change_confirm.txt",
            {
                "change": change,
                "url": site_url("providers:email_change_confirm", token),
                "expires": wita_long(change.confirm_expires_at),
                "site_name": settings.LPSE_SITE_NAME,
            },
        ),
        secret=True,
    )


def email_change_submit(
    *, actor, new_email: str, statement: UploadedFile | None
) -> EmailChangeRequest:
    company = company_of(actor)
    if company.state != Company.State.VERIFIED:
        raise DomainError(_("Only a verified company changes its e-mail address this way."))
    try:
        new_email = normalize_email(new_email)
    except DomainError as exc:  # named for the registration form's field; here it is new_email
        raise DomainError(exc.message, field="new_email") from None
    if new_email == company.email.lower():
        raise DomainError(
            _("%(email)s is already the company's address: give the new one.")
            % {"email": new_email},
            field="new_email",
        )
    if _address_in_use(new_email, company):
        raise _in_use_error()
    if company.email_changes.filter(state__in=EmailChangeRequest.OPEN_STATES).exists():
        raise DomainError(
            _(
                "The company already has a request to change its address in progress. Wait "
                "for it to be decided, or withdraw it first."
            )
        )
    blob = evidence_store(statement, field="statement", uploader=actor)
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        change = EmailChangeRequest(
            company=company,
            old_email=company.email,
            new_email=new_email,
            statement=blob,
            statement_name=(getattr(statement, "name", "") or "")[
                :200
            ],  # checked by evidence_store
            submitted_by=actor,
            submitted_at=timezone.now(),
        )
        token = _new_link(change)
        try:
            with transaction.atomic():
                change.save()
        except IntegrityError:  # a second request submitted at the same moment
            raise DomainError(
                _("The company already has a request to change its address in progress.")
            ) from None
        audit.record(
            actor=actor,
            action="email_change.submit",
            obj=change,
            data={
                "company": company.pk,
                "old": change.old_email,
                "new": new_email,
                "statement_sha256": blob.sha256,
            },
        )
        _send_link(change, token)
        send_mail_on_commit(
            to=[change.old_email],
            subject=_("%(site)s: a change of your company's e-mail address was requested")
            % {"site": settings.LPSE_SITE_NAME},
            body=render_to_string(
                "providers/email/email_change_submitted.txt",
                {"change": change, "site_name": settings.LPSE_SITE_NAME},
            ),
        )
    return change


def email_change_resend(*, actor, change: EmailChangeRequest) -> EmailChangeRequest:
    """A new confirmation link (the first expired or was lost); the old one stops working."""
    require_own(actor, change.company_id)
    with transaction.atomic():
        change = EmailChangeRequest.objects.select_for_update().get(pk=change.pk)
        if change.state != State.SUBMITTED or change.confirmed_at is not None:
            raise DomainError(_("This request needs no confirmation link any more."))
        token = _new_link(change)
        change.save(update_fields=["confirm_digest", "confirm_expires_at"])
        audit.record(actor=actor, action="email_change.resend_link", obj=change)
        _send_link(change, token)
    return change


def email_change_link_check(token: str) -> EmailChangeRequest:
    change = (
        EmailChangeRequest.objects.select_related("company")
        .filter(confirm_digest=token_digest(token))
        .first()
    )
    if change is None:
        raise DomainError(
            _(
                "This confirmation link is not valid. Open the whole address from the newest "
                "e-mail; the provider can have a new link sent from its account."
            ),
            code="invalid_link",
        )
    if change.state != State.SUBMITTED:
        raise DomainError(
            _("This request is closed (%(state)s): there is nothing to confirm.")
            % {"state": change.get_state_display()},
            code="closed",
        )
    if change.confirmed_at is None and change.confirm_expires_at <= timezone.now():
        raise DomainError(
            _(
                "This confirmation link expired on %(when)s. The provider can have a new one "
                "sent from its account page."
            )
            % {"when": wita_long(change.confirm_expires_at)},
            code="expired_link",
        )
    return change


def email_change_confirm(*, token: str) -> EmailChangeRequest:
    """R-1.6: whoever reads the new address confirms it works. Confirming twice is harmless."""
    with transaction.atomic():
        change = email_change_link_check(token)
        if change.confirmed_at is not None:
            return change
        if not EmailChangeRequest.objects.filter(
            pk=change.pk, state=State.SUBMITTED, confirmed_at__isnull=True
        ).update(confirmed_at=timezone.now()):
            raise DomainError(_("This request changed meanwhile: open the link again."))
        change.refresh_from_db()
        audit.record(
            actor=None,
            action="email_change.confirm",
            obj=change,
            data={"new": change.new_email},
        )
    return change


def email_change_withdraw(*, actor, change: EmailChangeRequest) -> EmailChangeRequest:
    """The provider takes back a request the verifier has not checked yet (a mistyped address
    would otherwise block the company's next request)."""
    require_own(actor, change.company_id)
    with transaction.atomic():
        if not EmailChangeRequest.objects.filter(pk=change.pk, state=State.SUBMITTED).update(
            state=State.WITHDRAWN, decided_by=actor, decided_at=timezone.now()
        ):
            raise DomainError(
                _(
                    "Only a request the verifier has not checked yet can be withdrawn; this "
                    "one is with the LPSE already."
                )
            )
        change.refresh_from_db()
        audit.record(actor=actor, action="email_change.withdraw", obj=change)
    return change


def email_change_check(
    *, actor, change: EmailChangeRequest, checked_ktp: bool, checked_deed: bool, note: str = ""
) -> EmailChangeRequest:
    """The verifier compared the statement with the director's original KTP and the company
    deed and passes the request to the administrator: the annex's step starts here."""
    require_capability(actor, Cap.VERIFY_PROVIDERS)
    if not checked_ktp:
        raise DomainError(
            _("Check the statement against the director's original ID card (KTP) first."),
            field="checked_ktp",
        )
    if not checked_deed:
        raise DomainError(
            _("Check the statement against the company deed (akta) first."),
            field="checked_deed",
        )
    with transaction.atomic():
        change = (
            EmailChangeRequest.objects.select_for_update()
            .select_related("company")
            .get(pk=change.pk)
        )
        if change.state != State.SUBMITTED:
            raise DomainError(
                _("This request is not waiting for the verifier (it is “%(state)s”).")
                % {"state": change.get_state_display()}
            )
        two_person.require_unlinked(actor, change.company, requested_by_id=change.submitted_by_id)
        if change.confirmed_at is None:
            raise DomainError(
                _(
                    "The new address has not been confirmed yet: the provider must open the "
                    "link sent to %(email)s before the request can be checked."
                )
                % {"email": change.new_email}
            )
        now = timezone.now()
        change.state = State.CHECKED
        change.checked_by, change.checked_at = actor, now
        change.checked_ktp, change.checked_deed = True, True
        change.check_note = note.strip()
        change.save(
            update_fields=[
                "state",
                "checked_by",
                "checked_at",
                "checked_ktp",
                "checked_deed",
                "check_note",
            ]
        )
        audit.record(
            actor=actor,
            action="email_change.check",
            obj=change,
            data={"checked_ktp": True, "checked_deed": True, "note": change.check_note},
        )
        step_start(procedure=Procedure.EMAIL_CHANGE, step=STEP, subject=change, actor=actor, at=now)
    return change


def email_change_apply(*, actor, change: EmailChangeRequest) -> EmailChangeRequest:
    """The administrator changes the address of the company and of its account (User ID
    sign-in, password links); old and new addresses are told."""
    require_capability(actor, Cap.APPLY_EMAIL_CHANGES)
    with transaction.atomic():
        change = (
            EmailChangeRequest.objects.select_for_update()
            .select_related("company", "statement")
            .get(pk=change.pk)
        )
        if change.state == State.SUBMITTED:
            raise DomainError(
                _(
                    "The verifier has not checked this request against the director's KTP and "
                    "the company deed yet: it cannot be applied before that."
                )
            )
        if change.state != State.CHECKED:
            raise DomainError(
                _("This request was already decided (%(state)s).")
                % {"state": change.get_state_display()}
            )
        # the verifier checks, then passes it on; a second person, outside the company,
        # changes it.
        two_person.require_unlinked(actor, change.company, requested_by_id=change.submitted_by_id)
        two_person.require_second_person(
            actor,
            first_step_by_id=change.checked_by_id,
            message=_(
                "You checked this request as verifier: another administrator applies it "
                "(two people see every change of a company's address)."
            ),
        )
        company = (
            Company.objects.select_for_update().select_related("user").get(pk=change.company_id)
        )
        if company.email != change.old_email:
            raise DomainError(
                _(
                    "The company's address changed since this request was made; reject it "
                    "and ask the provider for a new one."
                )
            )
        if _address_in_use(change.new_email, company):
            raise _in_use_error()
        user = company.user
        told = {change.old_email, user.email, change.new_email}
        now = timezone.now()
        company.email = change.new_email
        user.email = change.new_email
        try:
            with transaction.atomic():
                company.save(update_fields=["email"])
                user.save(update_fields=["email"])
        except IntegrityError:
            raise _in_use_error() from None
        change.state = State.APPLIED
        change.decided_by, change.decided_at = actor, now
        change.save(update_fields=["state", "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action="email_change.apply",
            obj=change,
            data={
                "company": company.pk,
                "old": change.old_email,
                "new": change.new_email,
                "statement_sha256": change.statement.sha256,
                "checked_by": change.checked_by_id,
            },
        )
        step_end(procedure=Procedure.EMAIL_CHANGE, step=STEP, subject=change, actor=actor, at=now)
        body = render_to_string(
            "providers/email/email_change_applied.txt",
            {"change": change, "site_name": settings.LPSE_SITE_NAME},
        )
        for address in sorted(a for a in told if a):
            send_mail_on_commit(
                to=[address],
                subject=_("%(site)s: the e-mail address of %(company)s was changed")
                % {"site": settings.LPSE_SITE_NAME, "company": company.name},
                body=body,
            )
    return change


def email_change_reject(*, actor, change: EmailChangeRequest, reason: str) -> EmailChangeRequest:
    """The verifier (the documents do not match) or the administrator refuses, with the reason
    the provider reads."""
    if not (
        has_capability(actor, Cap.VERIFY_PROVIDERS)
        or has_capability(actor, Cap.APPLY_EMAIL_CHANGES)
    ):
        raise DomainError(
            _("Only the verifier or the LPSE administrator rejects a request."), code="forbidden"
        )
    reason = reason.strip()
    if not reason:
        raise DomainError(
            _("Give the reason for the rejection: the provider reads it."), field="reason"
        )
    with transaction.atomic():
        change = (
            EmailChangeRequest.objects.select_for_update()
            .select_related("company")
            .get(pk=change.pk)
        )
        if not change.is_open:
            raise DomainError(
                _("This request was already decided (%(state)s).")
                % {"state": change.get_state_display()}
            )
        was_checked = change.state == State.CHECKED
        now = timezone.now()
        change.state = State.REJECTED
        change.decided_by, change.decided_at, change.reason = actor, now, reason
        change.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        audit.record(actor=actor, action="email_change.reject", obj=change, data={"reason": reason})
        if was_checked:  # the administrator's step ends with the decision either way
            step_end(
                procedure=Procedure.EMAIL_CHANGE, step=STEP, subject=change, actor=actor, at=now
            )
        send_mail_on_commit(
            to=[change.company.email],
            subject=_("%(site)s: your request to change the company's e-mail was rejected")
            % {"site": settings.LPSE_SITE_NAME},
            body=render_to_string(
                "providers/email/email_change_rejected.txt",
                {"change": change, "site_name": settings.LPSE_SITE_NAME},
            ),
        )
    return change
