from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "lpse.catalog"
    label = "catalog"
    verbose_name = "Master data"
