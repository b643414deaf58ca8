from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "sgsc.billing.statements"
    label = "statements"
    verbose_name = "Decontări lunare"
