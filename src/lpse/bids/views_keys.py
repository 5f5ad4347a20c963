"""The key ceremony's pages (R-9.2, R-9.9): a member's opening key, the tender's key, and the
opening. Each page carries only what the member's browser needs — public keys and sealed files —
and its script sends back only what may be stored: nothing secret reaches these views."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from lpse.bids.forms import OpeningKeyForm, TenderKeyForm, UnlockForm
from lpse.bids.models import KeyShare, OpeningKey, TenderKey
from lpse.bids.selectors import active_bids_of, opened_bids_of
from lpse.bids.services import opening as ceremony
from lpse.bids.services import opening_keys, tender_keys
from lpse.bids.views_state import unlock_gate
from lpse.core.capabilities import Cap, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import submit_form
from lpse.tenders.selectors.access import opened_by_officers, opener_tender


@requires(Cap.OPEN_BIDS)
def opening_key(request):
    return submit_form(
        request,
        OpeningKeyForm(request.POST or None),
        lambda data: opening_keys.opening_key_set(actor=request.user, **data),
        success=_("Your opening key is saved. Tender keys made from now on seal your share to it."),
        done=lambda _result: redirect("bids:opening_key"),
        again=lambda form: render(
            request,
            "bids/opening_key.html",
            {
                "form": form,
                "current": OpeningKey.objects.filter(user=request.user).first(),
            },
        ),
    )


@requires(Cap.OPEN_BIDS)
def tender_key_page(request, code: str):
    tender = opener_tender(request.user, code)
    return submit_form(
        request,
        TenderKeyForm(request.POST or None, request.FILES or None),
        lambda data: tender_keys.tender_key_import(actor=request.user, tender=tender, **data),
        success=_("The tender's key is stored: its public key, and one sealed share per member."),
        done=lambda _result: redirect("bids:tender_key", code),
        again=lambda form: _tender_key_page(request, tender, form),
    )


def _tender_key_page(request, tender, form):
    tender_key = TenderKey.objects.filter(tender=tender).first()
    blocker = tender_keys.rekey_blocker(tender)
    inputs, missing = None, ""
    if not blocker:
        try:
            inputs = tender_keys.ceremony_inputs(actor=request.user, tender=tender).as_json()
        except DomainError as exc:
            missing = str(exc)
    return render(
        request,
        "bids/tender_key.html",
        {
            "tender": tender,
            "by_officers": opened_by_officers(tender),
            "tender_key": tender_key,
            "shares": tender_key.shares.select_related("member").order_by("index")
            if tender_key
            else [],
            "form": form,
            "inputs": inputs,
            "blocker": blocker,
            "missing": missing,
        },
    )


@requires(Cap.OPEN_BIDS)
@sensitive_post_parameters("share")  # one share of the tender's key: a secret until the opening
def opening_page(request, code: str):
    tender = opener_tender(request.user, code)
    opening = ceremony.opening_of(tender)
    return submit_form(
        request,
        UnlockForm(request.POST or None),
        lambda data: ceremony.share_unlock(actor=request.user, tender=tender, **data),
        success=_("Your share is unlocked."),
        done=lambda _result: redirect("bids:opening", code),
        again=lambda form: _opening_page(request, tender, opening, form),
    )


def _opening_page(request, tender, opening, form):
    """The ceremony's page: the key's shares and who unlocked them, the bids received and,
    once opened, each bid's offer (R-8.4, R-9.2). For the member, their own sealed share and
    sealed key, which only their browser can open."""
    tender_key = TenderKey.objects.filter(tender=tender).first()
    shares = (
        KeyShare.objects.filter(tender_key=tender_key).select_related("member", "unlock")
        if tender_key
        else KeyShare.objects.none()
    )
    mine = shares.filter(member=request.user).first()
    # The unlock form only for a member with a share still locked, from the opening stage on.
    gate = unlock_gate(tender, mine)
    own_key = OpeningKey.objects.filter(user=request.user).first()
    return render(
        request,
        "bids/opening.html",
        {
            "tender": tender,
            "by_officers": opened_by_officers(tender),
            "opening": opening,
            "tender_key": tender_key,
            "form": form,
            "shares": shares,
            "unlock_inputs": {
                "tender": tender.code,
                "index": mine.index,
                "sealed_share": mine.sealed,
                "sealed_identity": own_key.sealed_identity if own_key else "",
            }
            if gate.open
            else None,
            "unlock_gate": gate if mine else None,
            "received": active_bids_of(tender).count(),
            "opened": opened_bids_of(tender)
            .select_related("bid__company", "bid__envelope")
            .order_by("total_price"),
        },
    )
