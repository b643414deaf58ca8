from django.apps import AppConfig


class TariffsConfig(AppConfig):
    name = "sgsc.billing.tariffs"
    label = "tariffs"
    verbose_name = "Grile tarifare"
