from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "relais.api"
    label = "api"
    verbose_name = "API"
