"""Every write of committees, packages and tenders up to publication (R-8.1, R-8.2, R-7.3)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.catalog.selectors import goods_categories_for_choice, sub_field_by_id
from lpse.core import audit, hooks
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.money import parse_rupiah
from lpse.core.public_cache import public_pages_changed
from lpse.core.storage import store_bytes, store_upload
from lpse.tenders import listing
from lpse.tenders.models import (
    Committee,
    FundingSource,
    IntegrityPact,
    Method,
    Package,
    ScheduleEntry,
    StageMinimum,
    Tender,
    TenderDocument,
)
from lpse.tenders.pacts import pact_pdf
from lpse.tenders.search_index import index_tenders
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import require_committee_member, require_package_owner
from lpse.tenders.services.approval import notify_budget_users, require_approved_for_handover

if TYPE_CHECKING:
    from lpse.accounts.models import User

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def committee_create(*, actor, name: str, members: list[User]) -> Committee:
    require_capability(actor, Cap.MANAGE_COMMITTEES)
    name = name.strip()
    if not name:
        raise DomainError(_("Name the committee."), field="name")
    if not members:
        raise DomainError(_("A committee needs members."), field="members")
    outsiders = [
        m.username
        for m in members
        if m.agency_id != actor.agency_id or not m.has_role(Role.COMMITTEE)
    ]
    if outsiders:
        raise DomainError(
            _("Members must hold the committee role in your agency: %(users)s.")
            % {"users": ", ".join(outsiders)},
            field="members",
        )
    if Committee.objects.filter(agency=actor.agency, name=name).exists():
        raise DomainError(_("Your agency already has a committee with this name."), field="name")
    with transaction.atomic():
        committee = Committee.objects.create(agency=actor.agency, name=name)
        committee.members.set(members)
        audit.record(
            actor=actor,
            action="committee.create",
            obj=committee,
            data={"name": name, "members": sorted(m.username for m in members)},
        )
    return committee


@dataclass
class PackageData:
    name: str
    fiscal_year: int
    budget_ceiling: Decimal | str
    owner_estimate: Decimal | str
    category: str
    sub_field_id: int
    location: str
    funding_source: str


def package_create(*, actor, data: PackageData) -> Package:
    """A PPK creates a package in their agency (R-8.1)."""
    require_capability(actor, Cap.MANAGE_PACKAGES)
    if actor.agency_id is None:
        raise DomainError(_("Your account is not attached to an agency; ask your agency admin."))
    pagu = parse_rupiah(data.budget_ceiling, field="budget_ceiling")
    hps = parse_rupiah(data.owner_estimate, field="owner_estimate")
    if hps > pagu:
        raise DomainError(
            _("The owner estimate (HPS) cannot exceed the budget ceiling (pagu)."),
            field="owner_estimate",
        )
    year = timezone.localdate().year
    if not (year - 1 <= int(data.fiscal_year) <= year + 1):
        raise DomainError(
            _("The fiscal year must be between %(a)d and %(b)d.") % {"a": year - 1, "b": year + 1},
            field="fiscal_year",
        )
    if data.category not in {code for code, _name in goods_categories_for_choice()}:
        raise DomainError(_("Choose a category."), field="category")
    if data.funding_source not in FundingSource.values:
        raise DomainError(_("Choose a funding source."), field="funding_source")
    sub_field = sub_field_by_id(data.sub_field_id)
    if sub_field is None:
        raise DomainError(_("Choose a business sub-field."), field="sub_field")
    if not data.name.strip() or not data.location.strip():
        raise DomainError(_("Give the package a name and a location."), field="name")
    with transaction.atomic():
        package = Package.objects.create(
            agency_id=actor.agency_id,
            ppk=actor,
            name=data.name.strip(),
            fiscal_year=int(data.fiscal_year),
            budget_ceiling=pagu,
            owner_estimate=hps,
            category=data.category,
            sub_field=sub_field,
            location=data.location.strip(),
            funding_source=data.funding_source,
        )
        audit.record(
            actor=actor,
            action="package.create",
            obj=package,
            data={"name": package.name, "pagu": str(pagu), "hps": str(hps)},
        )
        notify_budget_users(package)
    return package


def package_assign(*, actor, package: Package, committee: Committee) -> Package:
    require_package_owner(actor, package)
    if committee.agency_id != package.agency_id:
        raise DomainError(_("Choose a committee of the package's own agency."), field="committee")
    if package.tenders.exclude(state=Tender.State.CANCELLED).exists():
        raise DomainError(_("The package already has a tender; it stays with its committee."))
    # the budget user (PA/KPA) approves the package before it leaves the PPK.
    require_approved_for_handover(package)
    # A package handed to a procurement officer (nontender, R-8.6) stays with them.
    hooks.package_assigning.call(package=package)
    with transaction.atomic():
        package.committee = committee
        package.save(update_fields=["committee"])
        audit.record(
            actor=actor, action="package.assign", obj=package, data={"committee": committee.pk}
        )
    return package


def tender_create(
    *,
    actor,
    package: Package,
    method: str,
    qualification_requirements: str,
    schedule: sched.Schedule,
    retender_of: Tender | None = None,
) -> Tender:
    """The committee sets up the tender as a draft with its full schedule (R-8.2); a re-tender
    of a failed tender names it (``retender_of``)."""
    require_capability(actor, Cap.MANAGE_TENDERS)
    if (
        package.committee_id is None
        or not actor.committees.filter(pk=package.committee_id).exists()
    ):
        raise DomainError(
            _("Only members of the committee the package was handed to may set up its tender."),
            code="forbidden",
        )
    if method not in Method.values:
        raise DomainError(_("Choose a procurement method."), field="method")
    if not qualification_requirements.strip():
        raise DomainError(
            _("State the qualification requirements."), field="qualification_requirements"
        )
    sched.validate(schedule)
    with transaction.atomic():
        tender = Tender.objects.create(
            package=package,
            agency_id=package.agency_id,
            method=method,
            qualification_requirements=qualification_requirements.strip(),
            code=f"draft-{timezone.now().timestamp()}",
            retender_of=retender_of,
        )
        tender.code = f"{package.fiscal_year}{tender.pk:06d}"
        tender.save(update_fields=["code"])
        schedule_write(tender=tender, schedule=schedule)
        audit.record(
            actor=actor,
            action="tender.create",
            obj=tender,
            data={
                "code": tender.code,
                "schedule": sched.to_json(schedule),
                "retender_of": retender_of.code if retender_of else None,
            },
        )
    return tender


def tender_mark_cancelled(*, tender: Tender) -> None:
    """The tender takes no more bids or registrations. Called by the evaluation's cancellation
    (``lpse.evaluation.services.failure.tender_cancel``), which checks who may and records why."""
    Tender.objects.filter(pk=tender.pk, state=Tender.State.PUBLISHED).update(
        state=Tender.State.CANCELLED
    )
    tender.state = Tender.State.CANCELLED
    listing.unlist(tender)
    public_pages_changed()


def schedule_write(*, tender: Tender, schedule: sched.Schedule) -> None:
    """Replace the tender's schedule rows with ``schedule`` (R-8.2). Only the services that
    checked and audit the change call it: creation, the draft's edit, an applied schedule
    change (R-3.3)."""
    tender.schedule.all().delete()
    ScheduleEntry.objects.bulk_create(
        [
            ScheduleEntry(tender=tender, stage=stage, start=start, end=end)
            for stage, (start, end) in schedule.items()
        ]
    )
    if tender.state != Tender.State.DRAFT:
        listing.schedule_changed(tender, schedule)
        public_pages_changed()  # an applied schedule change shows on the public list


def schedule_of(tender: Tender) -> sched.Schedule:
    return {e.stage: (e.start, e.end) for e in tender.schedule.all()}


def tender_schedule_set(*, actor, tender: Tender, schedule: sched.Schedule) -> Tender:
    """Before publication the committee edits the schedule freely; after it, only through a
    schedule change with a reason (R-3.3)."""
    require_committee_member(actor, tender)
    if tender.state != Tender.State.DRAFT:
        raise DomainError(_("The tender is published: submit a schedule change with its reason."))
    sched.validate(schedule)
    with transaction.atomic():
        schedule_write(tender=tender, schedule=schedule)
        audit.record(
            actor=actor,
            action="tender.schedule_set",
            obj=tender,
            data={"schedule": sched.to_json(schedule)},
        )
    return tender


def document_add(
    *,
    actor,
    tender: Tender,
    title: str,
    upload: UploadedFile,
    kind: str = TenderDocument.Kind.TENDER_DOCUMENT,
) -> TenderDocument:
    """Tender documents before publication; addenda after it, which notify participants."""
    from lpse.tenders.services.notifications import notify_addendum

    require_committee_member(actor, tender)
    if kind == TenderDocument.Kind.TENDER_DOCUMENT and tender.state != Tender.State.DRAFT:
        raise DomainError(_("After publication, changes to the documents are issued as addenda."))
    if kind == TenderDocument.Kind.ADDENDUM:
        if tender.state != Tender.State.PUBLISHED:
            raise DomainError(_("Addenda are issued for a published tender."))
        status = sched.status_at(schedule_of(tender), timezone.now())
        bids_closed = tender.schedule.filter(stage="bid_submission", end__lte=timezone.now())
        if bids_closed.exists() or status.finished:
            raise DomainError(_("Bid submission has closed: no more addenda."))
    if not title.strip():
        raise DomainError(_("Give the document a title."), field="title")
    with transaction.atomic():
        blob = store_upload(upload, max_size=MAX_DOCUMENT_BYTES, uploader=actor)
        document = TenderDocument.objects.create(
            tender=tender,
            kind=kind,
            title=title.strip(),
            filename=(upload.name or "")[:200],
            blob=blob,
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action=f"document.add_{kind}",
            obj=document,
            data={"tender": tender.code, "sha256": blob.sha256, "md5": blob.md5, "size": blob.size},
        )
        if kind == TenderDocument.Kind.ADDENDUM:
            notify_addendum(document)
    return document


def pact_sign(*, actor, tender: Tender) -> IntegrityPact:
    """Sign the integrity pact for this tender in the role the signer takes part in (R-7.3)."""
    if tender.package.ppk_id == actor.pk:
        role, company_name = IntegrityPact.SignerRole.PPK, ""
    elif (
        actor.has_role(Role.COMMITTEE)
        and actor.committees.filter(pk=tender.package.committee_id).exists()
    ):
        role, company_name = IntegrityPact.SignerRole.COMMITTEE, ""
    elif actor.has_role(Role.PROVIDER) and hasattr(actor, "company"):
        if tender.state != Tender.State.PUBLISHED:
            raise DomainError(_("This tender is not open."))
        role, company_name = IntegrityPact.SignerRole.PROVIDER, actor.company.name
    else:
        raise DomainError(
            _("You take no part in this tender, so there is no pact for you to sign."),
            code="forbidden",
        )
    existing = IntegrityPact.objects.filter(tender=tender, signer=actor, signer_role=role).first()
    if existing:
        return existing
    pdf = pact_pdf(
        tender=tender,
        signer=actor,
        company_name=company_name,
        signer_role_label=str(IntegrityPact.SignerRole(role).label),
    )
    with transaction.atomic():
        blob = store_bytes(pdf)
        pact = IntegrityPact.objects.create(
            tender=tender, signer=actor, signer_role=role, signed_at=timezone.now(), document=blob
        )
        audit.record(
            actor=actor,
            action="pact.sign",
            obj=pact,
            data={"tender": tender.code, "role": role, "sha256": blob.sha256, "md5": blob.md5},
        )
    return pact


def missing_pacts(tender: Tender) -> list[str]:
    signed = set(tender.pacts.values_list("signer_id", "signer_role"))
    missing = []
    if (tender.package.ppk_id, IntegrityPact.SignerRole.PPK) not in signed:
        missing.append(tender.package.ppk.username)
    committee = tender.package.committee
    for member in committee.members.all() if committee is not None else []:
        if (member.pk, IntegrityPact.SignerRole.COMMITTEE) not in signed:
            missing.append(member.username)
    return missing


def tender_publish(*, actor, tender: Tender) -> Tender:
    """Publishing needs the documents, a schedule whose announcement has not passed, and every
    committee member's (and the PPK's) signed integrity pact."""
    require_committee_member(actor, tender)
    with transaction.atomic():
        tender = Tender.objects.select_for_update().select_related("package").get(pk=tender.pk)
        if tender.state != Tender.State.DRAFT:
            raise DomainError(
                _("This tender is already %(state)s.") % {"state": tender.get_state_display()}
            )
        if not tender.documents.filter(kind=TenderDocument.Kind.TENDER_DOCUMENT).exists():
            raise DomainError(_("Upload the tender document before publishing."))
        missing = missing_pacts(tender)
        if missing:
            raise DomainError(
                _(
                    "Every committee member and the PPK must sign the integrity pact "
                    "first; not yet signed: %(users)s."
                )
                % {"users": ", ".join(missing)}
            )
        schedule = schedule_of(tender)
        sched.validate(schedule)
        if schedule["bid_submission"][0] <= timezone.now():
            raise DomainError(
                _(
                    "Bid submission in this schedule has already started: move the "
                    "schedule forward before publishing."
                )
            )
        # the tender's bid key, split among the committee, before anyone can bid (the
        # bids app makes it; tenders sits below bids and only calls the hook).
        hooks.tender_publishing.call(actor=actor, tender=tender)
        tender.state = Tender.State.PUBLISHED
        tender.published_at = timezone.now()
        tender.save(update_fields=["state", "published_at"])
        index_tenders([tender])  # found by the public list's search from now on
        listing.list_tenders([tender])
        public_pages_changed()
        audit.record(actor=actor, action="tender.publish", obj=tender, data={"code": tender.code})
    return tender


def stage_minimum_set(*, actor, stage: str, working_days: int) -> StageMinimum:
    """The application admin sets how many working days a stage lasts at least (R-8.2)."""
    require_capability(actor, Cap.CONFIGURE_STAGES)
    if stage not in sched.STAGE_ORDER:
        raise DomainError(_("Unknown stage."), field="stage")
    if not 0 <= int(working_days) <= 60:
        raise DomainError(_("Give a number of working days from 0 to 60."), field="working_days")
    with transaction.atomic():
        minimum, _created = StageMinimum.objects.update_or_create(
            stage=stage, defaults={"working_days": int(working_days)}
        )
        audit.record(
            actor=actor,
            action="stage_minimum.set",
            obj=minimum,
            data={"stage": stage, "working_days": int(working_days)},
        )
    return minimum
