"""The security page of operations (issue 17, R-4.4)."""

from django.urls import path

from lpse.operations import views_security

urlpatterns = [
    path("keamanan/", views_security.security_page, name="security"),
]
