"""The tender key ceremony (R-9.2, R-9.9): the key is made and split on a committee member's
device — the browser (``static/lpse/tender-key.js``) or ``lpse apendo keygen`` — and only the
public key, the wrapped identity and the sealed shares come here. The web application makes no
key: publication refuses a tender without one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from lpse.bids import keys
from lpse.bids.models import Bid, KeyShare, OpeningKey, TenderKey, Upload
from lpse.core import audit
from lpse.core.errors import DomainError
from lpse.tenders.selectors.access import opened_by_officers, openers_of, require_opener


def default_threshold(members: int) -> int:
    return members // 2 + 1


def _members_and_keys(tender) -> list[tuple]:
    members = openers_of(tender)
    opening_keys = {k.user_id: k for k in OpeningKey.objects.filter(user__in=members)}
    missing = [m.username for m in members if m.pk not in opening_keys]
    if missing and opened_by_officers(tender):
        raise DomainError(
            _(
                "Every procurement officer of this procurement needs an opening key before its "
                "key is made; missing: %(users)s."
            )
            % {"users": ", ".join(missing)}
        )
    if missing:
        raise DomainError(
            _(
                "Every committee member needs an opening key before the tender's key is "
                "made; missing: %(users)s."
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


@dataclass(frozen=True)
class CeremonyInputs:
    """What a member's device needs to make the tender's key: nothing secret."""

    tender: str
    threshold: int
    members: list[dict]

    def as_json(self) -> dict:
        return {"tender": self.tender, "threshold": self.threshold, "members": self.members}


def ceremony_inputs(*, actor, tender) -> CeremonyInputs:
    require_opener(actor, tender)
    pairs = _members_and_keys(tender)
    return CeremonyInputs(
        tender=tender.code,
        threshold=_threshold(tender, len(pairs)),
        members=[
            {"index": i, "username": m.username, "recipient": key.recipient}
            for i, (m, key) in enumerate(pairs, start=1)
        ],
    )


def rekey_blocker(tender) -> str:
    """Why this tender's key may not be replaced now, or "" if it may."""
    if tender.state == "draft":
        return ""
    if tender.state != "published":
        return _("The key can only be replaced before the bid opening.")
    if Bid.objects.filter(tender=tender).exists() or Upload.objects.filter(tender=tender).exists():
        return _("A bid has already been sent for this tender: its key can no longer be replaced.")
    return ""


def tender_key_import(*, actor, tender, material_json: str, offline: bool = False) -> TenderKey:
    """Store a key made on a member's device: before publication, or to replace a key while no
    bid has arrived (a server-made key of an older tender, or after the committee changed)."""
    require_opener(actor, tender)
    blocker = rekey_blocker(tender)
    if blocker:
        raise DomainError(blocker)
    try:
        material = keys.TenderKeyMaterial.from_json(material_json)
    except keys.TenderKeyError as exc:
        raise DomainError(str(exc)) from None
    if material.tender != tender.code:
        raise DomainError(
            _("This key was made for tender %(other)s, not %(code)s.")
            % {"other": material.tender, "code": tender.code}
        )
    inputs = ceremony_inputs(actor=actor, tender=tender)
    by_recipient = {m["recipient"]: m for m in inputs.members}
    if sorted(s.member_recipient for s in material.shares) != sorted(by_recipient):
        raise DomainError(
            _(
                "The key's shares must be sealed to exactly the committee members' "
                "current opening keys: make the key again."
            )
        )
    if material.threshold != inputs.threshold:
        raise DomainError(
            _("The key opens with %(file)d members, but this tender needs %(k)d.")
            % {"file": material.threshold, "k": inputs.threshold}
        )
    if sorted(s.index for s in material.shares) != list(range(1, len(inputs.members) + 1)):
        raise DomainError(
            _("The key's shares are not numbered 1 to %(n)d.") % {"n": len(inputs.members)}
        )
    username_to_member = {m.username: m for m in openers_of(tender)}
    with transaction.atomic():
        replaced = TenderKey.objects.filter(tender=tender).first()
        if replaced is not None:
            replaced.delete()
        return _store(
            actor=actor,
            tender=tender,
            material=material,
            members=[
                username_to_member[by_recipient[s.member_recipient]["username"]]
                for s in material.shares
            ],
            origin=TenderKey.Origin.OFFLINE if offline else TenderKey.Origin.BROWSER,
            replaced=replaced,
        )


def _store(*, actor, tender, material, members, origin, replaced) -> TenderKey:
    tender_key = TenderKey.objects.create(
        tender=tender,
        recipient=material.recipient,
        wrapped_identity=material.wrapped_identity,
        threshold=material.threshold,
        origin=origin,
        format=material.format,
    )
    KeyShare.objects.bulk_create(
        [
            KeyShare(
                tender_key=tender_key,
                member=member,
                index=share.index,
                member_recipient=share.member_recipient,
                sealed=share.sealed,
                commitment=share.commitment,
            )
            for member, share in zip(members, material.shares, strict=True)
        ]
    )
    # The sealed shares' hashes and commitments go into the transparency log (R-9.8): a share
    # swapped in the database later differs from this entry and is named at the unlock.
    audit.record(
        actor=actor,
        action="tender_key.rekey" if replaced else "tender_key.create",
        obj=tender_key,
        data={
            "tender": tender.code,
            "recipient": material.recipient,
            "k": material.threshold,
            "n": len(material.shares),
            "origin": origin,
            "replaces": replaced.recipient if replaced else "",
            "shares": [
                {
                    "index": s.index,
                    "member": m.username,
                    "sealed_sha256": keys.sealed_digest(s.sealed),
                    "commitment": s.commitment,
                }
                for m, s in zip(members, material.shares, strict=True)
            ],
        },
    )
    return tender_key


def tender_key_required(*, actor, tender) -> None:
    """Publication hook: no tender is published without a key made on a member's device."""
    if not TenderKey.objects.filter(tender=tender).exists():
        raise DomainError(
            _(
                "The tender has no bid key yet. A committee member makes it in their browser "
                "on the tender's key page (Kunci tender), or imports one made with lpse apendo "
                "keygen; then publish."
            )
        )
