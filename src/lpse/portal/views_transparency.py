"""The transparency log in public (R-9.8): the signed tree heads as a page and as JSON and Atom
feeds, and the proofs anyone may ask for — no sign-in, so nobody needs the server's leave to
check it. The heads are copied out daily too (``portal.transparency``)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from lpse.core import browser_code, public_limits, transparency
from lpse.core.capabilities import public
from lpse.core.models import TreeHead
from lpse.core.signing import fingerprint, public_key_pem

FEED_LENGTH = 100


def _heads() -> list[TreeHead]:
    return list(TreeHead.objects.order_by("-signed_at", "-tree_size")[:FEED_LENGTH])


def _scripts() -> list[tuple[str, str, bool]]:
    """(script, SHA-256 served now, whether the log holds that hash) for each watched script."""
    logged = browser_code.logged_hashes()
    return [
        (name, sha, logged.get(name) == sha) for name, sha in browser_code.current_hashes().items()
    ]


@public
def transparency_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/transparency.html",
        {
            "heads": _heads()[:30],
            "public_key": public_key_pem(),
            "fingerprint": fingerprint(),
            "scripts": _scripts(),
        },
    )


@public
def heads_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {"key_fingerprint": fingerprint(), "heads": [h.signed for h in _heads()]},
        json_dumps_params={"ensure_ascii": False},
    )


@public
def heads_atom(request: HttpRequest) -> HttpResponse:
    page = request.build_absolute_uri(reverse("portal:transparency"))
    feed = Atom1Feed(
        title=f"{settings.LPSE_SITE_NAME}: transparency log heads",
        link=page,
        description="Signed tree heads of the audit log (R-9.8)",
        feed_guid=page,
    )
    for head in _heads():
        feed.add_item(
            title=f"{head.tree_size} events, root {head.root_hash}",
            link=page,
            description=str(head.signed),
            unique_id=f"{page}#{head.tree_size}-{head.root_hash}",
            updateddate=head.signed_at,
            pubdate=head.signed_at,
        )
    return HttpResponse(feed.writeString("utf-8"), content_type=f"{feed.content_type}")


def _proof(request: HttpRequest, kind: str, names: tuple[str, str], compute) -> JsonResponse:
    """A proof asked with two whole numbers in the query; 400 with the reason otherwise."""
    refusal = public_limits.count(request, "proof")
    if refusal:
        return public_limits.refused_json(refusal)
    try:
        numbers = [int(request.GET[name]) for name in names]
    except (KeyError, ValueError):
        wanted = "&".join(f"{n}=N" for n in names)
        return JsonResponse({"error": f"Give whole numbers: ?{wanted}"}, status=400)
    try:
        proof = compute(*numbers)
    except transparency.LogProblem as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({**dict(zip(names, numbers, strict=True)), kind: proof})


@public
def consistency_proof(request: HttpRequest) -> JsonResponse:
    return _proof(request, "consistency", ("first", "second"), transparency.consistency)


@public
def inclusion_proof(request: HttpRequest) -> JsonResponse:
    return _proof(request, "inclusion", ("seq", "size"), transparency.inclusion)
