from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "lpse.tenders"
    label = "tenders"
    verbose_name = "E-tendering"

    def ready(self) -> None:
        from lpse.core import hooks
        from lpse.tenders.selectors.open_work import account_open_work

        # accounts sits below tenders: deactivating a PPK or a committee member asks here
        # which work would be left without its owner (DESIGN "Boundaries").
        hooks.account_open_work.register(account_open_work)
