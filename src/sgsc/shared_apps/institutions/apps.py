from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "sgsc.shared_apps.institutions"
    label = "institutions"
    verbose_name = "Instituții"
