"""The tamper-evident audit log (R-9.4): every service write appends to a hash chain that
`lpse audit verify` walks, naming the first event that does not hold."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lpse.accounts.roles import Role
from lpse.core import audit
from lpse.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_history(make_user):
    admin = make_user(Role.APP_ADMIN)
    for i in range(5):
        audit.record(
            actor=admin, action="test.event", data={"i": i, "text": "Dinas Pendidikan – ü"}
        )
    return admin


def run_verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_R_9_4_every_service_write_appends_a_linked_event(some_history):
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == audit.GENESIS
    for before, after in pairwise(events):
        assert after.prev_hash == before.hash
    head = audit.current_head()
    assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)


def test_R_9_4_audit_verify_passes_on_a_normal_database(some_history):
    assert "audit chain OK" in run_verify()


def test_R_9_4_audit_verify_names_an_event_changed_behind_the_applications_back(some_history):
    victim = AuditEvent.objects.get(seq=4)
    with connection.cursor() as cursor:  # raw SQL, as an intruder with database access would
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s",
            ["test.innocent", victim.pk],
        )
    with pytest.raises(
        CommandError, match=r"BROKEN at event #4: event #4 \(test.innocent\) was changed"
    ):
        run_verify()


def test_R_9_4_audit_verify_notices_a_deleted_event(some_history):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = 3")
    with pytest.raises(CommandError, match="event #3 is missing"):
        run_verify()


def test_R_9_4_audit_verify_notices_events_cut_from_the_end(some_history):
    last = AuditEvent.objects.order_by("-seq").first()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s", [last.seq])
    with pytest.raises(CommandError, match="events were removed from the end"):
        run_verify()


def test_R_9_4_a_rewritten_event_with_a_recomputed_hash_breaks_the_next_link(some_history):
    victim = AuditEvent.objects.get(seq=2)
    victim.data = {"i": 99}
    victim.hash = audit._hash_of(victim)  # a careful forger recomputes this event's hash…
    AuditEvent.objects.filter(pk=victim.pk).update(data=victim.data, hash=victim.hash)
    with pytest.raises(
        CommandError, match="event #3 does not link"
    ):  # …and the next one gives it away
        run_verify()


def test_R_9_4_the_head_is_shown_to_administrators_only(client, some_history, make_user):
    head = audit.current_head()
    client.force_login(some_history)
    page = client.get("/admin-lpse/audit/").content.decode()
    assert head.hash in page
    client.force_login(make_user(Role.PROVIDER))
    assert client.get("/admin-lpse/audit/").status_code == 403


def test_R_9_4_audit_head_command_prints_the_head(some_history):
    from io import StringIO

    out = StringIO()
    call_command("audit", "head", stdout=out)
    head = audit.current_head()
    assert out.getvalue().strip() == f"{head.seq} {head.hash}"
