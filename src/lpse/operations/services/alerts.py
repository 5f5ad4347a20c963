"""Thresholds crossed and alerts (R-5.1, R-5.2, R-5.4): opened, escalated, recovered, mailed to
the roles on duty, acknowledged.

``evaluate`` runs right after a sampler run has been recorded. One alert at most is open per
(node, metric, labels) (the ``one_open_alert`` constraint): the next run updates it, so a disk
that stays full is mailed once, a rise from warning to critical once more, and the return below
the limits once as "recovered". An acknowledgement says someone is on it; the alert stays open
until the readings recover.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lpse.accounts.selectors import users_with_role
from lpse.core import audit
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.tasks import mail_each
from lpse.operations.defaults import METRIC_LABELS
from lpse.operations.models import (
    Alert,
    AlertState,
    Comparison,
    Resolution,
    Sample,
    Severity,
    Threshold,
)
from lpse.operations.readings import Reading

RANK: dict[str | None, int] = {None: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


def metric_label(metric: str) -> str:
    return str(METRIC_LABELS.get(metric, metric))


def beyond(threshold: Threshold, value: float, limit: float | None) -> bool:
    if limit is None:
        return False
    return value > limit if threshold.comparison == Comparison.ABOVE else value < limit


def severity_of(threshold: Threshold, value: float) -> tuple[str | None, float | None]:
    """(severity, the limit crossed) of one value, at once, whatever ``for_minutes`` says."""
    if beyond(threshold, value, threshold.critical):
        return Severity.CRITICAL, threshold.critical
    if beyond(threshold, value, threshold.warning):
        return Severity.WARNING, threshold.warning
    return None, None


def _held(threshold: Threshold, node: str, reading: Reading, limit: float, at: datetime) -> bool:
    """Beyond ``limit`` for ``for_minutes``: every raw sample of the series in the last N
    minutes is beyond it, and the series reaches back that far (a node that has just started
    has not yet shown that the condition lasted)."""
    since = at - timedelta(minutes=threshold.for_minutes)
    series = Sample.objects.filter(
        node=node, metric=reading.metric, labels=reading.labels, resolution=Resolution.RAW
    )
    values = list(series.filter(at__gte=since, at__lte=at).values_list("value", flat=True))
    if not values or not all(beyond(threshold, v, limit) for v in values):
        return False
    return series.filter(at__lte=since).exists()


def sustained(threshold: Threshold, node: str, reading: Reading, at: datetime):
    """The highest severity that has held for ``for_minutes`` (at once when 0)."""
    severity, limit = severity_of(threshold, reading.value)
    if severity is None or threshold.for_minutes == 0:
        return severity, limit
    for level, level_limit in (
        (Severity.CRITICAL, threshold.critical),
        (Severity.WARNING, threshold.warning),
    ):
        # A critical value that has not lasted may still be a warning that has.
        if RANK[level] > RANK[severity] or level_limit is None:
            continue
        if beyond(threshold, reading.value, level_limit) and _held(
            threshold, node, reading, level_limit, at
        ):
            return level, level_limit
    return None, None


def evaluate(readings: Iterable[Reading], *, node: str, at) -> None:
    """Compare one run's readings (already recorded) with the enabled thresholds."""
    at = at.replace(microsecond=0)  # as record_samples stamps the run
    thresholds = {t.metric: t for t in Threshold.objects.all()}
    for reading in readings:
        threshold = thresholds.get(reading.metric)
        if threshold is None:
            continue
        if not threshold.enabled:
            _stop_watching(threshold, node, reading, at)
            continue
        now, _limit = severity_of(threshold, reading.value)
        severity, limit = sustained(threshold, node, reading, at)
        _apply(threshold, node, reading, at, now=now, severity=severity, limit=limit)


def _open_alert(node: str, reading: Reading) -> Alert | None:
    return (
        Alert.objects.select_for_update()
        .filter(node=node, metric=reading.metric, labels=reading.labels, state=AlertState.OPEN)
        .first()
    )


def _apply(threshold, node, reading, at, *, now, severity, limit) -> None:
    with transaction.atomic():
        alert = _open_alert(node, reading)
        if alert is None:
            if severity is None:
                return
            try:
                with transaction.atomic():  # a savepoint: the other writer's alert wins
                    alert = Alert.objects.create(
                        node=node,
                        metric=reading.metric,
                        labels=reading.labels,
                        severity=severity,
                        value=reading.value,
                        limit=limit,
                        opened_at=at,
                        last_seen_at=at,
                        mailed_severity=severity,
                    )
            except IntegrityError:
                alert = _open_alert(node, reading)
                if alert is None:
                    raise
            else:
                audit.record(
                    actor=None, action="operations.alert.opened", obj=alert, data=_data(alert)
                )
                _mail(threshold, alert, kind="opened")
                return
        _update(threshold, alert, reading, at, now=now, severity=severity, limit=limit)


def _update(threshold, alert, reading, at, *, now, severity, limit) -> None:
    alert.value, alert.last_seen_at = reading.value, at
    if now is None:
        alert.state, alert.recovered_at, alert.recovery_mailed = AlertState.RECOVERED, at, True
        alert.save()
        audit.record(actor=None, action="operations.alert.recovered", obj=alert, data=_data(alert))
        _mail(threshold, alert, kind="recovered")
        return
    if severity == Severity.CRITICAL and alert.severity == Severity.WARNING:
        alert.severity, alert.limit = severity, limit
        # Mailed again only when critical was not mailed before: a value that swings around
        # the critical limit does not mail at every swing.
        mail = alert.mailed_severity != Severity.CRITICAL
        alert.mailed_severity = Severity.CRITICAL
        alert.save()
        audit.record(actor=None, action="operations.alert.escalated", obj=alert, data=_data(alert))
        if mail:
            _mail(threshold, alert, kind="escalated")
        return
    if RANK[now] < RANK[alert.severity]:
        # Back from critical to warning: still open, no mail; the page shows it.
        alert.severity, alert.limit = now, threshold.warning
    alert.save(update_fields=["value", "last_seen_at", "severity", "limit"])


def _stop_watching(threshold, node, reading, at) -> None:
    """A threshold switched off: its open alerts close, without a mail (nothing recovered)."""
    with transaction.atomic():
        alert = _open_alert(node, reading)
        if alert is None:
            return
        alert.state, alert.recovered_at, alert.value = AlertState.RECOVERED, at, reading.value
        alert.save()
        audit.record(
            actor=None,
            action="operations.alert.recovered",
            obj=alert,
            data={**_data(alert), "reason": "threshold disabled"},
        )


def _data(alert: Alert) -> dict:
    return {
        "node": alert.node,
        "metric": alert.metric,
        "labels": alert.labels,
        "severity": alert.severity,
        "state": alert.state,
        "value": alert.value,
        "limit": alert.limit,
    }


def acknowledge(*, actor, alert: Alert, note: str) -> Alert:
    """Someone on duty has seen the alert and says what is being done (kept with it)."""
    require_capability(actor, Cap.HANDLE_ALERTS)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what is being done about the alert."), field="note")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            raise DomainError(
                _("This alert was already acknowledged by %(who)s.")
                % {"who": alert.acknowledged_by.username if alert.acknowledged_by else "-"}
            )
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
        alert.acknowledgement = note
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement"])
        audit.record(
            actor=actor,
            action="operations.alert.acknowledged",
            obj=alert,
            data={**_data(alert), "note": note},
        )
    return alert


# --- e-mail ----------------------------------------------------------------------------------


def number(value: float | None) -> str:
    """A figure as people here read it ("93,1"): one decimal, or up to three for the small
    limits (0,002) a test or a fraction uses; no trailing zeros."""
    if value is None:
        return "-"
    exact = Decimal(str(value))
    shown = (exact.quantize(Decimal("0.1")) if abs(value) >= 1 else round(exact, 3)).normalize()
    if shown == shown.to_integral():
        shown = shown.quantize(Decimal(1))  # 90, not 9E+1
    return formats.number_format(shown)


def _mail(threshold: Threshold, alert: Alert, *, kind: str) -> None:
    """One message to each active account of the roles the threshold names, in the site's
    language, sent when the transaction commits."""
    emails = users_with_role(*threshold.notify_roles).values_list("email", flat=True)
    mail_each(emails, lambda _to: _message(alert, kind))


def _message(alert: Alert, kind: str) -> tuple[str, str]:
    words = {
        "opened": _("CRITICAL") if alert.severity == Severity.CRITICAL else _("WARNING"),
        "escalated": _("CRITICAL"),
        "recovered": _("RECOVERED"),
    }
    place = {
        "metric": metric_label(alert.metric),
        "value": number(alert.value),
        "node": alert.node,
        "labels": alert.labels or "-",
    }
    subject = _("[LPSE] %(word)s: %(metric)s %(value)s on %(node)s (%(labels)s)") % {
        "word": words[kind],
        **place,
    }
    lead = {
        "opened": _("A threshold of the LPSE's monitoring was crossed."),
        "escalated": _("The alert rose from warning to critical."),
        "recovered": _("The alert has recovered: the value is back within the limits."),
    }[kind]
    lines = [
        lead,
        "",
        _("Measure: %(metric)s") % place,
        _("Node: %(node)s") % place,
        _("Instance: %(labels)s") % place,
        _("Value: %(value)s") % place,
        _("Limit: %(limit)s (%(severity)s)")
        % {"limit": number(alert.limit), "severity": alert.get_severity_display()},
        _("Since: %(when)s") % {"when": wita_text(alert.opened_at)},
    ]
    if kind == "recovered":
        lines.append(_("Recovered at: %(when)s") % {"when": wita_text(alert.recovered_at)})
    lines += ["", _("The alert: %(url)s") % {"url": site_url("operations:alert_detail", alert.pk)}]
    return subject, "\n".join(lines)
