"""Kemampuan dasar (basic capability) in the qualification of construction works (R-8.4, R-5.6).

For works packages reserved to non-small businesses the provider's basic capability — three
times its highest past contract value brought to today's prices with the administrator's price
index (``lpse.providers.selectors.basic_capability``) — must reach the owner estimate (HPS).
Packages up to ``SMALL_BUSINESS_CEILING`` are reserved for small businesses (Perpres 12/2021,
art. 65), where the basic capability is not required; the committee still sees it.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from lpse.core.calendar import to_wita
from lpse.providers.selectors import BasicCapability, basic_capability
from lpse.tenders.selectors.lookup import is_works
from lpse.tenders.services.preparation import schedule_of

SMALL_BUSINESS_CEILING = Decimal("15000000000")


def applies(tender) -> bool:
    package = tender.package
    return is_works(package) and package.owner_estimate > SMALL_BUSINESS_CEILING


def capability_of(bid) -> BasicCapability | None:
    """The bidder's basic capability for this package, for works packages only: from the
    experience it had completed by the bid deadline and recorded by the time it bid, so nothing
    added during the evaluation counts."""
    if not is_works(bid.tender.package):
        return None
    deadline = schedule_of(bid.tender)["bid_submission"][1]
    return basic_capability(
        bid.company,
        sub_field=bid.tender.package.sub_field,
        at=to_wita(deadline).date(),
        recorded_by=bid.submitted_at,
    )


def shortfall(bid) -> str:
    """Why the bid cannot pass qualification on its basic capability, or "" when it can."""
    if not applies(bid.tender):
        return ""
    capability = capability_of(bid)
    hps = bid.tender.package.owner_estimate
    if capability.value >= hps:
        return ""
    return _(
        "The basic capability (kemampuan dasar) of %(company)s is Rp %(kd)s, below the owner "
        "estimate (HPS) of Rp %(hps)s: it fails qualification. %(explanation)s"
    ) % {
        "company": bid.company.name,
        "kd": f"{capability.value:,.2f}",
        "hps": f"{hps:,.2f}",
        "explanation": capability.explanation,
    }
