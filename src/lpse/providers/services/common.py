"""Small helpers the provider services share (registration, e-mail change): one place for the
rule of a valid address and for how a deadline is written in the provider's e-mails."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lpse.core.calendar import to_wita
from lpse.core.errors import DomainError


def wita_long(moment: datetime) -> str:
    """A moment spelled out with its weekday (``Senin, 2 Maret 2026 14:05 WITA``): the form the
    provider e-mails use. Longer than ``core.calendar.wita_text`` (``02-03-2026 14:05 WITA``) on
    purpose, as a deadline a company must meet is read, not filed."""
    return date_format(to_wita(moment), "l, j F Y H:i") + " WITA"


def normalize_email(raw: str) -> str:
    """The address lower-cased and checked, or a ``DomainError`` on the ``email`` field that
    shows an example of a valid one."""
    email = (raw or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            _(
                "“%(email)s” is not a valid e-mail address. Check it, for example name@company.co.id."
            )
            % {"email": raw.strip()},
            field="email",
        ) from None
    return email
