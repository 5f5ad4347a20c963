from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "lpse.archive"
    label = "archive"
    verbose_name = "Backups"
