from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "sgsc.tenant_apps.notifications"
    label = "notifications"
    verbose_name = "Notificări"
