"""The JSON API under /api/v1/ (django-ninja, OpenAPI at /api/v1/docs): one ``NinjaAPI`` that
every app's ``api`` module adds its operations to (``lpse.urls`` imports them all).

Each operation declares its capability with ``capability=`` in ``api_operation``; the
authorization matrix test reads it from there, like the ``capability`` of a page view. The same
wrapper counts the request against its address's rate limit (``api_limits``) and declares in the
OpenAPI every error status the operation can answer, in the one shape of ``api_errors``.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from datetime import datetime

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import django_auth

from lpse.core import api_errors
from lpse.core.api_limits import check_rate
from lpse.core.capabilities import PUBLIC, has_capability, public

API_DESCRIPTION = """The public data of this LPSE (R-8.5, R-9.5) and the signed-in user's own.

**Errors** have one shape: `{"detail": "a sentence", "code": "a stable word", "errors": [{"field",
"message"}]}`; each operation lists the statuses it can answer.

**HTTPS only**: a call over plain `http://` is refused with 403 and the code `https_required`,
never redirected (a redirect followed silently would hide a token sent in the clear).

**Rate limit**: every client address may make a fixed number of requests a minute (see
`LPSE_API_RATE_PER_MINUTE`, 120 by default); past it the answer is 429 with `Retry-After`.

**Caching**: lists and tenders carry `ETag` and `Last-Modified`; ask again with
`If-None-Match` and an unchanged answer is `304 Not Modified` with no body.

**Paging**: lists are oldest first; follow `next` (the `since=` cursor of the next page) until
it is null. A cursor names the last row seen, so rows added meanwhile never shift a page.
"""

# The OpenAPI schema and its docs page are public like the public operations; declaring it here
# keeps "every URL declares a capability" true for ninja's own views too.
api = NinjaAPI(
    title="LPSE API",
    version="1",
    description=API_DESCRIPTION,
    urls_namespace="api",
    docs_decorator=public,
)
api_errors.install(api)

# path → capability, filled by ``api_operation``; read by the authorization matrix test.
API_CAPABILITIES: dict[tuple[str, str], str] = {}


def _responses(response, *, capability: str, path: str, errors: tuple[int, ...]) -> dict:
    declared = dict(response) if isinstance(response, dict) else {200: response}
    documented = api_errors.error_responses(
        authenticated=capability != PUBLIC, not_found="{" in path, extra=errors
    )
    return {**documented, **declared}


def api_operation(
    method: str, path: str, *, capability: str, errors: tuple[int, ...] = (), **kwargs
):
    """Register an operation: ``errors`` names statuses beyond those every operation of its kind
    answers (422 and 429; 401 and 403 behind a sign-in; 404 with a path parameter)."""
    API_CAPABILITIES[(method.upper(), path)] = capability
    auth = None if capability == PUBLIC else django_auth
    register = getattr(api, method.lower())
    if "response" in kwargs:
        kwargs["response"] = _responses(
            kwargs["response"], capability=capability, path=path, errors=errors
        )

    def decorate(func):
        def guarded(request: HttpRequest, *args, **kw):
            check_rate(request)
            if not has_capability(request.user, capability):
                raise HttpError(
                    403,
                    _("This needs the “%(capability)s” permission.") % {"capability": capability},
                )
            return func(request, *args, **kw)

        guarded.__name__ = func.__name__
        guarded.__doc__ = func.__doc__
        guarded.__annotations__ = func.__annotations__
        guarded.__signature__ = inspect.signature(func)  # type: ignore[attr-defined]  # ninja reads it
        return register(path, auth=auth, **kwargs)(guarded)

    return decorate


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [t.strip() for t in if_none_match.split(",")]
    # A weak comparison (RFC 9110 13.1.2): a proxy may have marked our tag weak.
    return "*" in tags or etag in tags or f"W/{etag}" in tags


def conditional_json(
    request: HttpRequest, schema, data, *, last_modified: datetime | None = None
) -> HttpResponse:
    """``data`` through ``schema`` as JSON with its ETag (a hash of the exact body) and
    Last-Modified; 304 with no body when the client's If-None-Match (or, without one, its
    If-Modified-Since) says it holds this answer already.

    The tag hashes the body rather than a row's update time because what a tender answers also
    changes with the clock (its open stages) and with other apps' rows (results, contract)."""
    payload = schema.model_validate(data).model_dump(mode="json")
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified.timestamp())
    if_none_match = request.headers.get("If-None-Match", "")
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    unchanged = (
        _matches(if_none_match, etag)
        if if_none_match
        else (
            since is not None and last_modified is not None and last_modified.timestamp() <= since
        )
    )
    if unchanged:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    for name, value in headers.items():
        response[name] = value
    return response
