from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lpse.core"
    label = "core"
    verbose_name = "LPSE core"

    def ready(self):
        # Registers the rescan job, which lives beside the quarantine it empties.
        from lpse.core import quarantine  # noqa: F401
