"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the
server-room pages' URL parameters (R-4.2). A permit waiting for the head of LPSE, asked for by
an account of its own (so withdrawing it is refused to every matrix user: only its requester
withdraws it), and a visit still open, which the first visit recorder checks out."""

from __future__ import annotations

from lpse.accounts.roles import Role

OBJECT_SCOPED: dict = {
    "operations:server_room_permit_withdraw": (
        frozenset(),
        "only the person who asked for a permit withdraws it",
    ),
}


def samples(company, make_user) -> dict[str, object]:
    from datetime import timedelta

    from django.utils import timezone

    from lpse.operations.models import AccessPermit, PermitState, PermitVisitor, ServerRoomVisit

    now = timezone.now()
    requester = make_user(Role.TECH_SOFTWARE, username="sampel-ruang-server")
    waiting = AccessPermit.objects.create(
        requested_by=requester,
        requested_at=now,
        purpose="Sampel: pemeliharaan rak server",
        valid_from=now + timedelta(days=1),
        valid_until=now + timedelta(days=1, hours=4),
    )
    PermitVisitor.objects.create(
        permit=waiting, name="Sampel Tamu", organisation="PT Sampel", id_number="7309000000000001"
    )
    open_permit = AccessPermit.objects.create(
        requested_by=requester,
        requested_at=now - timedelta(hours=2),
        purpose="Sampel: penggantian baterai UPS",
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(hours=4),
        state=PermitState.APPROVED,
        decided_by=make_user(Role.LPSE_HEAD, username="sampel-kepala-lpse"),
        decided_at=now - timedelta(hours=1),
    )
    visitor = PermitVisitor.objects.create(
        permit=open_permit,
        name="Sampel Teknisi",
        organisation="PT Sampel",
        id_number="7309000000000002",
    )
    visit = ServerRoomVisit.objects.create(
        permit=open_permit,
        visitor=visitor,
        purpose=open_permit.purpose,
        escort=requester,
        checked_in_at=now - timedelta(minutes=30),
        checked_in_by=requester,
    )
    return {
        "operations:server_room_permit": {"pk": waiting.pk},
        "operations:server_room_permit_decide": {"pk": waiting.pk},
        "operations:server_room_permit_withdraw": {"pk": waiting.pk},
        "operations:server_room_check_out": {"pk": visit.pk},
    }
