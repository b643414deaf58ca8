from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "sgsc.platform"
    label = "platform"
    verbose_name = "Platforma SGSC"

    def ready(self) -> None:
        from sgsc.platform import observability, signals

        observability.init_sentry()
        signals.connect()
