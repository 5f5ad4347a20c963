from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's data (``lpse load_demo_data``) and the benchmark's generator. No production
    module imports this package: the home page learns of the demo accounts through the
    ``core.hooks.home_page_extras`` hook that this app registers (it answers in demo mode only)."""

    name = "lpse.demo"
    label = "demo"
    verbose_name = "Demo data"

    def ready(self) -> None:
        from lpse.core import hooks
        from lpse.demo.loader import home_page_accounts

        hooks.home_page_extras.register(home_page_accounts)
