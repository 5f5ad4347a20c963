from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "lpse.training"
    label = "training"
