"""The log proof beside a bid receipt (R-9.8): the receipt JSON stays exactly as signed (the
browser verifies it); this sidecar shows that the bid's acceptance event is in the audit log,
under a tree head signed now. A provider who keeps it can later prove any rewrite or cut of the
log made after the bid (``lpse audit verify --against``, ``tools/verify_log.py --log-proof``)."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

from lpse.bids.pdf import ACCEPTANCE_EVENT
from lpse.bids.services import submission
from lpse.core.capabilities import Cap, requires
from lpse.core.errors import DomainError
from lpse.core.log_proof import proof_of
from lpse.core.transparency import LogProblem


@requires(Cap.PARTICIPATE)
def receipt_log_proof(request, pk: int):
    try:
        bid = submission.bid_of(request.user, pk)  # a provider sees only its own bids
    except DomainError:
        raise Http404 from None
    try:
        proof = proof_of(action=ACCEPTANCE_EVENT, obj=bid)
    except LogProblem as exc:
        return JsonResponse({"error": str(exc)}, status=409)
    if proof is None:
        return JsonResponse(
            {
                "error": _(
                    "The audit log holds no record of this bid's acceptance, so no proof can "
                    "be given. Tell the LPSE helpdesk; an auditor checks the log with "
                    "`lpse audit verify`."
                )
            },
            status=409,
        )
    response = JsonResponse(proof, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="bukti-log-{bid.pk}.json"'
    return response
