from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lpse.core"
    label = "core"
    verbose_name = "LPSE core"
