"""Security headers beyond Django's own (R-4.1) and the interface language."""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from lpse.core.views import method_not_allowed

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class LanguageMiddleware(LocaleMiddleware):
    """Indonesian unless the person chose English with the language switch (a cookie).

    The browser's Accept-Language is ignored on purpose: many Indonesian offices run browsers
    set to English, and the service speaks Indonesian to them until someone asks otherwise.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class MethodNotAllowedPageMiddleware:
    """Turns the empty 405 of ``require_POST``/``require_http_methods`` into the error page.

    Django answers a GET on a form's target with an empty ``HttpResponseNotAllowed``; a person
    who followed a link there saw a blank page. The API keeps its own answers (JSON clients
    read the status and the Allow header, not a page).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not getattr(response, "streaming", False)
            and not response.content
            and not request.path.startswith("/api/")
        ):
            return method_not_allowed(request, response.get("Allow", ""))
        return response
