"""The JSON API under /api/v1/ (django-ninja, OpenAPI at /api/v1/docs): one ``NinjaAPI`` that
every app's ``api`` module adds its operations to (``lpse.urls`` imports them all).

Each operation declares its capability with ``capability=`` in ``api_operation``; the
authorization matrix test reads it from there, like the ``capability`` of a page view.
"""

from __future__ import annotations

import inspect

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import django_auth

from lpse.core.capabilities import PUBLIC, has_capability, public

# The OpenAPI schema and its docs page are public like the public operations; declaring it here
# keeps "every URL declares a capability" true for ninja's own views too.
api = NinjaAPI(title="LPSE API", version="1", urls_namespace="api", docs_decorator=public)

# path → capability, filled by ``api_operation``; read by the authorization matrix test.
API_CAPABILITIES: dict[tuple[str, str], str] = {}


def api_operation(method: str, path: str, *, capability: str, **kwargs):
    API_CAPABILITIES[(method.upper(), path)] = capability
    auth = None if capability == PUBLIC else django_auth
    register = getattr(api, method.lower())

    def decorate(func):
        def guarded(request: HttpRequest, *args, **kw):
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
