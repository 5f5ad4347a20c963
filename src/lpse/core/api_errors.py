"""One documented error shape for every error the JSON API answers (R-9.5, issue 18):
``{"detail": "…", "code": "…", "errors": [{"field": "…", "message": "…"}]}``.

``detail`` is a sentence for a person (in the request's language), ``code`` a stable word for a
program, ``errors`` the fields a 422 refused (empty otherwise). The statuses an operation can
answer are declared in its OpenAPI (``error_responses``), so a client — and schemathesis — knows
them all before it calls.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lpse.core.storage import StorageFull, StorageUnavailable

# The stable codes, by status, when the raiser names none.
CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    422: "invalid",
    429: "rate_limited",
}


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    code: str
    errors: list[FieldErrorOut] = []


class ApiError(Exception):
    """An error with its own code and headers (a 429's Retry-After)."""

    def __init__(self, status: int, detail: str, *, code: str = "", headers=None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code or CODES.get(status, "error")
        self.headers = dict(headers or {})


def error_responses(*, authenticated: bool, not_found: bool, extra: tuple[int, ...] = ()) -> dict:
    """The error statuses of an operation for its ``response={…}``: 422 and 429 for all, 401 and
    403 for those behind a sign-in, 404 for those that look something up."""
    statuses = {422, 429, *extra}
    if authenticated:
        statuses |= {401, 403}
    if not_found:
        statuses.add(404)
    return dict.fromkeys(sorted(statuses), ErrorOut)


def _answer(api: NinjaAPI, request, status: int, detail: str, code: str, errors=()) -> HttpResponse:
    body = {"detail": detail, "code": code, "errors": list(errors)}
    return api.create_response(request, body, status=status)


def _field(error: dict) -> str:
    # ninja's loc is ("query", "year") or ("path", "code"): the name a client sent is enough.
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
    return ".".join(loc)


def install(api: NinjaAPI) -> None:
    """Answer every error of ``api`` in the shape above (ninja's own handlers answer differently:
    a list for a 422, no code)."""

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = _answer(api, request, exc.status, exc.detail, exc.code)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [{"field": _field(e), "message": str(e.get("msg", ""))} for e in exc.errors]
        detail = _("Some parameters are not valid: %(fields)s. Correct them and ask again.") % {
            "fields": ", ".join(e["field"] or "?" for e in errors)
        }
        return _answer(api, request, 422, detail, CODES[422], errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = _("Sign in first: this needs a signed-in session.")
        return _answer(api, request, 401, detail, CODES[401])

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        return _answer(api, request, status, str(exc), CODES.get(status, "error"))

    @api.exception_handler(StorageUnavailable)
    @api.exception_handler(StorageFull)
    def storage_failed(request: HttpRequest, exc: StorageUnavailable | StorageFull) -> HttpResponse:
        # The file store down or full (issue 21): try again in a minute, nothing half-kept.
        response = _answer(api, request, 503, str(exc.message), exc.code)
        response["Retry-After"] = "60"
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        detail = _("There is no such thing here: check the code or the address.")
        return _answer(api, request, 404, detail, CODES[404])
