"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the
email_change pages' URL parameters. ``samples(company, make_user)`` returns values by parameter
name (``"code"``) or, for names that differ per URL, by URL name (``{"app:view": {"pk": 1}}``);
``OBJECT_SCOPED`` lists pages that check the object's owner after the capability."""

from __future__ import annotations

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    return {}
