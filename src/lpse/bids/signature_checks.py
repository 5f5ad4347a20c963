"""Where the provider's signature is checked (R-9.7): when a bid is accepted, and again at the
opening, before anything is decrypted.

Acceptance: the envelope must be signed with the key bound to the company at that moment; no
bound key, no signature, or a signature that does not verify — the bid is refused, saying which.

Opening: the receipt (signed by LPSE, checked first by ``_replaced_after_receipt``) names the
key's fingerprint and the signature. The bid row's copies must be those, the key row's public key
must hash to that fingerprint, the key must have been bound to the bid's company when the bid
arrived, and the signature must verify over the envelope the receipt names (whose bytes the
opening then hashes). Whoever can write the database can change any row, but cannot make the
company's signature, nor an LPSE receipt naming another key.

"Bound when the bid arrived" is read from the audit log, not from the key row's dates: the
``signing_key.bind`` event of that key, for that company, must come before the bid's own
``bid.submit`` event, with no later binding that revoked it in between. So even someone who also
holds the receipt-signing key — who can forge a receipt naming a key row of their own — must
rewrite the log's history to pass, which every signed tree head copied out before shows (R-9.8).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lpse.bids import signatures
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.providers.selectors import (
    bound_signing_key,
    signing_key_bound_at,
    signing_key_fingerprint,
)


def required_key(company, *, at=None):
    """The key bound to the company now (or at the moment ``at``), or a refusal that says how
    to get one."""
    key = bound_signing_key(company) if at is None else signing_key_bound_at(company, at)
    if key is None:
        raise DomainError(
            _(
                "%(company)s has no signing key bound by the LPSE verifier, so its bids cannot "
                "be accepted. Make a key on the signing key page of your account and bring its "
                "fingerprint to the verifier."
            )
            % {"company": company.name},
            code="no_signing_key",
        )
    return key


def accepted_key(*, company, tender, sha256: str, size: int, signature: str, at):
    """The key the envelope's signature verifies with — the one bound to the company when its
    last byte arrived (``at``) — or the refusal of an unsigned or wrongly signed bid. Called
    inside the transaction that accepts the bid."""
    key = required_key(company, at=at)
    if not (signature or "").strip():
        raise DomainError(
            _(
                "The bid is not signed. Send it from a browser that holds your company's "
                "signing key (see the signing key page of your account), or choose the "
                "signature file made with lpse apendo sign for this envelope."
            ),
            code="unsigned",
        )
    try:
        signatures.verify(
            public_key=key.public_key,
            signature=signature,
            tender_code=tender.code,
            npwp=company.npwp,
            sha256=sha256,
            size=size,
        )
    except (signatures.SignatureInvalid, ValueError) as exc:
        raise DomainError(
            _(
                "The bid's signature does not verify with the key bound to %(company)s "
                "(fingerprint %(fingerprint)s): %(why)s. Sign this envelope, for tender "
                "%(tender)s, with that key, and send it again."
            )
            % {
                "company": company.name,
                "fingerprint": key.fingerprint_display,
                "why": exc,
                "tender": tender.code,
            },
            code="bad_signature",
        ) from None
    return key


def signature_problem(bid) -> tuple[str, str] | None:
    """Why the opening must not read this bid as its company's (a short code, plain words), or
    None when its signature holds. Run after the receipt check, on a receipt proven genuine."""
    receipt = bid.receipt or {}
    fingerprint, signature = (
        receipt.get("provider_key_fingerprint"),
        receipt.get("provider_signature"),
    )
    if not fingerprint or not signature:
        return "unsigned", _("unsigned: the bid's receipt names no provider signature")
    key = bid.signing_key
    if key is None or bid.signature != signature or key.fingerprint != fingerprint:
        return "bad_signature", _(
            "signature does not verify: the signature or key stored with the bid is not the "
            "one its signed receipt names (fingerprint %(fingerprint)s)"
        ) % {"fingerprint": fingerprint}
    try:
        actual = signing_key_fingerprint(key.public_key)
    except ValueError:
        actual = ""
    if actual != fingerprint:
        return "bad_signature", _(
            "signature does not verify: the stored public key is not the one with fingerprint "
            "%(fingerprint)s that the receipt names"
        ) % {"fingerprint": fingerprint}
    if (
        key.company_id != bid.company_id
        or not key.was_bound_at(bid.submitted_at)
        or not _bound_before_in_the_log(bid, key.pk, fingerprint)
    ):
        return "bad_signature", _(
            "signature does not verify: the key %(fingerprint)s was not bound to the company "
            "when the bid arrived (by the audit log)"
        ) % {"fingerprint": fingerprint}
    try:
        signatures.verify(
            public_key=key.public_key,
            signature=signature,
            tender_code=bid.tender.code,
            npwp=str(receipt.get("provider_npwp", "")),
            sha256=str(receipt.get("sha256", "")),
            size=receipt.get("size", 0),
        )
    except (signatures.SignatureInvalid, ValueError) as exc:
        return "bad_signature", _("signature does not verify: %(why)s") % {"why": exc}
    return None


def _bound_before_in_the_log(bid, key_pk: int, fingerprint: str) -> bool:
    """The key's binding to the bid's company is recorded before the bid's acceptance, and no
    binding of a newer key revoked it in between."""
    submitted = (
        AuditEvent.objects.filter(
            action="bid.submit", object_type="bids.bid", object_id=str(bid.pk)
        )
        .values_list("seq", "data")
        .first()
    )
    if submitted is None or submitted[1].get("signing_key") != fingerprint:
        return False
    bindings = AuditEvent.objects.filter(
        action="signing_key.bind",
        object_type="providers.signingkey",
        seq__lt=submitted[0],
        data__company=bid.company_id,
    ).order_by("seq")
    bound_at = None
    for seq, object_id, data in bindings.values_list("seq", "object_id", "data"):
        if object_id == str(key_pk) and data.get("fingerprint") == fingerprint:
            bound_at = seq
        elif bound_at is not None and fingerprint in data.get("revoked", []):
            bound_at = None  # a newer key replaced it before the bid arrived
    return bound_at is not None


def signing_context(participation, tender) -> dict:
    """What the bid page needs to sign in the browser: the company's bound key (its fingerprint
    picks the key in the browser's store) and the message to sign, with the envelope's SHA-256
    and size left to fill."""
    if participation is None:
        return {}
    company = participation.company
    return {
        "company": company,
        "signing_key": bound_signing_key(company),
        "signed_message": signatures.message_template(tender_code=tender.code, npwp=company.npwp),
    }
