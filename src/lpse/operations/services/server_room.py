"""Server-room permits and the visitor log (R-4.2; Pasal 11 (4)).

A person with ``operations.request_server_room_access`` asks for named visitors, a purpose and a
window; the head of LPSE (``operations.approve_server_room_access``) approves, or refuses with a
reason. The engineer on duty (``operations.record_server_room_visits``) checks a visitor in only
on a permit that is valid now (approved, inside its window, the visitor named on it) and checks
them out. Every step is audited; the requester and the approvers are told by e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from lpse.accounts.roles import LPSE_STAFF_ROLES, Role
from lpse.accounts.selectors import users_with_role
from lpse.core import audit
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.operations.models import AccessPermit, PermitState, PermitVisitor, ServerRoomVisit
from lpse.operations.services import server_room_report as notices

# Who may walk a visitor in: LPSE's own staff, not the outside monitors nor agency admins.
ESCORT_ROLES = LPSE_STAFF_ROLES - {Role.AGENCY_ADMIN, Role.LKPP_MONITOR, Role.AUDITOR}


@dataclass(frozen=True)
class VisitorData:
    name: str
    organisation: str
    id_number: str


def normalize_id_number(raw: str) -> str:
    """ID numbers as printed vary in spacing and case; compare them without either."""
    return "".join(raw.split()).upper()


def escorts():
    return users_with_role(*ESCORT_ROLES)


def permit_request(
    *,
    actor,
    purpose: str,
    valid_from: datetime,
    valid_until: datetime,
    visitors: list[VisitorData],
) -> AccessPermit:
    require_capability(actor, Cap.REQUEST_SERVER_ROOM_ACCESS)
    now = timezone.now()
    purpose = purpose.strip()
    if not purpose:
        raise DomainError(gettext_lazy("Say why the visitors must enter."), field="purpose")
    if valid_until <= valid_from:
        raise DomainError(gettext_lazy("The window must end after it starts."), field="valid_until")
    if valid_until <= now:
        raise DomainError(
            gettext_lazy("The window is already over: choose an end in the future."),
            field="valid_until",
        )
    if not visitors:
        raise DomainError(gettext_lazy("Name at least one visitor."), field="visitors")
    numbers = [normalize_id_number(v.id_number) for v in visitors]
    if len(set(numbers)) != len(numbers):
        raise DomainError(
            gettext_lazy("The same ID number is given twice: name each visitor once."),
            field="visitors",
        )
    with transaction.atomic():
        permit = AccessPermit.objects.create(
            requested_by=actor,
            requested_at=now,
            purpose=purpose,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        for visitor, number in zip(visitors, numbers, strict=True):
            PermitVisitor.objects.create(
                permit=permit,
                name=visitor.name.strip(),
                organisation=visitor.organisation.strip(),
                id_number=number,
            )
        audit.record(
            actor=actor,
            action="operations.server_room.request",
            obj=permit,
            data={
                "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat(),
                "visitors": len(visitors),
            },
        )
        notices.request_mail(permit)
    return permit


def _locked(permit: AccessPermit) -> AccessPermit:
    return AccessPermit.objects.select_for_update().get(pk=permit.pk)


def permit_decide(*, actor, permit: AccessPermit, approve: bool, reason: str = "") -> AccessPermit:
    """The authorised official's decision; a refusal says why (the requester reads it)."""
    require_capability(actor, Cap.APPROVE_SERVER_ROOM_ACCESS)
    reason = reason.strip()
    if not approve and not reason:
        raise DomainError(
            gettext_lazy("Give the reason for the refusal: the requester reads it."),
            field="reason",
        )
    now = timezone.now()
    with transaction.atomic():
        permit = _locked(permit)
        if permit.requested_by_id == actor.pk:
            raise DomainError(
                gettext_lazy("You asked for this permit: another authorised official decides.")
            )
        if permit.state_at(now) != PermitState.REQUESTED:
            raise DomainError(
                gettext_lazy("This permit is %(state)s: only a request waiting can be decided.")
                % {"state": permit.state_label_at(now)}
            )
        permit.state = PermitState.APPROVED if approve else PermitState.REFUSED
        permit.decided_by, permit.decided_at, permit.decision_reason = actor, now, reason
        permit.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        audit.record(
            actor=actor,
            action=f"operations.server_room.{'approve' if approve else 'refuse'}",
            obj=permit,
            data={"reason": reason},
        )
        notices.decision_mail(permit)
    return permit


def permit_withdraw(*, actor, permit: AccessPermit) -> AccessPermit:
    require_capability(actor, Cap.REQUEST_SERVER_ROOM_ACCESS)
    now = timezone.now()
    with transaction.atomic():
        permit = _locked(permit)
        if permit.requested_by_id != actor.pk:
            raise DomainError(
                gettext_lazy("Only the person who asked for a permit can withdraw it."),
                code="forbidden",
            )
        if permit.state_at(now) not in (PermitState.REQUESTED, PermitState.APPROVED):
            raise DomainError(
                gettext_lazy("This permit is %(state)s: there is nothing to withdraw.")
                % {"state": permit.state_label_at(now)}
            )
        permit.state, permit.withdrawn_at = PermitState.WITHDRAWN, now
        permit.save(update_fields=["state", "withdrawn_at"])
        audit.record(actor=actor, action="operations.server_room.withdraw", obj=permit)
    return permit


def _valid_permit(permit_number: int, now: datetime) -> AccessPermit:
    """The permit, locked, if a visitor may enter on it now; otherwise why not, in words the
    engineer at the door can act on."""
    permit = AccessPermit.objects.select_for_update().filter(pk=permit_number).first()
    if permit is None:
        raise DomainError(
            gettext_lazy("There is no permit number %(n)s: check the number on the permit.")
            % {"n": permit_number},
            field="permit",
        )
    state, n = PermitState(permit.state_at(now)), permit.pk
    refusals = {
        PermitState.REQUESTED: gettext_lazy(
            "Permit #%(n)s has not been approved yet: the head of LPSE must approve it "
            "before the visitor may enter."
        ),
        PermitState.REFUSED: gettext_lazy(
            "Permit #%(n)s was refused: the visitor may not enter. Ask for a new permit."
        ),
        PermitState.WITHDRAWN: gettext_lazy(
            "Permit #%(n)s was withdrawn: the visitor may not enter. Ask for a new permit."
        ),
        PermitState.EXPIRED: gettext_lazy(
            "Permit #%(n)s was valid until %(end)s: it has expired. Ask for a new permit."
        ),
    }
    if state in refusals:
        raise DomainError(
            refusals[state] % {"n": n, "end": wita_text(permit.valid_until)}, field="permit"
        )
    if now < permit.valid_from:
        raise DomainError(
            gettext_lazy(
                "Permit #%(n)s is valid from %(start)s: the visitor may not enter before then."
            )
            % {"n": n, "start": wita_text(permit.valid_from)},
            field="permit",
        )
    return permit


def visit_check_in(
    *, actor, permit_number: int, id_number: str, escort, purpose: str = ""
) -> ServerRoomVisit:
    """Let a visitor in: only on a permit valid now, only a person named on it, escorted by a
    member of LPSE staff (R-4.2)."""
    require_capability(actor, Cap.RECORD_SERVER_ROOM_VISITS)
    now = timezone.now()
    number = normalize_id_number(id_number)
    with transaction.atomic():
        permit = _valid_permit(permit_number, now)
        visitor = permit.visitors.filter(id_number=number).first()
        if visitor is None:
            raise DomainError(
                gettext_lazy(
                    "Nobody with ID number %(id)s is named on permit #%(n)s: only the visitors "
                    "named on it may enter. Ask for a permit that names this person."
                )
                % {"id": number, "n": permit.pk},
                field="id_number",
            )
        if not escorts().filter(pk=escort.pk).exists():
            raise DomainError(
                gettext_lazy("The escort must be an active member of LPSE staff."),
                field="escort",
            )
        try:
            with transaction.atomic():
                visit = ServerRoomVisit.objects.create(
                    permit=permit,
                    visitor=visitor,
                    purpose=purpose.strip() or permit.purpose,
                    escort=escort,
                    checked_in_at=now,
                    checked_in_by=actor,
                )
        except IntegrityError:
            raise DomainError(
                gettext_lazy("%(name)s is already inside: check them out first.")
                % {"name": visitor.name},
                field="id_number",
            ) from None
        audit.record(
            actor=actor,
            action="operations.server_room.check_in",
            obj=visit,
            data={"permit": permit.pk, "visitor": visitor.name, "escort": escort.username},
        )
    return visit


def visit_check_out(*, actor, visit: ServerRoomVisit) -> ServerRoomVisit:
    require_capability(actor, Cap.RECORD_SERVER_ROOM_VISITS)
    now = timezone.now()
    with transaction.atomic():
        changed = ServerRoomVisit.objects.filter(pk=visit.pk, checked_out_at__isnull=True).update(
            checked_out_at=now, checked_out_by=actor
        )
        if not changed:
            raise DomainError(gettext_lazy("This visitor has already been checked out."))
        visit.refresh_from_db()
        audit.record(
            actor=actor,
            action="operations.server_room.check_out",
            obj=visit,
            data={"permit": visit.permit_id, "visitor": visit.visitor.name},
        )
    return visit
