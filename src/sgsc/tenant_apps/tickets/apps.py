from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "sgsc.tenant_apps.tickets"
    label = "tickets"
    verbose_name = "Solicitări"
