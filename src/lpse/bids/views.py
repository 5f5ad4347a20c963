"""Pages and endpoints of sealed bids: the provider's submission page and chunked upload
protocol, receipts and the opening report. The keys and the opening ceremony: views_keys."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lpse.bids import receipts, signature_checks, views_apendo
from lpse.bids.models import Bid, TenderKey, Upload
from lpse.bids.pdf import receipt_pdf
from lpse.bids.services import opening as ceremony
from lpse.bids.services import submission
from lpse.bids.views_state import bid_gate, long_wita
from lpse.core.capabilities import Cap, public, requires
from lpse.core.documents import blob_pdf_response, pdf_response
from lpse.core.errors import DomainError
from lpse.tenders.selectors.access import opened_by_officers, opener_tender
from lpse.tenders.selectors.lookup import published_tender_or_404
from lpse.tenders.services.participation import participation_of

STATUS_FOR_CODE = {
    "forbidden": 403,
    "not_found": 404,
    "closed": 403,
    "not_open": 403,
    "offset_mismatch": 409,
    "finished": 409,
    "storage": 507,
    # the bid is refused, not the request malformed
    "no_signing_key": 403,
    "unsigned": 403,
    "bad_signature": 403,
}


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse(
        {"error": str(exc), "code": exc.code}, status=STATUS_FOR_CODE.get(exc.code, 400)
    )


@requires(Cap.PARTICIPATE)
def submit_page(request, code: str):
    tender = published_tender_or_404(code)
    tender_key = TenderKey.objects.filter(tender=tender).first()
    participation = participation_of(request.user, tender)
    return render(
        request,
        "bids/submit.html",
        {
            "tender": tender,
            "by_officers": opened_by_officers(tender),
            "tender_key": tender_key,
            "participation": participation,
            "bids": submission.bids_of_company(request.user, tender).order_by("-submitted_at"),
            "window": submission.bid_window(tender),
            # Decided here, not after the browser has encrypted the files (issue 15).
            "gate": bid_gate(tender),
            **signature_checks.signing_context(participation, tender),
            **views_apendo.offline_tool_context(),
        },
    )


@requires(Cap.PARTICIPATE)
@require_POST
def upload_create(request, code: str):
    """Start an upload: body {"length": n} → 201 {"id", "offset", "url"}."""
    tender = published_tender_or_404(code)
    try:
        length = int(json.loads(request.body or b"{}").get("length", 0))
        upload = submission.upload_start(
            actor=request.user,
            tender=tender,
            length=length,
            client=request.headers.get("User-Agent", ""),
        )
    except (ValueError, TypeError):
        return JsonResponse(
            {"error": _("Send the envelope's length in bytes."), "code": "invalid"}, status=400
        )
    except DomainError as exc:
        return _error(exc)
    url = reverse("bids:upload", args=[upload.id])
    return JsonResponse(
        {"id": str(upload.id), "offset": 0, "url": url}, status=201, headers={"Location": url}
    )


@requires(Cap.PARTICIPATE)
@require_http_methods(["GET", "HEAD", "PATCH"])
def upload(request, upload_id):
    """GET/HEAD: where the upload stands (to resume). PATCH with ``Upload-Offset``: more bytes;
    the PATCH that brings the last byte also carries ``Upload-Signature``, the provider's
    signature over the whole envelope (R-9.7)."""
    try:
        item = submission.upload_owned(request.user, upload_id)
        if request.method != "PATCH":
            status = {"offset": item.offset, "length": item.length, "state": item.state}
            if item.bid_id:
                status.update(_accepted(item.bid))
            return JsonResponse(status, headers={"Upload-Offset": str(item.offset)})
        offset = int(request.headers.get("Upload-Offset", "-1"))
        size = int(request.headers.get("Content-Length") or 0)
        result = submission.upload_append(
            actor=request.user,
            upload=item,
            offset=offset,
            stream=request,
            length=size,
            signature=request.headers.get("Upload-Signature", ""),
        )
    except ValueError:
        return JsonResponse(
            {"error": _("Send the Upload-Offset header."), "code": "invalid"}, status=400
        )
    except DomainError as exc:
        if request.method == "PATCH" and exc.code in ("closed", "not_open", "finished"):
            _drain(request)
        return _error(exc)
    if isinstance(result, Upload):
        return JsonResponse(
            {"offset": result.offset, "length": result.length, "state": result.state},
            headers={"Upload-Offset": str(result.offset)},
        )
    return JsonResponse({"offset": item.length, **_accepted(result)}, status=201)


# A refused chunk is read and dropped (up to this much) before answering: a client still sending
# its body would otherwise see the connection reset instead of the reason ("closed").
DRAIN_LIMIT = 64 * 1024 * 1024


def _drain(request) -> None:
    left = min(int(request.headers.get("Content-Length") or 0), DRAIN_LIMIT)
    try:
        while left > 0 and (chunk := request.read(min(left, 1024 * 1024))):
            left -= len(chunk)
    except OSError:
        pass  # the client went away: nobody is left to answer


def _accepted(bid: Bid) -> dict:
    return {
        "state": "accepted",
        "bid": bid.pk,
        "receipt": bid.receipt,
        # The receipt's own time is UTC and signed as is; people read this one (WITA).
        "received_at_wita": long_wita(bid.submitted_at),
        "receipt_url": reverse("bids:receipt_json", args=[bid.pk]),
        "receipt_pdf_url": reverse("bids:receipt_pdf", args=[bid.pk]),
    }


def _own_bid(request, pk: int) -> Bid:
    try:
        return submission.bid_of(request.user, pk)
    except DomainError:
        raise Http404 from None


@requires(Cap.PARTICIPATE)
def receipt_json(request, pk: int):
    bid = _own_bid(request, pk)
    response = JsonResponse(bid.receipt, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="tanda-terima-{bid.pk}.json"'
    return response


@requires(Cap.PARTICIPATE)
def receipt_pdf_view(request, pk: int):
    bid = _own_bid(request, pk)
    return pdf_response(receipt_pdf(bid), f"tanda-terima-{bid.pk}.pdf", kind="bid_receipt")


@public
def receipt_key(request):
    """The public key that verifies every receipt (PEM), for `lpse apendo verify-receipt`."""
    return HttpResponse(receipts.public_key_pem(), content_type="application/x-pem-file")


@requires(Cap.OPEN_BIDS)
def opening_report(request, code: str):
    tender = opener_tender(request.user, code)
    opening = ceremony.opening_of(tender)
    if opening.report is None:
        raise Http404
    return blob_pdf_response(
        opening.report, f"berita-acara-pembukaan-{code}.pdf", kind="opening_report"
    )
