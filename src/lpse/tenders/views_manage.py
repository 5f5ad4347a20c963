"""Workspaces: the agency admin's committees, the PPK's packages, the committee's tenders, and
the administrator's schedule-change desk."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core.capabilities import Cap, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect, submit_form
from lpse.tenders.forms import (
    AnswerForm,
    ApprovalAgainForm,
    AssignForm,
    CommitteeForm,
    DocumentForm,
    PackageForm,
    RefuseForm,
    ScheduleForm,
    StageMinimumForm,
    TenderForm,
)
from lpse.tenders.models import (
    Committee,
    IntegrityPact,
    Question,
    ScheduleChange,
    Tender,
    TenderDocument,
)
from lpse.tenders.pacts import PACT_TEXT
from lpse.tenders.selectors import listings as selectors
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import committee_tender
from lpse.tenders.selectors.pacts import pact_context
from lpse.tenders.services import participation
from lpse.tenders.services import preparation as services
from lpse.tenders.services import schedule_changes as changes
from lpse.tenders.stages import Stage
from lpse.tenders.views_actions import documents_open

COMMITTEE_PAGE_SIZE = 25


def _schedule_error(form, exc: DomainError) -> None:
    for problem in getattr(exc, "problems", [exc.message]):
        form.add_error(None, problem)


@requires(Cap.MANAGE_COMMITTEES)
def committees(request):
    return submit_form(
        request,
        CommitteeForm(request.POST or None, agency=request.user.agency),
        lambda data: services.committee_create(
            actor=request.user, name=data["name"], members=list(data["members"])
        ),
        success=_("Committee created."),
        done=lambda _result: redirect("tenders:committees"),
        again=lambda form: render(
            request,
            "tenders/committees.html",
            {
                "form": form,
                "committees": Committee.objects.filter(agency=request.user.agency).prefetch_related(
                    "members"
                ),
            },
        ),
    )


@requires(Cap.MANAGE_PACKAGES)
def packages(request):
    return render(
        request, "tenders/packages.html", {"packages": selectors.packages_of_ppk(request.user)}
    )


@requires(Cap.MANAGE_PACKAGES)
def package_create(request):
    return submit_form(
        request,
        PackageForm(request.POST or None),
        lambda data: services.package_create(
            actor=request.user,
            data=services.PackageData(
                name=data["name"],
                fiscal_year=data["fiscal_year"],
                budget_ceiling=data["budget_ceiling"],
                owner_estimate=data["owner_estimate"],
                category=data["category"],
                sub_field_id=data["sub_field"].pk,
                location=data["location"],
                funding_source=data["funding_source"],
            ),
        ),
        success=_(
            "Package created. Once your budget user (PA/KPA) approves it, hand it to a committee."
        ),
        done=lambda package: redirect("tenders:package_detail", package.pk),
        again=lambda form: render(
            request, "form.html", {"form": form, "title": _("New procurement package")}
        ),
    )


@requires(Cap.MANAGE_PACKAGES)
def package_detail(request, pk: int):
    package = get_object_or_404(selectors.packages_of_ppk(request.user), pk=pk)
    return submit_form(
        request,
        AssignForm(
            request.POST or None, committees=Committee.objects.filter(agency_id=package.agency_id)
        ),
        lambda data: services.package_assign(
            actor=request.user, package=package, committee=data["committee"]
        ),
        success=_("The package was handed to the committee."),
        done=lambda _result: redirect("tenders:package_detail", package.pk),
        again=lambda form: render(
            request,
            "tenders/package_detail.html",
            {
                "package": package,
                "form": form,
                "tenders": package.tenders.all(),
                "pact_text": PACT_TEXT,
                "signed_tender_ids": set(
                    package.tenders.filter(
                        pacts__signer=request.user,
                        pacts__signer_role=IntegrityPact.SignerRole.PPK,
                    ).values_list("pk", flat=True)
                ),
                "again_form": ApprovalAgainForm(),
            },
        ),
    )


@requires(Cap.MANAGE_PACKAGES)
@require_POST
def ppk_sign_pact(request, code: str):
    tender = get_object_or_404(Tender, code=code, package__ppk=request.user)
    services.pact_sign(actor=request.user, tender=tender)
    messages.success(request, _("You signed the integrity pact."))
    return redirect("tenders:package_detail", tender.package_id)


@requires(Cap.MANAGE_TENDERS)
def committee_home(request):
    # Paged: a committee that has worked for years has hundreds of packages (bench/mixed_load.py
    # found the unpaged list the first page to pass 1 s under load).
    q = request.GET.get("q", "").strip()[:100]
    packages = selectors.packages_of_committee_member(request.user, query=q)
    page = Paginator(packages, COMMITTEE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tenders/committee_home.html",
        {"page": page, "q": q, "query": urlencode({"q": q}) if q else ""},
    )


@requires(Cap.MANAGE_TENDERS)
def tender_create(request, package_pk: int):
    package = get_object_or_404(selectors.packages_of_committee_member(request.user), pk=package_pk)
    form = TenderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tender = services.tender_create(
                actor=request.user,
                package=package,
                method=form.cleaned_data["method"],
                qualification_requirements=form.cleaned_data["qualification_requirements"],
                schedule=form.schedule(),
            )
        except DomainError as exc:
            _schedule_error(form, exc)
        else:
            messages.success(
                request, _("Tender %(code)s created as a draft.") % {"code": tender.code}
            )
            return redirect("tenders:manage", tender.code)
    return render(request, "tenders/tender_form.html", {"form": form, "package": package})


@requires(Cap.MANAGE_TENDERS)
def manage(request, code: str):
    tender = committee_tender(request.user, code)
    # Before publication a document is the tender document; after it, an addendum.
    kind = (
        TenderDocument.Kind.TENDER_DOCUMENT
        if tender.state == Tender.State.DRAFT
        else TenderDocument.Kind.ADDENDUM
    )
    return submit_form(
        request,
        DocumentForm(request.POST or None, request.FILES or None),
        lambda data: services.document_add(
            actor=request.user, tender=tender, kind=kind, title=data["title"], upload=data["file"]
        ),
        success=_("Document uploaded."),
        done=lambda _result: redirect("tenders:manage", code),
        again=lambda form: render(
            request,
            "tenders/manage.html",
            {
                "tender": tender,
                "form": form,
                "documents": tender.documents.select_related("blob"),
                "missing_pacts": services.missing_pacts(tender),
                # Offered only while allowed: no addendum once bids have closed (issue 15).
                "documents_open": documents_open(tender),
                **pact_context(request.user, tender, IntegrityPact.SignerRole.COMMITTEE),
                "pacts": tender.pacts.select_related("signer", "document"),
                "questions": tender.questions.all(),
                "answer_form": AnswerForm(),
                "changes": tender.schedule_changes.select_related("requested_by", "decided_by"),
            },
        ),
    )


def _manage_action(request, code: str, action, success: str):
    tender = committee_tender(request.user, code)
    return act_and_redirect(request, lambda: action(tender), success, "tenders:manage", code)


@requires(Cap.MANAGE_TENDERS)
@require_POST
def committee_sign_pact(request, code: str):
    return _manage_action(
        request,
        code,
        lambda t: services.pact_sign(actor=request.user, tender=t),
        _("You signed the integrity pact."),
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def publish(request, code: str):
    return _manage_action(
        request,
        code,
        lambda t: services.tender_publish(actor=request.user, tender=t),
        _("The tender is published."),
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def answer(request, code: str, question_pk: int):
    text = request.POST.get("answer", "")

    def act(tender):
        question = get_object_or_404(Question, pk=question_pk, tender=tender)
        participation.question_answer(actor=request.user, question=question, answer=text)

    return _manage_action(request, code, act, _("Answer published to all participants."))


@requires(Cap.MANAGE_TENDERS)
def schedule_edit(request, code: str):
    """A draft's schedule is edited; a published tender's goes through a change request."""
    tender = committee_tender(request.user, code)
    form = ScheduleForm(request.POST or None, initial_schedule=services.schedule_of(tender))
    if request.method == "POST" and form.is_valid():
        try:
            if tender.state == Tender.State.DRAFT:
                services.tender_schedule_set(
                    actor=request.user, tender=tender, schedule=form.schedule()
                )
                done = _("Schedule saved.")
            else:
                change = changes.schedule_change_request(
                    actor=request.user,
                    tender=tender,
                    new_schedule=form.schedule(),
                    reason=form.cleaned_data["reason"],
                )
                done = (
                    _("Schedule changed; participants were notified.")
                    if change.state == ScheduleChange.State.APPLIED
                    else _("Change submitted to the LPSE administrator.")
                )
        except DomainError as exc:
            if exc.field == "reason":
                form.add_error("reason", exc.message)
            else:
                _schedule_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("tenders:manage", code)
    return render(request, "tenders/schedule_form.html", {"form": form, "tender": tender})


@requires(Cap.APPLY_SCHEDULE_CHANGES)
def schedule_changes(request):
    return render(
        request,
        "tenders/schedule_changes.html",
        {"changes": selectors.pending_schedule_changes(), "refuse_form": RefuseForm()},
    )


@requires(Cap.APPLY_SCHEDULE_CHANGES)
@require_POST
def schedule_change_decide(request, pk: int):
    change = get_object_or_404(ScheduleChange, pk=pk)
    if request.POST.get("decision") == "apply":
        return act_and_redirect(
            request,
            lambda: changes.schedule_change_apply(actor=request.user, change=change),
            _("Schedule change applied; participants were notified."),
            "tenders:schedule_changes",
        )
    return act_and_redirect(
        request,
        lambda: changes.schedule_change_refuse(
            actor=request.user, change=change, note=request.POST.get("note", "")
        ),
        _("Schedule change refused."),
        "tenders:schedule_changes",
    )


@requires(Cap.CONFIGURE_STAGES)
def stage_minimums(request):

    def page(form):
        current = sched.minimums()
        rows = [(label, current.get(stage, 0)) for stage, label in Stage.choices]
        return render(request, "tenders/stage_minimums.html", {"form": form, "rows": rows})

    return submit_form(
        request,
        StageMinimumForm(request.POST or None),
        lambda data: services.stage_minimum_set(actor=request.user, **data),
        success=_("Minimum saved; it applies to schedules set from now on."),
        done=lambda _result: redirect("tenders:stage_minimums"),
        again=page,
    )
