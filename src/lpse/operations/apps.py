from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "lpse.operations"
    label = "operations"
    verbose_name = "Operations"
