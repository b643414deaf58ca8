from django.apps import AppConfig


class MLogConfig(AppConfig):
    name = "sgsc.integrations.mlog"
    label = "mlog"
    verbose_name = "MLog"

    def ready(self) -> None:
        from sgsc.integrations.mlog import checks  # noqa: F401  (registers the system check)
