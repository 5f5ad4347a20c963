"""The monitor pages of operations (issue 16): read-only, for VIEW_SYSTEM_STATUS."""

from django.urls import path

from lpse.operations import views_monitor

urlpatterns = [
    path("", views_monitor.monitor, name="monitor"),
    path("lkpp/", views_monitor.lkpp, name="lkpp"),
]
