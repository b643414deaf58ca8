from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "sgsc.tenant_apps.tickets"
    label = "tickets"
    verbose_name = "Solicitări"

    def ready(self) -> None:
        from sgsc.billing.usage.meters import register_meter
        from sgsc.billing.usage.models import Metric
        from sgsc.tenant_apps.tickets.meter import meter_tickets_handled

        register_meter(Metric.TICKETS_HANDLED, meter_tickets_handled)
