from django.apps import AppConfig


class ConnectionRequestsConfig(AppConfig):
    name = "sgsc.provisioning.requests"
    label = "connection_requests"
    verbose_name = "Cereri de conectare"
