from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    """Problem handling (SPEC 3) that has no other home: a provider's upload problems (R-3.4),
    the consented support view, escalations to LKPP (R-3.5). The other SOP problems live with what
    they concern: an unopenable bid in ``bids``, an e-mail change in ``providers``, a schedule
    change in ``tenders``. Helpdesk tickets are ``servicedesk``'s."""

    name = "lpse.problems"
    label = "support"  # the tables keep their names (support_*), so no migration moves them
    verbose_name = "Problem handling"
