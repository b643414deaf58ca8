from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    name = "sgsc.tenant_apps.telephony"
    label = "telephony"
    verbose_name = "Telefonie"

    def ready(self) -> None:
        from sgsc.billing.usage.meters import register_meter
        from sgsc.billing.usage.models import Metric
        from sgsc.tenant_apps.telephony.meter import meter_call_minutes

        register_meter(Metric.CALL_MINUTES, meter_call_minutes)
