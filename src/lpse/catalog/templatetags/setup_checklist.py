"""``{% setup_checklist %}`` on the account home page: the setup steps still open, for the
application administrator only (a template tag, so the accounts app needs no import of ours)."""

from __future__ import annotations

from django import template

from lpse.catalog.setup_checklist import steps_left
from lpse.core.capabilities import Cap, has_capability

register = template.Library()


@register.inclusion_tag("catalog/setup_checklist.html", takes_context=True)
def setup_checklist(context):
    user = context["user"]
    # Agencies and staff are what the application administrator sets up next.
    if not has_capability(user, Cap.MANAGE_AGENCIES):
        return {"steps": []}
    return {"steps": steps_left()}
