from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jiceng.api"
    label = "api"
    verbose_name = "API"
