from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "sgsc.shared_apps.identity"
    label = "identity"
    verbose_name = "Identități"
