"""The header's addresses, reversed once per process ({% fixed_url %}, issue 19): the same as
{% url %} gives, and under the prefix a site is served at (SCRIPT_NAME behind a proxy)."""

from __future__ import annotations

from django.template import engines
from django.urls import reverse, set_script_prefix

NAMES = ["portal:home", "tenders:public_list", "accounts:login", "set_language"]


def _render() -> list[str]:
    template = engines["django"].from_string(
        "{% load lpse_urls %}" + "|".join(f"{{% fixed_url '{name}' %}}" for name in NAMES)
    )
    return template.render({}).split("|")


def test_a_fixed_address_is_the_one_reverse_gives_under_any_prefix():
    plain = [reverse(name) for name in NAMES]
    assert _render() == plain
    assert _render() == plain  # from the process's memory
    set_script_prefix("/lpse/")  # as the WSGI handler does for SCRIPT_NAME=/lpse
    try:
        under = _render()
        assert under == [reverse(name) for name in NAMES]
        assert under == ["/lpse" + address for address in plain]
    finally:
        set_script_prefix("/")
    assert _render() == plain
