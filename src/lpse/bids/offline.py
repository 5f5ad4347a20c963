"""What a committee member's device does, in Python: for ``lpse apendo``, the demo loader, the
bench and the tests. No view imports this (tests/test_key_ceremony.py checks): the web
application makes no key and opens no share; browsers do that with static/lpse/key-ceremony.js.
"""

from __future__ import annotations

from lpse.bids import keys
from lpse.bids.models import KeyShare, TenderKey
from lpse.bids.services import opening, tender_keys


def make_tender_key(*, actor, tender, offline: bool = True) -> TenderKey:
    """The ceremony as ``lpse apendo keygen`` + ``import-key`` (or the browser) performs it."""
    inputs = tender_keys.ceremony_inputs(actor=actor, tender=tender)
    material = keys.generate(
        tender_code=tender.code,
        threshold=inputs.threshold,
        member_recipients=[m["recipient"] for m in inputs.members],
    )
    return tender_keys.tender_key_import(
        actor=actor, tender=tender, material_json=material.to_json(), offline=offline
    )


def unlock_share(*, member, tender, identity: str):
    """A member opens their sealed share with their own key and sends only the share."""
    share = KeyShare.objects.get(tender_key__tender=tender, member=member)
    text = keys.opened_share_text(share.sealed, identity)
    return opening.share_unlock(actor=member, tender=tender, share=text)
