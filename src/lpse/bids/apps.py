from django.apps import AppConfig


class BidsConfig(AppConfig):
    name = "lpse.bids"
    label = "bids"
    verbose_name = "Sealed bids (Apendo)"
