from django.apps import AppConfig


class MPassConfig(AppConfig):
    name = "sgsc.integrations.mpass"
    label = "mpass"
    verbose_name = "MPass"
