"""Checks on a key share coming back from a member's device at the bid opening (R-9.9).

Each refusal says which share is wrong and what to do: a share of another tender, of an earlier
key of this tender, another member's share, a share altered on its way (its commitment fails),
or a share row changed in the database after the key was made (it differs from the audit log).
"""

from __future__ import annotations

import base64

from django.utils.translation import gettext as _

from lpse.bids import keys
from lpse.bids.models import KeyShare, TenderKey
from lpse.core import audit
from lpse.core.errors import DomainError

KEY_EVENTS = ("tender_key.create", "tender_key.rekey")  # logged with the shares' hashes


def received_share(text: str, *, mine: KeyShare, tender) -> keys.UnlockedShare:
    try:
        unlocked = keys.parse_share(text)
    except keys.TenderKeyError as exc:
        raise DomainError(
            _("%(why)s. Unlock again from this page, with your own key.") % {"why": exc},
            field="share",
        ) from None
    tender_key = mine.tender_key
    if unlocked.tender_code != tender.code:
        raise DomainError(
            _(
                "This share belongs to tender %(other)s, not %(code)s: unlock it on that "
                "tender's opening page."
            )
            % {"other": unlocked.tender_code, "code": tender.code},
            field="share",
        )
    if unlocked.recipient != tender_key.recipient or unlocked.format != tender_key.format:
        raise DomainError(
            _(
                "This share is of an earlier key of this tender, replaced before bids came "
                "in: reload the page and unlock the share sealed to you now."
            ),
            field="share",
        )
    if unlocked.index != mine.index or unlocked.threshold != tender_key.threshold:
        raise DomainError(
            _(
                "This is share %(got)d, but yours is share %(mine)d: each member unlocks only "
                "their own share, on their own account."
            )
            % {"got": unlocked.index, "mine": mine.index},
            field="share",
        )
    tampered = share_tampering(mine)
    if tampered:
        raise DomainError(
            tampered + " " + _("Stop the opening and report it to the head of LPSE."),
            field="share",
        )
    if not commitment_holds(mine, unlocked.value):
        raise DomainError(
            _(
                "Share %(i)d does not match what was recorded when the key was made: it was altered "
                "between your sealed share and this server. Unlock again from a device you "
                "trust; if it happens again, report it."
            )
            % {"i": mine.index},
            field="share",
        )
    return unlocked


def commitment_holds(share: KeyShare, value: bytes) -> bool:
    if not share.commitment:  # a server-made key of an older tender has none
        return True
    expected = keys.share_commitment(
        tender_code=share.tender_key.tender.code,
        recipient=share.tender_key.recipient,
        index=share.index,
        value=value,
    )
    return expected == share.commitment


def stored_shares_intact(unlocks, *, tender_key: TenderKey) -> None:
    """Before combining at the opening: every unlocked share still as logged and committed."""
    for unlock in unlocks.select_related("share__member", "share__tender_key__tender"):
        problem = share_tampering(unlock.share)
        if not problem and not commitment_holds(unlock.share, base64.b64decode(unlock.value)):
            problem = _(
                "The unlocked share %(i)d was changed in the database after it was unlocked."
            ) % {"i": unlock.share.index}
        if problem:
            raise DomainError(
                _("The bids cannot be opened: %(why)s Report it to the head of LPSE.")
                % {"why": problem}
            )


def share_tampering(share: KeyShare) -> str:
    """Why this share row differs from what the transparency log recorded when the key was made, or ""
    if it does not. The log entry is checked against its own hash; ``lpse audit verify``
    against a published head tells whether the log itself was rewritten. Server-made keys of
    older tenders were logged without their shares: nothing to compare."""
    if share.tender_key.made_on_server:
        return ""
    event = audit.last_recorded(obj=share.tender_key, actions=KEY_EVENTS)
    logged = {s["index"]: s for s in (event.data.get("shares", []) if event else [])}
    entry = logged.get(share.index)
    if event is None or entry is None:
        return _("Share %(i)d has no record in the audit log.") % {"i": share.index}
    if (
        entry["sealed_sha256"] != keys.sealed_digest(share.sealed)
        or entry["commitment"] != share.commitment
        or entry["member"] != share.member.username
    ):
        return _(
            "Share %(i)d (%(member)s) was changed in the database after the key was made: it "
            "differs from the audit log entry #%(seq)d."
        ) % {"i": share.index, "member": share.member.username, "seq": event.seq}
    return ""
