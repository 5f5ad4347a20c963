"""Binding a company's signing key (R-9.7, R-7.1 "digital identity"), with the two-person rule
of the e-mail change (R-3.2): every write of the procedure.

1. A provider's staff makes a key pair in the browser (or offline) and proposes the public half.
   The company's address is told, so a proposal made by someone who took over the account does
   not go unnoticed.
2. At the counter the company's representative shows the director's original ID card (KTP) and
   the company deed, and the fingerprint printed from the key page (or read out); the verifier
   types that fingerprint, which must match the proposed key, and passes it on.
3. A *different* verifier binds it. The key bound before is revoked — kept, since it still
   verifies the bids that arrived while it was bound — and the company is told.
Nobody linked to the company checks or binds (``two_person``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.tasks import send_mail_on_commit
from lpse.providers import key_material
from lpse.providers.models import Company, SigningKey
from lpse.providers.selectors import company_of
from lpse.providers.services import two_person

State = SigningKey.State


def _tell_company(key: SigningKey, *, template: str, subject: str) -> None:
    send_mail_on_commit(
        to=[key.company.email],
        subject=subject % {"site": settings.LPSE_SITE_NAME, "company": key.company.name},
        body=render_to_string(
            template, {"key": key, "company": key.company, "site_name": settings.LPSE_SITE_NAME}
        ),
    )


def signing_key_propose(*, actor, public_key: str) -> SigningKey:
    """The provider proposes the public half of a key it made; an open proposal of the company
    is withdrawn (the newer key is the one the company will bring to the counter)."""
    company = company_of(actor)
    if company.state != Company.State.VERIFIED:
        raise DomainError(_("Only a verified company binds a signing key."))
    try:
        raw = key_material.public_key_bytes(public_key)
    except key_material.KeyMaterialError as exc:
        raise DomainError(
            _(
                "This is not a signing key the LPSE can use (%(why)s). Make the key again on "
                "this page, or paste the public key printed by lpse apendo signing-keygen."
            )
            % {"why": exc},
            field="public_key",
        ) from None
    fingerprint = key_material.fingerprint(raw)
    with transaction.atomic():
        # The company's row is the lock: proposals of one company are made one at a time.
        company = Company.objects.select_for_update().get(pk=company.pk)
        keys = SigningKey.objects.filter(company=company)
        if keys.filter(fingerprint=fingerprint, state=State.BOUND).exists():
            raise DomainError(
                _("This key is already bound to your company: you can sign bids with it."),
                field="public_key",
            )
        if (
            SigningKey.objects.filter(fingerprint=fingerprint)
            .exclude(company=company)
            .exclude(state__in=[State.REFUSED, State.WITHDRAWN])
            .exists()
        ):
            raise DomainError(
                _("This key belongs to another company. Make a new key for your company."),
                field="public_key",
            )
        now = timezone.now()
        withdrawn = list(keys.filter(state__in=SigningKey.OPEN_STATES))
        SigningKey.objects.filter(pk__in=[k.pk for k in withdrawn]).update(
            state=State.WITHDRAWN, decided_by=actor, decided_at=now
        )
        key = SigningKey(
            company=company,
            public_key=key_material.public_key_text(raw),
            fingerprint=fingerprint,
            proposed_by=actor,
            proposed_at=now,
        )
        try:
            with transaction.atomic():
                key.save()
        except IntegrityError:  # a second proposal at the same moment
            raise DomainError(
                _("Another key was proposed for your company at the same moment: reload.")
            ) from None
        audit.record(
            actor=actor,
            action="signing_key.propose",
            obj=key,
            data={
                "company": company.pk,
                "fingerprint": fingerprint,
                "withdrawn": [k.pk for k in withdrawn],
            },
        )
        _tell_company(
            key,
            template="providers/email/signing_key_proposed.txt",
            subject=_("%(site)s: a signing key was proposed for %(company)s"),
        )
    return key


def _locked(key: SigningKey) -> SigningKey:
    return SigningKey.objects.select_for_update().select_related("company").get(pk=key.pk)


def signing_key_check(
    *, actor, key: SigningKey, fingerprint: str, checked_identity: bool, note: str = ""
) -> SigningKey:
    """The verifier compared the company's papers and the fingerprint it brought with the
    proposed key, and passes it to a second verifier."""
    require_capability(actor, Cap.VERIFY_PROVIDERS)
    if not checked_identity:
        raise DomainError(
            _(
                "Check the director's original ID card (KTP) and the company deed, or the "
                "letter of authority of whoever brings the key, first."
            ),
            field="checked_identity",
        )
    with transaction.atomic():
        key = _locked(key)
        if key.state != State.PROPOSED:
            raise DomainError(
                _("This key is not waiting for the verifier's check (it is “%(state)s”).")
                % {"state": key.get_state_display()}
            )
        two_person.require_unlinked(actor, key.company, requested_by_id=key.proposed_by_id)
        if key_material.normalized_fingerprint(fingerprint) != key.fingerprint:
            raise DomainError(
                _(
                    "The fingerprint you typed is not the proposed key's. The key on the server "
                    "is not the one the company brought: type it again from the company's paper, "
                    "and if it still differs, refuse the key."
                ),
                field="fingerprint",
            )
        now = timezone.now()
        key.state, key.checked_by, key.checked_at = State.CHECKED, actor, now
        key.check_note = note.strip()
        key.save(update_fields=["state", "checked_by", "checked_at", "check_note"])
        audit.record(
            actor=actor,
            action="signing_key.check",
            obj=key,
            data={
                "company": key.company_id,
                "fingerprint": key.fingerprint,
                "checked_identity": True,
                "note": key.check_note,
            },
        )
    return key


def signing_key_bind(*, actor, key: SigningKey) -> SigningKey:
    """A second verifier binds the checked key; the company's earlier key is revoked."""
    require_capability(actor, Cap.VERIFY_PROVIDERS)
    with transaction.atomic():
        key = _locked(key)
        if key.state == State.PROPOSED:
            raise DomainError(
                _(
                    "No verifier has checked this key against the company's papers yet: it "
                    "cannot be bound before that."
                )
            )
        if key.state != State.CHECKED:
            raise DomainError(
                _("This key was already decided (%(state)s).") % {"state": key.get_state_display()}
            )
        two_person.require_unlinked(actor, key.company, requested_by_id=key.proposed_by_id)
        two_person.require_second_person(
            actor,
            first_step_by_id=key.checked_by_id,
            message=_(
                "You checked this key: another verifier binds it (two people see every key "
                "bound to a company)."
            ),
        )
        now = timezone.now()
        earlier = list(
            SigningKey.objects.select_for_update().filter(company=key.company_id, state=State.BOUND)
        )
        SigningKey.objects.filter(pk__in=[k.pk for k in earlier]).update(
            state=State.REVOKED, revoked_at=now, replaced_by=key
        )
        key.state, key.bound_by, key.bound_at = State.BOUND, actor, now
        key.save(update_fields=["state", "bound_by", "bound_at"])
        audit.record(
            actor=actor,
            action="signing_key.bind",
            obj=key,
            data={
                "company": key.company_id,
                "fingerprint": key.fingerprint,
                "checked_by": key.checked_by_id,
                "revoked": [k.fingerprint for k in earlier],
            },
        )
        _tell_company(
            key,
            template="providers/email/signing_key_bound.txt",
            subject=_("%(site)s: a new signing key was bound to %(company)s"),
        )
    return key


def signing_key_refuse(*, actor, key: SigningKey, reason: str) -> SigningKey:
    """A verifier refuses a proposed or checked key (the fingerprint or the papers do not
    match), with the reason the provider reads."""
    require_capability(actor, Cap.VERIFY_PROVIDERS)
    reason = reason.strip()
    if not reason:
        raise DomainError(
            _("Give the reason for the refusal: the provider reads it."), field="reason"
        )
    with transaction.atomic():
        key = _locked(key)
        if not key.is_open:
            raise DomainError(
                _("This key was already decided (%(state)s).") % {"state": key.get_state_display()}
            )
        two_person.require_unlinked(actor, key.company, requested_by_id=key.proposed_by_id)
        key.state, key.decided_by, key.decided_at = State.REFUSED, actor, timezone.now()
        key.reason = reason
        key.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        audit.record(
            actor=actor,
            action="signing_key.refuse",
            obj=key,
            data={"company": key.company_id, "fingerprint": key.fingerprint, "reason": reason},
        )
        _tell_company(
            key,
            template="providers/email/signing_key_refused.txt",
            subject=_("%(site)s: the signing key proposed for %(company)s was refused"),
        )
    return key
