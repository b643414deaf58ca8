from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "sgsc.shared_apps.workdays"
    label = "workdays"
    verbose_name = "Calendarul zilelor lucrătoare"
