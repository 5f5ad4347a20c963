"""Pages of the signing key (R-9.7): the provider makes a key in its browser and proposes it;
the verifiers check it at the counter and a second verifier binds it (the two-person rule of
R-3.2, as for the company's e-mail address)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core.capabilities import Cap, requires
from lpse.core.feedback import submit_form
from lpse.providers import selectors
from lpse.providers.forms import SigningKeyBindForm, SigningKeyCheckForm, SigningKeyProposeForm
from lpse.providers.models import SigningKey
from lpse.providers.services import signing_keys as services
from lpse.providers.services.two_person import linked_to
from lpse.providers.views_email_change import own_company

State = SigningKey.State


# --- the provider ----------------------------------------------------------------------------


@requires(Cap.OWN_COMPANY)
def signing_key_mine(request):
    company = own_company(request)
    if request.method != "POST":
        return _mine_page(request, company, SigningKeyProposeForm())
    return submit_form(
        request,
        SigningKeyProposeForm(request.POST),
        lambda data: services.signing_key_propose(
            actor=request.user, public_key=data["public_key"]
        ),
        success=_(
            "Key proposed. Print this page, have the director sign it, and bring it with the "
            "director's original KTP and the company deed to the LPSE verifier."
        ),
        done=lambda _result: redirect("providers:signing_key_mine"),
        again=lambda form: _mine_page(request, company, form),
    )


def _mine_page(request, company, form):
    keys = list(selectors.signing_keys_of(company))
    return render(
        request,
        "providers/signing_key.html",
        {
            "company": company,
            "form": form,
            "bound": next((k for k in keys if k.state == State.BOUND), None),
            "open_key": next((k for k in keys if k.is_open), None),
            "keys": keys,
        },
    )


# --- LPSE: the verifiers -------------------------------------------------------------------


@requires(Cap.VERIFY_PROVIDERS)
def signing_key_desk(request):
    state = request.GET.get("state", "")
    if state not in State.values:
        state = ""
    query = request.GET.get("q", "")
    page = Paginator(selectors.signing_key_queue(state=state, query=query), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "providers/signing_key_desk.html",
        {"page": page, "q": query, "state": state, "states": State.choices},
    )


def _key(pk: int) -> SigningKey:
    return get_object_or_404(
        SigningKey.objects.select_related(
            "company",
            "company__user",
            "proposed_by",
            "checked_by",
            "bound_by",
            "decided_by",
            "replaced_by",
        ),
        pk=pk,
    )


def _detail(request, key, *, check_form=None, bind_form=None):
    linked = linked_to(request.user, key.company, requested_by_id=key.proposed_by_id)
    # A form sent back with its errors is shown even if the key moved on meanwhile: its error
    # says why.
    if check_form is None and not linked and key.state == State.PROPOSED:
        check_form = SigningKeyCheckForm()
    second = key.checked_by_id != request.user.pk
    if bind_form is None and not linked and second and key.state == State.CHECKED:
        bind_form = SigningKeyBindForm()
    return render(
        request,
        "providers/signing_key_detail.html",
        {
            "key": key,
            "linked": linked,
            "check_form": check_form,
            "bind_form": bind_form,
            "history": selectors.signing_keys_of(key.company).exclude(pk=key.pk),
        },
    )


@requires(Cap.VERIFY_PROVIDERS)
def signing_key_detail(request, pk: int):
    return _detail(request, _key(pk))


@requires(Cap.VERIFY_PROVIDERS)
@require_POST
def signing_key_check(request, pk: int):
    key = _key(pk)

    def act(data):
        if data["decision"] == "refuse":
            return services.signing_key_refuse(actor=request.user, key=key, reason=data["reason"])
        return services.signing_key_check(
            actor=request.user,
            key=key,
            fingerprint=data["fingerprint"],
            checked_identity=data["checked_identity"],
            note=data["note"],
        )

    return submit_form(
        request,
        SigningKeyCheckForm(request.POST),
        act,
        success=_("Decision recorded."),
        done=lambda _result: redirect("providers:signing_key_detail", key.pk),
        again=lambda form: _detail(request, key, check_form=form),
    )


@requires(Cap.VERIFY_PROVIDERS)
@require_POST
def signing_key_decide(request, pk: int):
    key = _key(pk)

    def act(data):
        if data["decision"] == "refuse":
            return services.signing_key_refuse(actor=request.user, key=key, reason=data["reason"])
        return services.signing_key_bind(actor=request.user, key=key)

    return submit_form(
        request,
        SigningKeyBindForm(request.POST),
        act,
        success=_("Decision recorded; the company was e-mailed."),
        done=lambda _result: redirect("providers:signing_key_detail", key.pk),
        again=lambda form: _detail(request, key, bind_form=form),
    )
