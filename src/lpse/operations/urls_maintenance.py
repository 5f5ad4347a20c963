"""The maintenance pages of operations (issue 16): planned windows and unplanned outages."""

from django.urls import path

from lpse.operations import views_maintenance as views

urlpatterns = [
    path("pemeliharaan/", views.maintenance, name="maintenance"),
    path("pemeliharaan/<int:pk>/", views.maintenance_detail, name="maintenance_detail"),
    path("pemeliharaan/<int:pk>/batal", views.maintenance_cancel, name="maintenance_cancel"),
    path("pemeliharaan/<int:pk>/selesai", views.maintenance_end, name="maintenance_end"),
    path("gangguan/", views.outages, name="outages"),
]
