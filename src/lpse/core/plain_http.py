"""Plain-http calls to the APIs are refused, not redirected (ASVS V4.1.2, issue 21).

With ``LPSE_HTTPS`` a browser asking for a page over http is redirected to https by Django's
SecurityMiddleware. The JSON API (``/api/``) and the facility feed (``/sensor/``) are exempt from
that redirect (``SECURE_REDIRECT_EXEMPT``): a program that called them over http has already
sent its token in the clear, and one that silently follows a redirect would never be fixed. It
gets a 403 in its API's own error shape saying to use https, and the request goes no further.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

CODE = "https_required"


def _refusal(path: str) -> JsonResponse:
    message = _("This API answers only over HTTPS. Call it again with https://.")
    if path.startswith("/sensor/"):
        # The facility feed's shape (operations/facility_api.py): {"error": …}.
        return JsonResponse({"error": message, "code": CODE}, status=403)
    # The JSON API's shape (core/api_errors.py): {"detail", "code", "errors"}.
    return JsonResponse({"detail": message, "code": CODE, "errors": []}, status=403)


class PlainHttpApiMiddleware:
    """After SecurityMiddleware, which has redirected every other plain-http request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = [re.compile(pattern) for pattern in settings.SECURE_REDIRECT_EXEMPT]

    def __call__(self, request):
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            path = request.path_info.lstrip("/")
            if any(pattern.search(path) for pattern in self.exempt):
                return _refusal(request.path_info)
        return self.get_response(request)
