"""The integrity pact (R-7.3) as the pages show it: its text before signing, once signed when.
The tender pages and the invitations of a non-tender procurement (R-8.6) read it here."""

from __future__ import annotations

from lpse.tenders.models import IntegrityPact, Tender
from lpse.tenders.pacts import PACT_TEXT


def pact_of(user, tender: Tender, role: str) -> IntegrityPact | None:
    """The pact ``user`` signed for ``tender`` in ``role``, if any."""
    if not user.is_authenticated:
        return None
    return IntegrityPact.objects.filter(tender=tender, signer=user, signer_role=role).first()


def pact_context(user, tender: Tender, role: str) -> dict:
    """What a page needs to show the pact: its text before signing, or when it was signed."""
    return {"my_pact": pact_of(user, tender, role), "pact_text": PACT_TEXT}


def provider_pact_of(user, tender: Tender) -> IntegrityPact | None:
    """The integrity pact ``user`` signed for ``tender`` as a provider, if any."""
    return pact_of(user, tender, IntegrityPact.SignerRole.PROVIDER)


def pact_text() -> list[str]:
    return PACT_TEXT
