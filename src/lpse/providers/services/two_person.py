"""The two-person rule of R-3.2 for changes that decide who a company is at LPSE: its e-mail
address (annex 3.2) and its signing key (R-9.7).

A verifier checks the company's papers and passes the change on; a *second* person applies it;
and neither may be linked to the company. Otherwise one insider — or one person holding both
roles — could redirect a company's mail or bind a key of their own and then act as the company.
Both procedures call these two checks, so the rule is one piece of code.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lpse.core.errors import DomainError


def linked_to(actor, company, *, requested_by_id: int | None = None) -> bool:
    """The actor is the company's own account, the person who asked for the change, or shares
    the company's mailbox (whoever reads it could confirm links in the company's name)."""
    if actor.pk in (company.user_id, requested_by_id):
        return True
    email = (getattr(actor, "email", "") or "").strip().lower()
    return bool(email) and email == (company.email or "").strip().lower()


def require_unlinked(actor, company, *, requested_by_id: int | None = None) -> None:
    """Refuse a check or an application by someone linked to the company (see ``linked_to``)."""
    if linked_to(actor, company, requested_by_id=requested_by_id):
        raise DomainError(
            _(
                "You are linked to %(company)s (its account, its mailbox or the one who asked "
                "for this change): an LPSE officer outside the company must decide it."
            )
            % {"company": company.name},
            code="forbidden",
        )


def require_second_person(actor, *, first_step_by_id: int | None, message: str) -> None:
    """Refuse the second step by the person who took the first; ``message`` names the step."""
    if first_step_by_id is not None and first_step_by_id == actor.pk:
        raise DomainError(message, code="forbidden")
