from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "sgsc.tenant_apps.hub"
    label = "hub"
    verbose_name = "Coordonarea hubului"
