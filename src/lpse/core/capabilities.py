"""Named capabilities (DESIGN rule 4): every view and API endpoint declares what it needs.

``@requires("providers.verify")`` on a view, ``@public`` on a page anyone may open,
``@requires(AUTHENTICATED)`` for pages any signed-in user may open. The authorization matrix
test walks every URL and fails on a view that declares nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from lpse.core.errors import DomainError

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def has_capability(user, capability: str) -> bool:
    if capability == PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if capability == AUTHENTICATED:
        return True
    return capability in user.capabilities()


def require_capability(user, capability: str) -> None:
    """The check services repeat for sensitive actions, whatever view called them."""
    if not has_capability(user, capability):
        raise DomainError(
            _("You are not allowed to do this (it needs the “%(capability)s” permission).")
            % {"capability": capability},
            code="forbidden",
        )


def requires(capability: str) -> Callable:
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if capability != PUBLIC and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_capability(request.user, capability):
                raise PermissionDenied(capability)
            return view(request, *args, **kwargs)

        wrapper.capability = capability
        return wrapper

    return decorate


public = requires(PUBLIC)
