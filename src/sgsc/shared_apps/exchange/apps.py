from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "sgsc.shared_apps.exchange"
    label = "exchange"
    verbose_name = "Schimb de date între spații"
