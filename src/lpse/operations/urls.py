from django.urls import include, path

from lpse.operations import views_probes

app_name = "operations"

# Each group of pages has its own URL module (one writer each); they share this namespace.
urlpatterns = [
    path("health/live", views_probes.live, name="health_live"),
    path("health/ready", views_probes.ready, name="health_ready"),
    path("metrics", views_probes.metrics_view, name="metrics"),
    path("operasi/", include("lpse.operations.urls_monitor")),
    path("operasi/", include("lpse.operations.urls_alerts")),
    path("operasi/", include("lpse.operations.urls_maintenance")),
    path("operasi/", include("lpse.operations.urls_security")),
    path("operasi/", include("lpse.operations.urls_server_room")),
    path("operasi/", include("lpse.operations.urls_duties")),
    # The facility's pages, and its sensors' ingestion API under /sensor/ (which maintenance
    # mode leaves open: a UPS on battery must still be heard during a maintenance window).
    path("", include("lpse.operations.urls_facility")),
]
