"""Changes to a committee's members after it was set up: a member replaced by another (the
offboarding of an officer who leaves, R-8.1; the opening keys of R-9.2 decide when they may)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.core import audit, hooks
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.tenders.models import Committee

if TYPE_CHECKING:
    from lpse.accounts.models import User


def committee_member_replace(
    *, actor, committee: Committee, leaving: User, joining: User, reason: str
) -> Committee:
    """The agency admin replaces ``leaving`` by ``joining`` in the committee, with a reason.

    Refused while ``leaving`` holds a share of the opening key of a tender whose bids are not
    opened yet (R-9.2): without that share the committee might not reach k of n. Who joins a
    committee with a draft tender signs its integrity pact before the tender can be published
    (``missing_pacts`` counts the members as they are then)."""
    require_capability(actor, Cap.MANAGE_COMMITTEES)
    if committee.agency_id != actor.agency_id:
        raise DomainError(_("You manage only the committees of your own agency."), code="forbidden")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the member is replaced."), field="reason")
    if not committee.members.filter(pk=leaving.pk).exists():
        raise DomainError(
            _("%(user)s is not a member of this committee.") % {"user": leaving.username},
            field="leaving",
        )
    if committee.members.filter(pk=joining.pk).exists():
        raise DomainError(
            _("%(user)s is already a member of this committee.") % {"user": joining.username},
            field="joining",
        )
    if (
        joining.agency_id != committee.agency_id
        or not joining.has_role(Role.COMMITTEE)
        or not joining.is_active
    ):
        raise DomainError(
            _("The new member must be an active account with the committee role in your agency."),
            field="joining",
        )
    blockers = [
        b
        for found in hooks.committee_member_leaving.call(committee=committee, member=leaving)
        for b in found
    ]
    if blockers:
        raise DomainError(" ".join(blockers), field="leaving")
    with transaction.atomic():
        committee.members.remove(leaving)
        committee.members.add(joining)
        audit.record(
            actor=actor,
            action="committee.member_replace",
            obj=committee,
            data={"leaving": leaving.username, "joining": joining.username, "reason": reason},
        )
    return committee
