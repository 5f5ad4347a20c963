from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "lpse.tenders"
    label = "tenders"
    verbose_name = "E-tendering"

    def ready(self) -> None:
        from lpse.core import hooks
        from lpse.tenders.selectors.open_work import account_open_work
        from lpse.tenders.selectors.participants import companies_taking_part

        # accounts sits below tenders: deactivating a PPK or a committee member asks here
        # which work would be left without its owner (DESIGN "Boundaries").
        hooks.account_open_work.register(account_open_work)
        # providers sits below tenders: an agency administrator sees the e-mail changes of the
        # companies taking part in the agency's tenders, and no others (R-3.2, issue 21).
        hooks.agency_companies.register(companies_taking_part)
