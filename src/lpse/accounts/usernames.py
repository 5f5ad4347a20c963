"""What a User ID looks like, for providers (R-1.3) and staff alike."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from lpse.core.errors import DomainError

USER_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{3,29}$")


def normalize_user_id(raw: str, *, field: str = "user_id") -> str:
    value = (raw or "").strip().lower()
    if not USER_ID_RE.match(value):
        raise DomainError(
            _(
                "A User ID has 4–30 characters: lower-case letters, digits, dot, dash or underscore, "
                "starting with a letter or digit."
            ),
            field=field,
        )
    return value
