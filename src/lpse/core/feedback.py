"""The pattern of every button that calls one service: do it, say how it went, go back."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect

from lpse.core.errors import DomainError


def act_and_redirect(request, action: Callable[[], object], success: str, to: str, *args):
    """Run ``action``; show its DomainError (the service's own words) or ``success``; redirect."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(to, *args)
