"""One per-address limiter for everything the public may call without signing in (R-4.4, ASVS
V2.4.1, issue 21): the JSON API (``core/api_limits.py``), the public POST forms (registration
link, forgot password, the helpdesk form, document verification, the links' forms) and the
transparency proofs.

A fixed one-minute window per address and *scope* counted in the shared Django cache (Redis on
several nodes, R-9.11), so every node counts the same client: ``cache.add`` starts the window's
counter, ``cache.incr`` counts atomically. A scope is its own budget (the forms one, the proofs
another) so a monitor fetching proofs does not lock the same office out of the registration form.
The address is ``core/client_address.py``'s, the one the sign-in lock-out counts.

Forms count POSTs only: opening a form costs nothing and a refused person still sees the page,
with what they typed kept and a message saying when to try again (429 with Retry-After).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lpse.core.client_address import client_address

WINDOW_SECONDS = 60

# Scope → the setting holding its requests per minute and address (0 turns the scope off).
SCOPES = {
    "form": "LPSE_PUBLIC_FORM_RATE_PER_MINUTE",
    "proof": "LPSE_PUBLIC_PROOF_RATE_PER_MINUTE",
    "api": "LPSE_API_RATE_PER_MINUTE",
}


@dataclass(frozen=True)
class Refusal:
    limit: int
    retry_after: int

    @property
    def message(self) -> str:
        return _(
            "Too many requests from your address: at most %(limit)d a minute. "
            "Ask again in %(seconds)d seconds."
        ) % {"limit": self.limit, "seconds": self.retry_after}

    @property
    def form_message(self) -> str:
        return _(
            "Too many forms sent from your address: at most %(limit)d a minute. Nothing was "
            "sent this time; what you typed is kept. Send it again in %(seconds)d seconds."
        ) % {"limit": self.limit, "seconds": self.retry_after}


def count(request, scope: str) -> Refusal | None:
    """Count this request against its address in ``scope``; a Refusal once the window is spent."""
    limit = getattr(settings, SCOPES[scope])
    if limit <= 0:  # 0 turns the limit off (a trusted mirror in front, say)
        return None
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"lpse:rate:{scope}:{client_address(request)}:{window}"
    # The key outlives its window a little so a late incr never finds it gone mid-window.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        n = cache.incr(key)
    except ValueError:  # evicted between add and incr: this request starts the count again
        cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
        n = 1
    if n <= limit:
        return None
    return Refusal(limit, max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999)))


def count_post(request, scope: str = "form") -> Refusal | None:
    """A public form's check: only a POST counts (and may be refused)."""
    return count(request, scope) if request.method == "POST" else None


def refuse_form(form, refusal: Refusal | None) -> None:
    """Put the refusal on the form as its error: the page is shown again with what was typed."""
    if refusal is not None:
        form.add_error(None, refusal.form_message)


def answer(response: HttpResponse, refusal: Refusal | None) -> HttpResponse:
    """The view's page, as a 429 with Retry-After when the request was refused."""
    if refusal is not None:
        response.status_code = 429
        response["Retry-After"] = str(refusal.retry_after)
    return response


def refused_page(request, refusal: Refusal) -> HttpResponse:
    """A page of its own, for a button that re-shows no form."""
    return answer(
        render(request, "errors/429.html", {"message": refusal.form_message}, status=429), refusal
    )


def refused_json(refusal: Refusal) -> JsonResponse:
    response = JsonResponse({"error": refusal.message}, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response
