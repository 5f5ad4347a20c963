from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core import public_limits
from lpse.core.capabilities import Cap, public, requires
from lpse.core.documents import pdf_response
from lpse.core.errors import DomainError
from lpse.core.forms import add_domain_error
from lpse.providers import selectors, service_hours
from lpse.providers.forms import (
    ChecklistItemForm,
    EmailStartForm,
    RegistrationForm,
    VerificationForm,
)
from lpse.providers.models import Company, VerificationItem
from lpse.providers.pdf import FORM_KINDS, form_pdf
from lpse.providers.services import registration as services


@public
def register(request):
    """R-1.1/R-1.2/R-1.6: the e-mail, the two forms to download, the warnings."""
    form = EmailStartForm(request.POST or None)
    refusal = public_limits.count_post(request)
    public_limits.refuse_form(form, refusal)
    if not refusal and request.method == "POST" and form.is_valid():
        try:
            services.registration_start(email=form.cleaned_data["email"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return render(
                request, "providers/link_sent.html", {"email": form.cleaned_data["email"]}
            )
    return public_limits.answer(render(request, "providers/register.html", {"form": form}), refusal)


@public
def register_form(request, token: str):
    try:
        invite = services.registration_invite_check(token)
    except DomainError as exc:
        return render(request, "providers/link_problem.html", {"problem": exc.message}, status=410)
    form = RegistrationForm(request.POST or None)
    refusal = public_limits.count_post(request)
    public_limits.refuse_form(form, refusal)
    if not refusal and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            company = services.registration_submit(
                token=token,
                data=services.RegistrationData(
                    legal_form=data["legal_form"],
                    name=data["name"],
                    npwp=data["npwp"],
                    nib=data["nib"],
                    address=data["address"],
                    city=data["city"],
                    phone=data["phone"],
                    director_name=data["director_name"],
                    user_id=data["user_id"],
                    sub_field_ids=[s.pk for s in data["sub_fields"]],
                ),
            )
        except DomainError as exc:
            if exc.code in ("used_link", "expired_link", "invalid_link"):
                return render(
                    request, "providers/link_problem.html", {"problem": exc.message}, status=410
                )
            add_domain_error(form, exc)
        else:
            return redirect("providers:registration_done", company.forms_ref)
    return public_limits.answer(
        render(request, "providers/register_form.html", {"form": form, "invite": invite}), refusal
    )


# A reference as the registration service makes it (``secrets.token_urlsafe(32)``): 43 chars.
UNGUESSABLE_REF_LENGTH = 43


def _company_for_forms(request, ref: str) -> Company:
    """The company whose filled forms ``ref`` opens, for this visitor only.

    The reference in the registration e-mail is the key to the filled forms (NPWP, address,
    director), so it must be unguessable. A shorter one (the demo's ``demo-<user>`` was one)
    is no key: then only the signed-in owner sees the forms, everyone else a 404.
    """
    company = get_object_or_404(Company.objects.select_related("user"), forms_ref=ref)
    is_owner = request.user.is_authenticated and request.user.pk == company.user_id
    if len(ref) < UNGUESSABLE_REF_LENGTH and not is_owner:
        raise Http404
    return company


@public
def registration_done(request, ref: str):
    company = _company_for_forms(request, ref)
    return render(
        request,
        "providers/registration_done.html",
        {"company": company, "requirements": selectors.published_checklist()},
    )


@public
def blank_form_pdf(request, kind: str):
    if kind not in FORM_KINDS:
        raise Http404
    return pdf_response(form_pdf(kind, None), f"formulir-{kind}.pdf", kind="provider_form")


@public
def form_pdf_view(request, ref: str, kind: str):
    """Filled forms; the unguessable reference from the registration e-mail is the key."""
    if kind not in FORM_KINDS:
        raise Http404
    company = _company_for_forms(request, ref)
    return pdf_response(
        form_pdf(kind, company),
        f"formulir-{kind}-{company.user.username}.pdf",
        kind="provider_form",
    )


@public
def requirements(request):
    return render(
        request, "providers/requirements.html", {"requirements": selectors.published_checklist()}
    )


@requires(Cap.VIEW_REGISTRATIONS)
def queue(request):
    state = request.GET.get("state", Company.State.AWAITING_VERIFICATION)
    if state not in Company.State.values and state != "":
        state = Company.State.AWAITING_VERIFICATION
    page = Paginator(
        selectors.registration_queue(query=request.GET.get("q", ""), state=state), 25
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "providers/queue.html",
        {
            "page": page,
            "q": request.GET.get("q", ""),
            "state": state,
            "states": Company.State.choices,
        },
    )


@requires(Cap.VIEW_REGISTRATIONS)
def registration_detail(request, pk: int):
    company = get_object_or_404(Company.objects.select_related("user"), pk=pk)
    can_verify = Cap.VERIFY_PROVIDERS in request.user.capabilities()
    if request.method == "GET":
        services.verification_open(actor=request.user, company=company)
    form = VerificationForm(request.POST or None, items=selectors.published_checklist())
    if request.method == "POST":
        if not can_verify:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(Cap.VERIFY_PROVIDERS)
        if form.is_valid():
            checks = [
                services.CheckResult(
                    item.pk,
                    form.cleaned_data[f"ok_{item.pk}"],
                    form.cleaned_data[f"note_{item.pk}"],
                )
                for item in form.items
            ]
            try:
                services.verification_decide(
                    actor=request.user,
                    company=company,
                    checks=checks,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                    outside_hours_reason=form.cleaned_data["outside_hours_reason"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Decision recorded for %(company)s; the provider was e-mailed.")
                    % {"company": company.name},
                )
                return redirect("providers:queue")
    return render(
        request,
        "providers/registration_detail.html",
        {
            "company": company,
            "form": form,
            "can_verify": can_verify,
            "outside_hours": not service_hours.visit_within_hours(
                opened_at=company.verification_opened_at, decided_at=timezone.now()
            ),
            "service_hours": service_hours.hours_text(),
            "verifications": company.verifications.select_related("verifier").prefetch_related(
                "checks"
            ),
        },
    )


@requires(Cap.CONFIGURE_CHECKLIST)
def checklist(request):
    form = ChecklistItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_item_save(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Checklist item saved."))
            return redirect("providers:checklist")
    return render(
        request, "providers/checklist.html", {"form": form, "items": VerificationItem.objects.all()}
    )


@requires(Cap.CONFIGURE_CHECKLIST)
@require_POST
def checklist_toggle(request, pk: int):
    item = get_object_or_404(VerificationItem, pk=pk)
    services.verification_item_save(
        actor=request.user,
        item=item,
        label=item.label,
        description=item.description,
        order=item.order,
        active=not item.active,
    )
    return redirect("providers:checklist")
