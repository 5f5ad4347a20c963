from django.apps import AppConfig


class BidsConfig(AppConfig):
    name = "lpse.bids"
    label = "bids"
    verbose_name = "Sealed bids (Apendo)"

    def ready(self) -> None:
        # tenders sits below bids: it calls these hooks instead of importing bids (DESIGN
        # "Boundaries").
        from lpse.bids.selectors import bidder_emails, unopened_shares_of
        from lpse.bids.services.tender_keys import tender_key_required
        from lpse.core import hooks

        hooks.tender_publishing.register(tender_key_required)
        hooks.tender_bidder_emails.register(bidder_emails)
        hooks.committee_member_leaving.register(unopened_shares_of)
