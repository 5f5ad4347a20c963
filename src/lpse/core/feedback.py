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


def submit_form(request, form, action: Callable[[dict], object], *, success: str, done, again):
    """The pattern of every form that calls one service: validate, run ``action`` with the
    cleaned data, say how it went. Returns ``done(result)`` on success — ``result`` is what the
    service returned (the new package, to redirect to its page) — otherwise ``again(form)``:
    the page again, with what was typed and the service's refusal on the field it names."""
    from lpse.core.forms import add_domain_error

    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, success)
            return done(result)
    return again(form)
