from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sgsc.tenant_apps.sla"
    label = "sla"
    verbose_name = "Termene (SLA)"
