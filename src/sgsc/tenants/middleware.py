"""Host routing: the tenant middleware of django-tenants, plus the platform's refusals."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django_tenants.middleware.main import TenantMainMiddleware

from sgsc.platform import context
from sgsc.tenants.models import Tenant
from sgsc.tenants.schemas import use_public_schema
from sgsc.tenants.views import tenant_unavailable_response

_UNAVAILABLE_CODES = {
    Tenant.Status.SUSPENDED: "tenant_suspended",
    Tenant.Status.TERMINATED: "tenant_terminated",
    Tenant.Status.PROVISIONING: "tenant_provisioning",
}


class TenantRoutingMiddleware(TenantMainMiddleware):
    """Select the schema by host; refuse the template and tenants that are not active."""

    def get_tenant(self, domain_model: type, hostname: str) -> Tenant:
        tenant: Tenant = super().get_tenant(domain_model, hostname)
        if tenant.is_template:
            raise domain_model.DoesNotExist  # type: ignore[attr-defined]
        return tenant

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        response: HttpResponse | None = super().process_request(request)
        if response is not None:
            return response
        tenant: Tenant = request.tenant  # type: ignore[attr-defined]
        context.bind(tenant=tenant.schema_name)
        code = _UNAVAILABLE_CODES.get(Tenant.Status(tenant.status))
        if code is not None and not tenant.is_public:
            use_public_schema()
            return tenant_unavailable_response(request, tenant=tenant, code=code)
        return None
