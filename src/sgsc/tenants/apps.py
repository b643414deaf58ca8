from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "sgsc.tenants"
    label = "tenants"
    verbose_name = "Chiriași"
