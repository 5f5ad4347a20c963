from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "lpse.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation and winner determination"
