"""A URLconf for tests/test_authorization_matrix.py only: the real site plus one page view and one
API operation that declare no capability, to prove the matrix notices such endpoints."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from ninja import NinjaAPI

from lpse.urls import urlpatterns as site_urlpatterns


def undeclared_view(request):
    return HttpResponse("a page that forgot to say who may open it")


undeclared_api = NinjaAPI(
    title="undeclared", urls_namespace="undeclared-api", docs_url=None, openapi_url=None
)


@undeclared_api.get("/secret")  # registered directly, not through api_operation
def undeclared_operation(request):
    return {"secret": True}


urlpatterns = [
    *site_urlpatterns,
    path("undeclared/", undeclared_view, name="undeclared"),
    path("undeclared-api/", undeclared_api.urls),
]
