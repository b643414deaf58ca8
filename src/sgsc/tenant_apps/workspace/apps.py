from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "sgsc.tenant_apps.workspace"
    label = "workspace"
    verbose_name = "Spațiu de lucru"
