"""Demo tenders: a committee of three, and tenders at different stages so every page has
something to show. Created through the services (pacts, documents, publication), then — demo
only — moved back in time so that some are already running."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from lpse.accounts.models import User
from lpse.accounts.roles import Role
from lpse.bids import offline, opening_keys
from lpse.bids.services.opening_keys import opening_key_set
from lpse.catalog.models import BusinessSubField
from lpse.demo.names import demo_password, demo_username
from lpse.tenders.listing import list_tenders
from lpse.tenders.models import Committee, ScheduleEntry, Tender
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.sample import sample_schedule
from lpse.tenders.services import approval
from lpse.tenders.services import preparation as services

COMMITTEE_NAME = "Pokja Pemilihan 1 DPUPR"

DEMO_TENDERS = [
    # (package name, sub-field, HPS, days the schedule is moved back)
    ("Rehabilitasi Gedung SD Negeri 12 Turikale", "K01", "1425750000", 3),
    ("Peningkatan Jalan Poros Bantimurung", "K02", "4870000000", 1),
    ("Normalisasi Saluran Irigasi Lau", "K03", "985500000", 12),
]


def _valid_base(after):
    """The first Monday after ``after`` whose sample schedule meets every rule (holidays!)."""
    day = after + timedelta(days=(7 - after.weekday()) % 7 or 7)
    for _ in range(20):
        if not sched.problems_of(sample_schedule(day)):
            return day
        day += timedelta(days=7)
    raise RuntimeError("no valid demo schedule in 20 weeks")


def load(*, agency, ppk: User, agency_admin: User, make_member) -> None:
    if Committee.objects.filter(name=COMMITTEE_NAME).exists():
        return
    members = [
        User.objects.get(username="demo.committee"),
        make_member("demo.pokja-2"),
        make_member("demo.pokja-3"),
    ]
    committee = services.committee_create(actor=agency_admin, name=COMMITTEE_NAME, members=members)
    for member in members:
        # Demo only: each member's opening passphrase is their demo password (shown on the
        # home page), so the opening ceremony can be tried at once. Outside demo mode the
        # server refuses it. The key is made here as a member's browser would make it.
        recipient, sealed = opening_keys.seal_new_identity(demo_password(Role.COMMITTEE))
        opening_key_set(actor=member, recipient=recipient, sealed_identity=sealed)
    now = timezone.now()
    for name, sub_field, hps, days_back in DEMO_TENDERS:
        package = services.package_create(
            actor=ppk,
            data=services.PackageData(
                name=name,
                fiscal_year=now.year,
                budget_ceiling=str(int(int(hps) * 1.05)),
                owner_estimate=hps,
                category="works",
                sub_field_id=BusinessSubField.objects.get(code=sub_field).pk,
                location="Kabupaten Maros",
                funding_source="apbd",
            ),
        )
        # the demo's budget user (PA/KPA) approves before the PPK hands it over.
        approval.package_approve(
            actor=User.objects.get(username=demo_username(Role.BUDGET_USER)), package=package
        )
        services.package_assign(actor=ppk, package=package, committee=committee)
        tender = services.tender_create(
            actor=members[0],
            package=package,
            method="postqual_1file_lowest",
            qualification_requirements="Memiliki SBU sesuai sub-bidang; pengalaman paling "
            "sedikit 1 pekerjaan sejenis dalam 4 tahun terakhir.",
            schedule=sample_schedule(_valid_base(now)),
        )
        services.document_add(
            actor=members[0],
            tender=tender,
            title="Dokumen Tender",
            upload=SimpleUploadedFile(
                f"dokumen-tender-{tender.code}.txt", f"Dokumen tender {name}\n".encode()
            ),
        )
        for user in [ppk, *members]:
            services.pact_sign(actor=user, tender=tender)
        # The web app makes no key: the demo makes it as lpse apendo keygen would.
        offline.make_tender_key(actor=members[0], tender=tender)
        services.tender_publish(actor=members[0], tender=tender)
        # Demo only: move the schedule so that its first day is ``days_back`` days ago and
        # the tender is running today.
        delta = (timezone.localdate() - timedelta(days=days_back)) - _valid_base(now).date()
        ScheduleEntry.objects.filter(tender=tender).update(
            start=F("start") + delta, end=F("end") + delta
        )
        Tender.objects.filter(pk=tender.pk).update(published_at=F("published_at") + delta)
        list_tenders([Tender.objects.select_related("package").get(pk=tender.pk)])
        if days_back >= 10:
            _demo_bid(Tender.objects.get(pk=tender.pk), days_back)


def _demo_bid(tender: Tender, days_back: int) -> None:
    """Demo only: the demo provider's sealed bid on a tender whose submission has closed, so
    the opening ceremony has something to open. Written directly — the deadline has passed."""
    from decimal import Decimal

    import pyrage
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from pyrage import x25519

    from lpse.bids import envelope, receipts, signatures
    from lpse.bids.models import Bid
    from lpse.core import audit
    from lpse.core.storage import store_bytes
    from lpse.providers import key_material
    from lpse.providers.models import Company, SigningKey
    from lpse.tenders.models import Participation

    company = Company.objects.get(user__username="demo.provider")
    sent_at = tender.schedule.get(stage="bid_submission").end - timedelta(hours=2)
    Participation.objects.get_or_create(
        tender=tender, company=company, defaults={"registered_at": sent_at}
    )
    offer = envelope.Offer(
        tender=tender.code,
        total_price=Decimal("949750000"),
        validity_days=60,
        declarations=["integrity"],
    )
    plain = envelope.pack(offer, [])
    sealed = pyrage.encrypt(plain, [x25519.Recipient.from_str(tender.bid_key.recipient)])
    blob = store_bytes(sealed)
    # signed with a key bound to the company before it was sent (demo only: made and
    # bound here, its private half dropped once the bid is signed).
    private = Ed25519PrivateKey.generate()
    public = signatures.public_key_of(private)
    key = SigningKey.objects.create(
        company=company,
        state=SigningKey.State.REVOKED,  # the demo provider binds its own key to bid again
        public_key=public,
        fingerprint=key_material.fingerprint(key_material.public_key_bytes(public)),
        proposed_by=company.user,
        proposed_at=sent_at - timedelta(days=1),
        bound_at=sent_at - timedelta(days=1),
        revoked_at=sent_at + timedelta(hours=1),
    )
    audit.record(
        actor=None,
        action="signing_key.bind",
        obj=key,
        data={"company": company.pk, "fingerprint": key.fingerprint, "revoked": []},
    )
    signature = signatures.sign(
        private, tender_code=tender.code, npwp=company.npwp, sha256=blob.sha256, size=blob.size
    )
    bid = Bid.objects.create(
        tender=tender,
        company=company,
        submitted_by=company.user,
        envelope=blob,
        submitted_at=sent_at,
        receipt={},
        signature=signature,
        signing_key=key,
    )
    bid.receipt = receipts.sign(
        {
            "bid": bid.pk,
            "tender": tender.code,
            "provider": company.name,
            "provider_npwp": company.npwp,
            "user_id": company.user.username,
            "md5": blob.md5,
            "sha256": blob.sha256,
            "size": blob.size,
            "received_at": sent_at.isoformat(),
            "replaces": [],
            "provider_key_fingerprint": key.fingerprint,
            "provider_signature": signature,
        }
    )
    bid.save(update_fields=["receipt"])
    audit.record(
        actor=company.user,
        action="bid.submit",
        obj=bid,
        data={"tender": tender.code, "sha256": blob.sha256, "signing_key": key.fingerprint},
    )
