from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "lpse.providers"
    label = "providers"
    verbose_name = "Provider registration and verification"
