from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lpse.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from lpse.accounts import signals  # noqa: F401
