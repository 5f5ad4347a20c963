"""Small rules of the helpdesk that several modules read (R-2.1)."""

from __future__ import annotations

import hashlib
from datetime import datetime, time

from django.utils.crypto import constant_time_compare, salted_hmac

from lpse.accounts.roles import AGENCY_STAFF_ROLES, Role
from lpse.core.calendar import is_working_day, to_wita
from lpse.servicedesk.models import RequesterRole, Ticket

# The helpdesk's working hours, WITA, on Indonesian working days (lpse.core.calendar). The annex
# asks for answers "pada jam kerja dan diluar jam kerja": both are served, and each ticket records
# which one it came in, so the report can tell them apart.
HELPDESK_HOURS: tuple[time, time] = (time(8, 0), time(16, 0))


def is_outside_working_hours(moment: datetime) -> bool:
    local = to_wita(moment)
    start, end = HELPDESK_HOURS
    return not is_working_day(local.date()) or not (start <= local.time() < end)


def requester_role_of(user) -> str:
    """How the regulation names a signed-in requester (annex 2.1)."""
    roles = user.role_codes()
    for role, as_requester in (
        (Role.PROVIDER, RequesterRole.PROVIDER),
        (Role.AGENCY_ADMIN, RequesterRole.AGENCY_ADMIN),
        (Role.PPK, RequesterRole.PPK),
        (Role.COMMITTEE, RequesterRole.COMMITTEE),
    ):
        if role in roles:
            return as_requester
    if roles & AGENCY_STAFF_ROLES:
        return RequesterRole.AGENCY_STAFF
    if roles:
        return RequesterRole.LPSE_STAFF
    return RequesterRole.PUBLIC


def ticket_token(ticket: Ticket) -> str:
    """The secret of a ticket's public link. Derived from SECRET_KEY and a random nonce stored on
    the ticket: the database alone does not give it away, and the answer e-mail can carry it
    again without the link ever being stored."""
    mac = salted_hmac(
        "lpse.servicedesk.ticket",
        f"{ticket.number}:{ticket.access_nonce}",
        algorithm="sha256",
    )
    return hashlib.sha256(mac.digest()).hexdigest()[:40]


def token_matches(ticket: Ticket, token: str) -> bool:
    return bool(token) and constant_time_compare(ticket_token(ticket), token)
