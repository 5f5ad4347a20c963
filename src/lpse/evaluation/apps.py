from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "lpse.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation and winner determination"

    def ready(self) -> None:
        from lpse.core import hooks
        from lpse.evaluation.selectors import public_context

        # The public tender page (tenders) shows the results without importing evaluation.
        hooks.tender_public_context.register(public_context)
