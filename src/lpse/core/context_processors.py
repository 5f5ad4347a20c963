from django.conf import settings


def site(request):
    return {"site_name": settings.LPSE_SITE_NAME, "demo_mode": settings.LPSE_DEMO}
