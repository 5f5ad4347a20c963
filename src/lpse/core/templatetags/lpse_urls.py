"""``{% fixed_url "name" %}``: the address of a page that takes no arguments, reversed once per
process. Every page's header names eleven such pages; ``{% url %}`` reversed each of them at
every request (0.04 ms each: 0.3 ms of the public list's 4 ms, bench/README.md issue 19). An
address depends only on the URL configuration and the prefix the site is served under, which
are part of the key."""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=128)
def _reversed(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name, urlconf=urlconf)
