"""The thresholds a new installation starts with (R-5.1), and the words each metric is shown
with. Made by migration 0002; edited on the thresholds page afterwards."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# metric: (comparison, warning, critical, for_minutes, roles told)
DEFAULT_THRESHOLDS = {
    "disk_used_percent": ("above", 80.0, 90.0, 0, ["sysadmin", "tech_hardware"]),
    "memory_used_percent": ("above", 90.0, 95.0, 5, ["sysadmin", "tech_hardware"]),
    "swap_used_percent": ("above", 50.0, 80.0, 10, ["sysadmin", "tech_hardware"]),
    "load_per_cpu": ("above", 2.0, 4.0, 10, ["sysadmin", "tech_hardware"]),
    "error_rate_percent": ("above", 5.0, 20.0, 5, ["sysadmin", "tech_software"]),
    "latency_ms": ("above", 2000.0, 5000.0, 10, ["tech_software"]),
    # Up is 1, down is 0: below 0.5 for 3 minutes is "the uplink has been down 3 minutes".
    "uplink_up": ("below", None, 0.5, 3, ["sysadmin", "tech_network"]),
    "queue_length": ("above", 100.0, 1000.0, 10, ["sysadmin", "tech_software"]),
}


def create_default_thresholds(threshold_model) -> None:
    """The defaults, for the metrics that have no threshold yet (migration 0002 passes its
    historical model; the tests' reference data the real one after a flush)."""
    for metric, (comparison, warning, critical, minutes, roles) in DEFAULT_THRESHOLDS.items():
        threshold_model.objects.get_or_create(
            metric=metric,
            defaults={
                "comparison": comparison,
                "warning": warning,
                "critical": critical,
                "for_minutes": minutes,
                "notify_roles": roles,
            },
        )


METRIC_LABELS = {
    "disk_used_percent": _("Disk used (%)"),
    "disk_free_bytes": _("Disk free (bytes)"),
    "memory_used_percent": _("Memory used (%)"),
    "swap_used_percent": _("Swap used (%)"),
    "load_per_cpu": _("Load per CPU"),
    "cpu_percent": _("CPU busy (%)"),
    "connections_open": _("Open TCP connections"),
    "net_received_bytes_per_s": _("Network received (bytes/s)"),
    "net_sent_bytes_per_s": _("Network sent (bytes/s)"),
    "net_received_packets_per_s": _("Network received (packets/s)"),
    "net_sent_packets_per_s": _("Network sent (packets/s)"),
    "requests_per_s": _("Requests per second"),
    "latency_ms": _("Mean response time (ms)"),
    "error_rate_percent": _("Server errors (% of requests)"),
    "uplink_up": _("Internet uplink reachable"),
    "uplink_latency_ms": _("Uplink connect time (ms)"),
    "database_bytes": _("Database size (bytes)"),
    "table_bytes": _("Table size (bytes)"),
    "queue_length": _("Jobs waiting in the queue"),
}
