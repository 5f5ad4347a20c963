from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "lpse.portal"
    label = "portal"
    verbose_name = "Public portal and API"
