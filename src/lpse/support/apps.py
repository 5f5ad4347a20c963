from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "lpse.support"
    label = "support"
