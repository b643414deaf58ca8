from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sgsc.shared_apps.audit"
    label = "audit"
    verbose_name = "Jurnal de audit"
