"""Field rules of the registration form: what a valid NPWP and User ID look like."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from lpse.core.errors import DomainError


def normalize_npwp(raw: str) -> str:
    """NPWP as digits: 15 (the classic XX.XXX.XXX.X-XXX.XXX) or 16 (the NIK-based form, 2024)."""
    value = (raw or "").strip()
    if not value:
        raise DomainError(_("Enter the company's tax number (NPWP)."), field="npwp")
    if re.search(r"[^0-9.\-\s]", value):
        raise DomainError(
            _("An NPWP has only digits, dots and dashes, like 01.234.567.8-901.000."), field="npwp"
        )
    digits = re.sub(r"\D", "", value)
    if len(digits) not in (15, 16):
        raise DomainError(
            _("An NPWP has 15 digits (01.234.567.8-901.000) or 16 digits; you entered %(n)d.")
            % {"n": len(digits)},
            field="npwp",
        )
    if set(digits) == {"0"}:
        raise DomainError(_("This NPWP is not valid: it is all zeros."), field="npwp")
    return digits
