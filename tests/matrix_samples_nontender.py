"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the
non-tender pages (R-8.6). The packages belong to the matrix PPK of DPUPR and are handed to the
matrix procurement officer, so the roles holding the capabilities reach the pages."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.core.storage import store_bytes
from lpse.nontender.models import CatalogueOrder, Invitation, Method, Offer, Procurement
from lpse.nontender.services.award import procurement_award
from lpse.nontender.services.handover import procurement_handover
from lpse.nontender.services.schedule import schedule_publish
from lpse.tenders.models import Participation, Question
from lpse.tenders.services import approval, preparation
from tests.tender_fixtures import package_data

OBJECT_SCOPED: dict = {
    "nontender:purchase_order": (
        frozenset({Role.PROCUREMENT_OFFICER, Role.PPK}),
        "the purchase order is for the officer, the PPK and the chosen provider",
    ),
    "nontender:evidence": (
        frozenset({Role.PROCUREMENT_OFFICER, Role.PPK}),
        "a direct appointment's evidence is for the officer and the PPK",
    ),
}
# The key ceremony and the opening (capability bids.open) are for a tender's openers: the sample
# tender is the matrix committee's; a procurement officer opens only the backing tender of their
# own procurement (R-8.6, tenders.selectors.access.openers_of).
OBJECT_SCOPED.update(
    {
        name: (
            frozenset({Role.COMMITTEE}),
            "the sample tender is opened by its committee; an officer opens their own offers",
        )
        for name in (
            "bids:tender_key",
            "bids:opening",
            "bids:opening_report",
            "bids:unopenable_request",
        )
    }
)


def _package(ppk, budget_user, name: str):
    package = preparation.package_create(
        actor=ppk,
        data=package_data(name=name, budget_ceiling="180.000.000", owner_estimate="150.000.000"),
    )
    approval.package_approve(actor=budget_user, package=package)
    return package


def _with_offer(procurement: Procurement, company) -> Offer:
    # Rows as the invitation and the opening leave them (the sample company is not verified,
    # which the invitation service would refuse; the matrix only needs the objects).
    now = timezone.now()
    invitation = Invitation.objects.create(
        procurement=procurement,
        company=company,
        invited_by=procurement.officers.first(),
        invited_at=now,
    )
    return Offer.objects.create(invitation=invitation, price="140000000", opened_at=now)


def _question(ppk, budget_user, officer, company) -> tuple[Procurement, Question]:
    """A published procurement (its backing tender made) with the matrix provider invited and
    a question of theirs waiting for the officer's answer (R-8.6 with R-8.3)."""
    procurement = procurement_handover(
        actor=ppk,
        package=_package(ppk, budget_user, "Perbaikan Saluran Pasar"),
        officers=[officer],
        method=Method.DIRECT_PROCUREMENT,
    )
    now = timezone.now()
    Invitation.objects.create(
        procurement=procurement, company=company, invited_by=officer, invited_at=now
    )
    procurement = schedule_publish(
        actor=officer,
        procurement=procurement,
        offers_open_at=now + timedelta(days=1),
        offers_close_at=now + timedelta(days=2),
        opening_at=now + timedelta(days=2),
    )
    question = Question.objects.create(
        tender=procurement.tender,
        # The row the provider's signed pact leaves (the sample company is not verified).
        participation=Participation.objects.get_or_create(
            tender=procurement.tender, company=company, defaults={"registered_at": now}
        )[0],
        text="Apakah pasir boleh dari Sungai Maros?",
        asked_at=now,
    )
    return procurement, question


def samples(company, make_user) -> dict[str, object]:
    ppk = make_user(Role.PPK)  # the matrix's own PPK and officer (make_user is get_or_create)
    officer = make_user(Role.PROCUREMENT_OFFICER)
    budget_user = make_user(Role.BUDGET_USER, username="pa-sampel-nontender")
    running = procurement_handover(
        actor=ppk,
        package=_package(ppk, budget_user, "Perbaikan Pagar Puskesmas"),
        officers=[officer],
        method=Method.DIRECT_PROCUREMENT,
    )
    offer = _with_offer(running, company)
    done = procurement_handover(
        actor=ppk,
        package=_package(ppk, budget_user, "Pengecatan Kantor Camat"),
        officers=[officer],
        method=Method.DIRECT_PROCUREMENT,
    )
    done_offer = _with_offer(done, company)
    Procurement.objects.filter(pk=done.pk).update(state=Procurement.State.OPENED)
    procurement_award(actor=officer, procurement=done, offer=done_offer)
    waiting = _package(ppk, budget_user, "Perbaikan Talang Sekolah")
    # A direct appointment's evidence, stored as the hand-over stores it (unscanned here: the
    # matrix runs without a clamd).
    appointed = procurement_handover(
        actor=ppk,
        package=_package(ppk, budget_user, "Jembatan Darurat Desa Alatengae"),
        officers=[officer],
        method=Method.DIRECT_PROCUREMENT,
    )
    Procurement.objects.filter(pk=appointed.pk).update(
        method=Method.DIRECT_APPOINTMENT,
        justification="emergency",
        justification_note="Banjir",
        evidence=store_bytes(b"%PDF-1.4 SK tanggap darurat"),
        evidence_filename="sk-darurat.pdf",
    )
    procurement_kwargs = {"pk": running.pk, "offer_pk": offer.pk}
    asked, question = _question(ppk, budget_user, officer, make_user(Role.PROVIDER).company)
    order = CatalogueOrder.objects.create(
        code="EP-SAMPEL-1",
        agency=ppk.agency,
        ppk=ppk,
        company=make_user(Role.PROVIDER).company,
        delivery_address="Kantor Dinas PUPR",
        ordered_at=timezone.now(),
    )
    by_order = {"pk": order.pk}
    # The matrix provider's invitation, whose integrity pact it signs (issue 20).
    invitation = Invitation.objects.create(
        procurement=running,
        company=make_user(Role.PROVIDER).company,
        invited_by=officer,
        invited_at=timezone.now(),
    )
    return {
        "nontender:detail": {"pk": running.pk},
        "nontender:invite": {"pk": running.pk},
        "nontender:schedule_publish": {"pk": running.pk},
        "nontender:schedule_change": {"pk": running.pk},
        "nontender:negotiate": procurement_kwargs,
        "nontender:award": procurement_kwargs,
        "nontender:handover": {"pk": waiting.pk},
        # The matrix provider is invited to the procurement whose question the officer answers.
        "nontender:ask": {"pk": asked.pk},
        "nontender:answer": {"pk": asked.pk, "question_pk": question.pk},
        "nontender:purchase_order": {"pk": done.pk},
        "nontender:evidence": {"pk": appointed.pk},
        "nontender:order_receive": by_order,
        "nontender:order_confirm": by_order,
        "nontender:order_decline": by_order,
        "nontender:order_deliver": by_order,
        "nontender:invitation_pact": {"pk": invitation.pk},
    }
