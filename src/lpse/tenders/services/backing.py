"""The backing tender of a non-tender procurement (R-8.6).

The sealed offers of a direct procurement or appointment go through the bids app's Apendo flow
unchanged — browser encryption and signature, the deadline by server time inside the accepting
transaction, receipts, the opening's checks — and that flow is keyed to a tender. So the
procurement is carried by a tender of method ``non_tender``: published when the officer
publishes the short schedule, with the offer window as its bid submission stage, its
participants the invited providers who signed its integrity pact (the invitation and the pact
are their registration: nobody registers for it otherwise), never listed as a tender. Who opens
it is the procurement's officer or team of officers (``selectors.access.openers_of``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.errors import DomainError
from lpse.tenders.models import IntegrityPact, Method, Package, Participation, Tender
from lpse.tenders.services.preparation import schedule_write

# The opening stage has no end of its own in a short schedule; the bids app reads only its start.
OPENING_STAGE = timedelta(days=7)


def backing_schedule(*, offers_open_at: datetime, offers_close_at: datetime, opening_at: datetime):
    """The tender stages the bids app reads, from the procurement's three moments: the
    invitation runs from now until the offers close (registration is by invitation), and so
    does the question window (the clarification stage the tenders Q&A checks): an invited
    provider asks from the invitation until the offers close, and is answered until then."""
    announced = min(timezone.now(), offers_open_at)
    return {
        "announcement": (announced, offers_close_at),
        "clarification": (announced, offers_close_at),
        "bid_submission": (offers_open_at, offers_close_at),
        "bid_opening": (opening_at, opening_at + OPENING_STAGE),
    }


def tender_for_nontender(
    *, package: Package, code: str, offers_open_at, offers_close_at, opening_at
) -> Tender:
    """Make the published backing tender. Called by the nontender app's schedule publication
    inside its transaction, which checked the officer, the state and the moments."""
    if Tender.objects.filter(package=package).exclude(state=Tender.State.CANCELLED).exists():
        raise DomainError(_("This package already has a tender."), code="taken")
    now = timezone.now()
    tender = Tender.objects.create(
        package=package,
        code=code,
        method=Method.NON_TENDER,
        qualification_requirements="",
        state=Tender.State.PUBLISHED,
        published_at=now,
        agency=package.agency,
        opening_threshold=None,  # one officer: 1 of 1; several: a majority, as a committee
    )
    schedule_write(
        tender=tender,
        schedule=backing_schedule(
            offers_open_at=offers_open_at, offers_close_at=offers_close_at, opening_at=opening_at
        ),
    )
    audit.record(actor=None, action="tender.nontender_backing", obj=tender, data={"code": code})
    return tender


def backing_schedule_set(*, tender: Tender, offers_open_at, offers_close_at, opening_at) -> None:
    """An applied change of the procurement's schedule (checked and audited by the nontender
    app) moves the backing tender's stages with it."""
    if tender.method != Method.NON_TENDER:
        raise ValueError(f"{tender.code} is not the backing tender of a non-tender procurement")
    with transaction.atomic():
        schedule_write(
            tender=tender,
            schedule=backing_schedule(
                offers_open_at=offers_open_at,
                offers_close_at=offers_close_at,
                opening_at=opening_at,
            ),
        )


def backing_participant_add(*, tender: Tender, company) -> Participation:
    """An invited provider takes part in the backing tender once it signed the tender's integrity
    pact (R-7.3), as a tender's participant registers only after signing it
    (``participation.participation_register``): the invitation and the pact are its registration
    (R-8.6), so the bids app accepts its offer and nobody else's."""
    if tender.method != Method.NON_TENDER:
        raise ValueError(f"{tender.code} is not the backing tender of a non-tender procurement")
    if not IntegrityPact.objects.filter(
        tender=tender, signer_id=company.user_id, signer_role=IntegrityPact.SignerRole.PROVIDER
    ).exists():
        raise DomainError(
            _("Sign the integrity pact for this procurement first."), code="pact_missing"
        )
    participation, _created = Participation.objects.get_or_create(
        tender=tender, company=company, defaults={"registered_at": timezone.now()}
    )
    return participation
