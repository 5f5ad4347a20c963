"""Opening keys of committee members and the tender key ceremony (R-9.2)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.bids import keys
from lpse.bids.models import KeyShare, OpeningKey, TenderKey
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.tenders.selectors.access import require_committee_member

MIN_PASSPHRASE = 12


def opening_key_set(*, actor, passphrase: str = "", recipient: str = "") -> OpeningKey:
    """A committee member registers the key their bid-opening share will be sealed to: the
    public part of an age key they made (``age-keygen``), or a passphrase the server seals a
    new key with. Only tenders published afterwards use the new key."""
    require_capability(actor, Cap.MANAGE_TENDERS)
    if bool(passphrase) == bool(recipient):
        raise DomainError(_("Give either a passphrase or the public key (age1…) of your own key."))
    if passphrase:
        if len(passphrase) < MIN_PASSPHRASE:
            raise DomainError(
                _(
                    "Use a passphrase of at least %(n)d characters: it protects your "
                    "part of every tender's key."
                )
                % {"n": MIN_PASSPHRASE},
                field="passphrase",
            )
        public, sealed = keys.personal_key_from_passphrase(passphrase)
    else:
        try:
            public, sealed = keys.check_recipient(recipient), ""
        except keys.TenderKeyError as exc:
            raise DomainError(str(exc), field="recipient") from None
    from lpse.bids.models import KeyShare

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
            user=actor, defaults={"recipient": public, "sealed_identity": sealed}
        )
        audit.record(
            actor=actor,
            action="opening_key.set",
            obj=key,
            data={"recipient": public, "passphrase": bool(passphrase)},
        )
    return key


def default_threshold(members: int) -> int:
    return members // 2 + 1


def _members_and_keys(tender) -> list[tuple]:
    members = list(
        tender.package.committee.members.filter(role_grants__role=Role.COMMITTEE)
        .distinct()
        .order_by("username")
    )
    opening_keys = {k.user_id: k for k in OpeningKey.objects.filter(user__in=members)}
    missing = [m.username for m in members if m.pk not in opening_keys]
    if missing:
        raise DomainError(
            _(
                "Every committee member needs an opening key before the tender is "
                "published; missing: %(users)s."
            )
            % {"users": ", ".join(missing)}
        )
    return [(m, opening_keys[m.pk]) for m in members]


def _threshold(tender, n: int) -> int:
    k = tender.opening_threshold or default_threshold(n)
    if not 1 <= k <= n:
        raise DomainError(
            _(
                "The number of members needed to open (%(k)d) must be between 1 and "
                "the committee's size (%(n)d)."
            )
            % {"k": k, "n": n}
        )
    return k


def tender_key_create(*, actor, tender) -> TenderKey:
    """At publication: a key pair for the tender, split k-of-n among the committee. Called inside
    the publishing transaction; a key imported from an offline ceremony is kept as it is."""
    existing = TenderKey.objects.filter(tender=tender).first()
    if existing:
        return existing
    pairs = _members_and_keys(tender)
    k = _threshold(tender, len(pairs))
    material = keys.generate(
        tender_code=tender.code, threshold=k, member_recipients=[key.recipient for _m, key in pairs]
    )
    return _store(
        actor=actor, tender=tender, material=material, members=[m for m, _k in pairs], offline=False
    )


def tender_key_import(*, actor, tender, material_json: str) -> TenderKey:
    """Offline ceremony (``lpse apendo keygen``): only the public key, the wrapped identity and
    the sealed shares come to the server."""
    require_committee_member(actor, tender)
    if tender.state != "draft":
        raise DomainError(_("The key is set before the tender is published."))
    try:
        material = keys.TenderKeyMaterial.from_json(material_json)
    except keys.TenderKeyError as exc:
        raise DomainError(str(exc)) from None
    pairs = _members_and_keys(tender)
    by_recipient = {key.recipient: member for member, key in pairs}
    if sorted(s.member_recipient for s in material.shares) != sorted(by_recipient):
        raise DomainError(
            _(
                "The key file's shares must be sealed to exactly the committee "
                "members' opening keys."
            )
        )
    k = _threshold(tender, len(pairs))
    if material.threshold != k:
        raise DomainError(
            _("The key file opens with %(file)d members, but this tender needs %(k)d.")
            % {"file": material.threshold, "k": k}
        )
    if sorted(s.index for s in material.shares) != list(range(1, len(pairs) + 1)):
        raise DomainError(
            _("The key file's shares are not numbered 1 to %(n)d.") % {"n": len(pairs)}
        )
    with transaction.atomic():
        TenderKey.objects.filter(tender=tender).delete()
        return _store(
            actor=actor,
            tender=tender,
            material=material,
            members=[by_recipient[s.member_recipient] for s in material.shares],
            offline=True,
        )


def _store(*, actor, tender, material: keys.TenderKeyMaterial, members, offline: bool) -> TenderKey:
    with transaction.atomic():
        tender_key = TenderKey.objects.create(
            tender=tender,
            recipient=material.recipient,
            wrapped_identity=material.wrapped_identity,
            threshold=material.threshold,
            generated_offline=offline,
        )
        KeyShare.objects.bulk_create(
            [
                KeyShare(
                    tender_key=tender_key,
                    member=member,
                    index=share.index,
                    member_recipient=share.member_recipient,
                    sealed=share.sealed,
                )
                for member, share in zip(members, material.shares, strict=True)
            ]
        )
        audit.record(
            actor=actor,
            action="tender_key.create",
            obj=tender_key,
            data={
                "tender": tender.code,
                "recipient": material.recipient,
                "k": material.threshold,
                "n": len(material.shares),
                "offline": offline,
            },
        )
    return tender_key
