"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the
operations pages' URL parameters (issue 16, R-5.1, R-5.3). An open alert, and a maintenance
window ten days ahead (not in force: the matrix must not meet a 503)."""

from __future__ import annotations

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    from datetime import timedelta

    from django.utils import timezone

    from lpse.operations.models import Alert, MaintenanceWindow

    now = timezone.now()
    alert = Alert.objects.create(
        node="sample-node",
        metric="disk_used_percent",
        labels="mount=/",
        severity="critical",
        value=95.0,
        limit=90.0,
        opened_at=now,
        last_seen_at=now,
    )
    window = MaintenanceWindow.objects.create(
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=10, hours=2),
        announce_from=now + timedelta(days=7),
        reason="Penggantian UPS ruang server",
        created_by=make_user("sysadmin", username="matrix-maint-planner"),
    )
    pk = {"pk": alert.pk}
    wpk = {"pk": window.pk}
    wanted = {
        "operations:alert_acknowledge": pk,
        "operations:alert_detail": pk,
        "operations:maintenance_detail": wpk,
        "operations:maintenance_cancel": wpk,
        "operations:maintenance_end": wpk,
    }
    return {name: kwargs for name, kwargs in wanted.items() if _routed(name, kwargs)}


def _routed(name: str, kwargs: dict) -> bool:
    """The pages are written one group at a time: a name not routed yet has no sample."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return False
    return True
