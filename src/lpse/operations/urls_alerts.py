"""The alerts pages of operations (issue 16): alerts, their acknowledgement, thresholds."""

from django.urls import path

from lpse.operations import views_alerts

urlpatterns = [
    path("peringatan/", views_alerts.alerts, name="alerts"),
    path("peringatan/<int:pk>/", views_alerts.alert_detail, name="alert_detail"),
    path("peringatan/<int:pk>/terima", views_alerts.alert_acknowledge, name="alert_acknowledge"),
    path("ambang/", views_alerts.thresholds, name="thresholds"),
]
