"""The facility pages of operations (R-4.3, issue 17), and its sensors' ingestion API.

Included at the site's root: the pages live under /operasi/fasilitas/, the API under
/sensor/v1/ (outside /operasi/, so maintenance mode and the session machinery leave it alone).
"""

from django.urls import path

from lpse.operations import facility_api, views_facility

urlpatterns = [
    path("sensor/v1/readings", facility_api.readings, name="sensor_readings"),
    path("operasi/fasilitas/", views_facility.devices, name="facility_devices"),
    path(
        "operasi/fasilitas/perangkat/baru/",
        views_facility.device_create,
        name="facility_device_create",
    ),
    path(
        "operasi/fasilitas/perangkat/<int:pk>/",
        views_facility.device_detail,
        name="facility_device",
    ),
    path(
        "operasi/fasilitas/perangkat/<int:pk>/ubah/",
        views_facility.device_edit,
        name="facility_device_edit",
    ),
    path(
        "operasi/fasilitas/perangkat/<int:pk>/token/",
        views_facility.token_issue,
        name="facility_token_issue",
    ),
    path(
        "operasi/fasilitas/perangkat/<int:pk>/token/cabut/",
        views_facility.token_revoke,
        name="facility_token_revoke",
    ),
    path("operasi/fasilitas/alarm/", views_facility.alarms, name="facility_alarms"),
    path(
        "operasi/fasilitas/alarm/<int:pk>/tanggapi/",
        views_facility.alarm_acknowledge,
        name="facility_alarm_acknowledge",
    ),
    path("operasi/fasilitas/ceklis/", views_facility.checklist, name="facility_checklist"),
    path(
        "operasi/fasilitas/ceklis/isi/",
        views_facility.checklist_record,
        name="facility_checklist_record",
    ),
]
