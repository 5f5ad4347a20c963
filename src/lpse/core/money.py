"""Rupiah amounts as people type them (``1.250.000``, ``1250000,50``) parsed exactly."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from lpse.core.errors import DomainError


def parse_rupiah(raw, *, field: str) -> Decimal:
    """Rupiah as typed by a person: 1.250.000.000 or 1250000000,50 or a Decimal."""
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw or "").strip().replace("Rp", "").replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") > 1 or (text.count(".") == 1 and len(text.split(".")[1]) == 3):
            text = text.replace(".", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise DomainError(
                _("Write the amount in rupiah, for example 1.250.000.000."), field=field
            ) from None
    if not value.is_finite() or value.adjusted() >= 16:
        raise DomainError(_("Write the amount in rupiah, for example 1.250.000.000."), field=field)
    exponent = value.as_tuple().exponent  # an int: value is finite (checked above)
    if value <= 0 or (isinstance(exponent, int) and exponent < -2):
        raise DomainError(_("The amount must be positive, with at most two decimals."), field=field)
    return value
