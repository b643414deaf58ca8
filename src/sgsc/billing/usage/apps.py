from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "sgsc.billing.usage"
    label = "usage"
    verbose_name = "Măsurarea utilizării"

    def ready(self) -> None:
        # The meters of the platform itself; tenant apps register theirs in their own ready().
        from sgsc.billing.usage import meters

        meters.register_builtin_meters()
