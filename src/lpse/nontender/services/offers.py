"""The sealed offers of a non-tender procurement (R-8.6) through the bids app's Apendo flow.

The procurement is carried by a backing tender (``tenders.services.backing``): made when the
officer publishes the short schedule, its bid submission stage the offer window, its
participants the invited providers who signed its integrity pact (R-7.3, ``offer_pact_sign``).
An officer makes its key in the browser as a committee member does — sealed to their own opening
key (1 of 1), or split among the team (k of n) — and the officer(s) open the offers at the
opening; the opening's prices become the procurement's ``Offer`` rows here.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.bids import selectors as bids_selectors
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.nontender.models import Invitation, Offer, Procurement
from lpse.tenders.services import backing, preparation


def backing_tender_make(procurement: Procurement) -> None:
    """Inside the schedule's publication (its transaction, its checks): the backing tender. An
    invited provider takes part in it once it signs its integrity pact (``offer_pact_sign``),
    which needs the tender published."""
    tender = backing.tender_for_nontender(
        package=procurement.package,
        code=procurement.code,
        offers_open_at=procurement.offers_open_at,
        offers_close_at=procurement.offers_close_at,
        opening_at=procurement.opening_at,
    )
    procurement.tender = tender
    procurement.save(update_fields=["tender"])


def offer_pact_sign(*, actor, invitation: Invitation):
    """The invited provider signs the backing tender's integrity pact (R-7.3) — the tender
    flow's own ``pact_sign``, the same PDF and audit — and so takes part in it: its sealed offer
    is taken from then on (R-8.6). Until the schedule is published there is no pact to sign."""
    require_capability(actor, Cap.PARTICIPATE)
    if invitation.company.user_id != actor.pk:
        raise DomainError(_("This invitation is not addressed to you."), code="forbidden")
    with transaction.atomic():
        procurement = Procurement.objects.select_for_update().get(pk=invitation.procurement_id)
        if procurement.tender is None or procurement.state != Procurement.State.INVITING:
            raise DomainError(
                _(
                    "The integrity pact is signed once the officer has published the schedule, "
                    "until the offers are opened."
                ),
                code="wrong_state",
            )
        pact = preparation.pact_sign(actor=actor, tender=procurement.tender)
        backing.backing_participant_add(tender=procurement.tender, company=invitation.company)
    return pact


def backing_schedule_follow(procurement: Procurement) -> None:
    """An applied schedule change moves the backing tender's stages with the procurement's."""
    if procurement.tender is not None:
        backing.backing_schedule_set(
            tender=procurement.tender,
            offers_open_at=procurement.offers_open_at,
            offers_close_at=procurement.offers_close_at,
            opening_at=procurement.opening_at,
        )


def openers_of_backing(tender) -> list | None:
    """Registered on ``hooks.tender_openers``: the procurement's officer opens a backing tender's
    offers (its key split 1 of 1), or its team of officers (split k of n, a majority, as a
    committee's: ``bids.services.tender_keys``); None for a tender that backs no procurement."""
    procurement = Procurement.objects.filter(tender=tender).first()
    return None if procurement is None else list(procurement.officers.all())


def offers_record(*, tender, actor) -> None:
    """Registered on ``hooks.bids_opened`` (inside the opening's transaction): each opened
    offer's price becomes the invited provider's ``Offer``, and the procurement moves to the
    negotiation. An offer that did not open (R-3.1) records no price."""
    procurement = Procurement.objects.select_for_update().filter(tender=tender).first()
    if procurement is None:
        return
    invitations = {i.company_id: i for i in procurement.invitations.all()}
    now = timezone.now()
    recorded = []
    for opened in bids_selectors.opened_bids_of(tender).select_related("bid"):
        invitation = invitations.get(opened.bid.company_id)
        if invitation is None or opened.total_price is None:
            continue
        Offer.objects.create(
            invitation=invitation, bid=opened.bid, price=opened.total_price, opened_at=now
        )
        recorded.append({"company": invitation.company_id, "price": str(opened.total_price)})
    procurement.state = Procurement.State.OPENED
    procurement.save(update_fields=["state"])
    audit.record(
        actor=actor,
        action="nontender.offers_opened",
        obj=procurement,
        data={"procurement": procurement.code, "offers": recorded},
    )
