"""How an audit event's actor reads on a page. The log stores a fixed label, in English, because
it is hashed into the chain (R-9.4) and must not change with the reader's language; the two
labels that are not a person are translated here, at display."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def actor(label: str) -> str:
    if label == "system":
        return _("the system (automatic)")
    if label == "anonymous":
        return _("an anonymous visitor")
    return label
