from django.apps import AppConfig


class NonTenderConfig(AppConfig):
    name = "lpse.nontender"
    label = "nontender"
    verbose_name = "Non-tender procurement"

    def ready(self) -> None:
        from lpse.core import hooks
        from lpse.nontender.selectors import committee_handover_blockers, participant_url_of_backing
        from lpse.nontender.services.offers import offers_record, openers_of_backing

        # tenders sits below nontender: a package handed to a procurement officer is not handed
        # to a committee as well (DESIGN "Boundaries").
        hooks.package_assigning.register(committee_handover_blockers)
        # bids and tenders sit below nontender: the officer opens the offers of the backing
        # tender, and the opening's prices become the procurement's offers.
        hooks.tender_openers.register(openers_of_backing)
        hooks.bids_opened.register(offers_record)
        # An answered question's e-mail links the invited providers to their invitations page.
        hooks.tender_participant_url.register(participant_url_of_backing)
