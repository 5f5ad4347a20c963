from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "lpse.servicedesk"
    label = "servicedesk"
