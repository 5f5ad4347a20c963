"""Committee members register their personal opening keys (R-9.2, R-9.9)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lpse.accounts.selectors import published_demo_passwords
from lpse.bids import keys, opening_keys
from lpse.bids.models import KeyShare, OpeningKey
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError


def opening_key_set(*, actor, recipient: str, sealed_identity: str = "") -> OpeningKey:
    """A committee member registers the key their bid-opening shares will be sealed to: the
    public part of a key their browser made (with the secret part sealed by a passphrase the
    server never sees, ``sealed_identity``) or of a key they made themselves (``age-keygen``,
    nothing sealed here). Only tenders keyed afterwards use the new key."""
    require_capability(actor, Cap.OPEN_BIDS)
    try:
        recipient = keys.check_recipient(recipient)
    except keys.TenderKeyError as exc:
        raise DomainError(str(exc), field="recipient") from None
    if sealed_identity:
        _check_sealed(sealed_identity)
    holding = (
        KeyShare.objects.filter(member=actor)
        .exclude(tender_key__tender__opening__state="opened")
        .select_related("tender_key__tender")
    )
    if holding.exists():
        raise DomainError(
            _(
                "You hold a share of tenders not yet opened (%(codes)s), sealed to your "
                "current key: change it after their opening."
            )
            % {"codes": ", ".join(sorted({s.tender_key.tender.code for s in holding}))}
        )
    with transaction.atomic():
        key, _created = OpeningKey.objects.update_or_create(
            user=actor, defaults={"recipient": recipient, "sealed_identity": sealed_identity}
        )
        audit.record(
            actor=actor,
            action="opening_key.set",
            obj=key,
            data={"recipient": recipient, "sealed_with_passphrase": bool(sealed_identity)},
        )
    return key


def _check_sealed(sealed_identity: str) -> None:
    try:
        opening_keys.check_sealed_identity(sealed_identity)
    except opening_keys.OpeningKeyError as exc:
        raise DomainError(
            _("The sealed key is not usable: %(why)s. Make the key again on this page.")
            % {"why": exc},
            field="sealed_identity",
        ) from None
    # The browser refuses weak passphrases (all demo passwords are in its dictionary); the
    # server cannot see the passphrase, but it tries the demo passwords of the roles that hold
    # opening keys. Each try costs one scrypt (about a second), so not all twenty.
    if settings.LPSE_DEMO:
        return
    candidates = published_demo_passwords(capability=Cap.MANAGE_TENDERS)
    if any(opening_keys.opens_with(sealed_identity, p) for p in candidates):
        raise DomainError(
            _(
                "This passphrase is one of the published demo passwords: anyone could open "
                "your shares with it. Choose a passphrase of your own."
            ),
            field="sealed_identity",
        )
