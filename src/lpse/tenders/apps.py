from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "lpse.tenders"
    label = "tenders"
    verbose_name = "E-tendering"
