"""Public results of non-tender procurements (R-8.6: public like a tender's, R-8.5) and the
purchase order (SPK) for the people it concerns."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from lpse.core.capabilities import AUTHENTICATED, PUBLIC, requires
from lpse.core.documents import blob_pdf_response
from lpse.core.storage import open_blob
from lpse.nontender.access import is_officer_of
from lpse.nontender.models import Procurement
from lpse.nontender.selectors import public_results


@require_safe
@requires(PUBLIC)
def results(request):
    return render(request, "nontender/results.html", {"procurements": public_results()[:200]})


@require_safe
@requires(AUTHENTICATED)
def purchase_order(request, pk: int):
    """The SPK: for the officer, the package's PPK and the chosen provider."""
    procurement = get_object_or_404(Procurement.objects.select_related("package", "winner"), pk=pk)
    if procurement.purchase_order is None:
        raise Http404
    allowed = {
        *procurement.officers.values_list("pk", flat=True),
        procurement.package.ppk_id,
        procurement.winner.user_id,
    }
    if request.user.pk not in allowed:
        raise PermissionDenied
    return blob_pdf_response(
        procurement.purchase_order, f"spk-{procurement.code}.pdf", kind="purchase_order"
    )


@require_safe
@requires(AUTHENTICATED)
def evidence(request, pk: int):
    """A direct appointment's evidence of its justification: for the officer and the PPK, and
    for the auditors through the audit log's hash."""
    procurement = get_object_or_404(Procurement.objects.select_related("package"), pk=pk)
    if procurement.evidence is None:
        raise Http404
    if request.user.pk != procurement.package.ppk_id and not is_officer_of(
        request.user, procurement
    ):
        raise PermissionDenied
    response = FileResponse(
        open_blob(procurement.evidence),
        as_attachment=True,
        filename=procurement.evidence_filename or "bukti",
    )
    response["Digest"] = f"sha-256={procurement.evidence.sha256}"
    return response
