from tests.tenant_apps.notifications.fixtures import access_as, crew, in_prov_a  # noqa: F401
