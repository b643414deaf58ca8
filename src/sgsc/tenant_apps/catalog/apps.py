from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "sgsc.tenant_apps.catalog"
    label = "catalog"
    verbose_name = "Catalogul serviciilor"
