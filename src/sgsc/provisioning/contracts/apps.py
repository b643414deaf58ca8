from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "sgsc.provisioning.contracts"
    label = "contracts"
    verbose_name = "Contracte de conectare"
